# Reference values for the forecasting methods (ForecastReferenceTests), computed by Debian's r-cran-forecast:
#
#   Rscript tests/Astralytiq.Tests/ML/Reference/forecast_reference.R > tests/Astralytiq.Tests/ML/Reference/forecast-reference.json
#
# For each classic series of R's datasets, fitted on all but its last h points: thetaf's smoothing parameter, drift,
# residual variance, whether it seasonally adjusted, its point forecasts and the standard error of each step.
suppressMessages(library(forecast))
series <- list(Nile = Nile, LakeHuron = LakeHuron, lynx = lynx, AirPassengers = AirPassengers, UKgas = UKgas,
               USAccDeaths = USAccDeaths, JohnsonJohnson = JohnsonJohnson, nottem = nottem, co2 = co2, ldeaths = ldeaths)
num <- function(x) paste0("[", paste(sprintf("%.10g", as.numeric(x)), collapse = ","), "]")
out <- character()
for (name in names(series)) {
  y <- series[[name]]
  m <- frequency(y)
  h <- if (m > 1) m else 10
  n <- length(y)
  train <- window(y, end = time(y)[n - h])
  fc <- thetaf(train, h = h, level = 90)
  se <- (as.numeric(fc$upper) - as.numeric(fc$mean)) / qnorm(0.95)
  seasonal <- !isTRUE(all.equal(as.numeric(fc$fitted), as.numeric(ses(train, h = h)$fitted)))
  out <- c(out, sprintf('{"name":"%s","m":%d,"h":%d,"values":%s,"theta":{"alpha":%.10g,"drift":%.10g,"sigma2":%.10g,"seasonal":%s,"mean":%s,"se":%s}}',
                        name, m, h, num(y), fc$model$alpha, fc$model$drift, fc$model$sigma, tolower(seasonal), num(fc$mean), num(se)))
}
cat(sprintf('{"forecast":"%s","series":[%s]}\n', as.character(packageVersion("forecast")), paste(out, collapse = ",")))
