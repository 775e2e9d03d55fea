-- wrk script: POST one row to the predict endpoint (token and model name from the environment).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = '{"row":{"rooms":3,"area":100.5,"city":"Oslo","noise":0.5}}'
wrk.path = "/api/v1/ml/models/" .. os.getenv("MODEL") .. "/predict"
