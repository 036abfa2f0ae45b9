-- Login, then logout with the token it gave, CYCLES times per thread in all.
local body = '{"username": "alice", "password": "correct horse battery staple"}'
local cycles = tonumber(os.getenv("CYCLES"))

function init(args) done, token, threads = 0, nil, tonumber(os.getenv("THREADS")) end

function request()
  if token then
    return wrk.format("POST", "/logout", {["Authorization"] = "Bearer " .. token})
  end
  return wrk.format("POST", "/login", {["Content-Type"] = "application/json"}, body)
end

function response(status, headers, response_body)
  if token then
    token = nil
    done = done + 1
    if done >= cycles / threads then wrk.thread:stop() end
  else
    token = string.match(response_body, '"access_token":"([^"]+)"')
  end
end
