-- Spends a different refresh token on every request: each one can be spent only once.
-- TOKENS names a file of tokens; each of the THREADS wrk threads takes every Nth line.
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  local threads = tonumber(os.getenv("THREADS"))
  tokens = {}
  local n = 0
  for line in io.lines(os.getenv("TOKENS")) do
    if n % threads == id then table.insert(tokens, line) end
    n = n + 1
  end
  i = 0
end

function request()
  i = i + 1
  local token = tokens[((i - 1) % #tokens) + 1]
  return wrk.format("POST", "/refresh", {["Authorization"] = "Bearer " .. token})
end
