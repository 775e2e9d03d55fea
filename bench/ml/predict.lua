-- wrk script: POST one row to the predict endpoint of a model (MODEL) or, when DEPLOYMENT is set, of a deployment
-- (token from the environment).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = '{"row":{"rooms":3,"area":100.5,"city":"Oslo","noise":0.5}}'
if os.getenv("DEPLOYMENT") then
  wrk.path = "/api/v1/ml/deployments/" .. os.getenv("DEPLOYMENT") .. "/predict"
else
  wrk.path = "/api/v1/ml/models/" .. os.getenv("MODEL") .. "/predict"
end
