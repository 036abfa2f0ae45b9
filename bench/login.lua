-- POST /login with the benchmark user's credentials.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username": "alice", "password": "correct horse battery staple"}'
