# Peer for the forecasting benchmark: R's forecast package (r-cran-forecast) on classic series of R's datasets.
# Each series' last h points (h = its frequency, 10 for annual ones) are held out; ets() and auto.arima() are
# fitted on the rest; MASE on the holdout (scaled by the in-sample seasonal naive MAE, as forecast::accuracy does)
# and fit time are printed as JSON lines, and each series is written to OUT_DIR/<name>.csv for Astralytiq's side.
# Usage: Rscript r_forecast.R OUT_DIR
suppressMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
out <- args[1]
series <- list(AirPassengers = AirPassengers, co2 = co2, nottem = nottem, UKgas = UKgas, USAccDeaths = USAccDeaths,
               ldeaths = ldeaths, JohnsonJohnson = JohnsonJohnson, Nile = Nile, lynx = lynx, LakeHuron = LakeHuron)
dates <- function(y) {
  f <- frequency(y); t <- time(y)
  year <- floor(round(t, 6)); step <- round((t - year) * f)
  if (f == 12) sprintf("%d-%02d-01", year, step + 1) else if (f == 4) sprintf("%d-%02d-01", year, step * 3 + 1) else sprintf("%d-01-01", year)
}
for (name in names(series)) {
  y <- series[[name]]
  f <- frequency(y)
  h <- if (f > 1) f else 10
  write.csv(data.frame(time = dates(y), value = as.numeric(y)), file.path(out, paste0(name, ".csv")), row.names = FALSE, quote = FALSE)
  n <- length(y)
  train <- window(y, end = time(y)[n - h])
  test <- as.numeric(window(y, start = time(y)[n - h + 1]))
  for (method in c("ets", "auto.arima")) {
    start <- Sys.time()
    model <- if (method == "ets") ets(train) else auto.arima(train)
    seconds <- as.numeric(difftime(Sys.time(), start, units = "secs"))
    fc <- forecast(model, h = h, level = 90)
    acc <- accuracy(fc, test)
    inside <- mean(test >= as.numeric(fc$lower) & test <= as.numeric(fc$upper))
    cat(sprintf('{"side":"R","series":"%s","method":"%s","h":%d,"m":%d,"mase":%.6f,"coverage":%.4f,"seconds":%.4f}\n',
                name, method, h, f, acc["Test set", "MASE"], inside, seconds))
  }
}
