-- wrk script for bench/run: one request per call with a fresh random
-- number in it.
--
--   wrk ... -s bench/random.lua URL -- METHOD PATH LO HI [BODY [HEADER...]]
--
-- Every "{r}" in PATH and BODY becomes a random integer in [LO, HI],
-- drawn anew for each request.  A BODY is sent as application/json; an
-- empty BODY sends none.  Each HEADER is "Name: value".

local method, path, lo, hi, body
local headers = {}

function init(args)
  method = args[1]
  path = args[2]
  lo = tonumber(args[3])
  hi = tonumber(args[4])
  body = args[5]
  if body == "" then
    body = nil
  end
  if body then
    headers["Content-Type"] = "application/json"
  end
  for i = 6, #args do
    local name, value = args[i]:match("^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  -- a different sequence in each run and each wrk thread
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))
end

function request()
  local r = tostring(math.random(lo, hi))
  local b = body and body:gsub("{r}", r) or nil
  return wrk.format(method, path:gsub("{r}", r), headers, b)
end
