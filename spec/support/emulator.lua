-- Test access to the emulator started by spec/run: its URL and its
-- unsigned control endpoints (stats, reset, faults).
local core = require "cloudapi.core"
local json = require "cloudapi.json"

local M = {}

M.url = os.getenv("CLOUDAPI_EMULATOR_URL")
assert(M.url, "CLOUDAPI_EMULATOR_URL is not set: run the suite through spec/run")

local session = core.http_session()

local function control(method, path, body)
  local status, _, resp = session:request{
    method = method, url = M.url .. "/__emulator/" .. path,
    headers = body and { ["Content-Type"] = "application/json" } or nil,
    body = body and json.encode(body) or nil, timeout = 10,
  }
  assert(status, "emulator control request failed: " .. tostring(resp))
  assert(status < 300, "emulator control " .. path .. " answered " .. tostring(status) .. ": " .. tostring(resp))
  return resp ~= "" and json.decode(resp) or nil
end

function M.stats() return control("GET", "stats") end
function M.reset() return control("POST", "reset", {}) end
function M.fault(f) return control("POST", "faults", f) end
function M.iam(settings) return control("POST", "iam", settings) end

-- The emulator's log of API requests since the last reset, oldest first;
-- with a filter, only entries whose fields equal the filter's.
function M.requests(filter)
  local all = control("GET", "requests").requests
  for _, r in ipairs(all) do -- JSON null -> nil
    for k, v in pairs(r) do if v == json.null then r[k] = nil end end
  end
  if not filter then return all end
  local out = {}
  for _, r in ipairs(all) do
    local keep = true
    for k, v in pairs(filter) do if r[k] ~= v then keep = false end end
    if keep then out[#out + 1] = r end
  end
  return out
end

-- Keys the emulator knows.
M.KEYS = {
  test = { access_key_id = "testid", access_key_secret = "testsecret" },
  demo = { access_key_id = "demo-ak", access_key_secret = "demo-secret" },
  sts = { access_key_id = "sts-ak", access_key_secret = "sts-secret", security_token = "sts-token" },
  hw = { ak = "hw-ak", sk = "hw-sk" },
  hw_sts = { ak = "hw-sts-ak", sk = "hw-sts-sk", security_token = "hw-sts-token" },
  hw_user = { username = "demo-user", password = "demo-password", domain = "demo-domain" },
}

-- Project ids the emulator knows.
M.PROJECTS = { ["cn-north-4"] = "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
               ["ap-southeast-1"] = "1b2c3d4e5f60718293a4b5c6d7e8f90a" }

return M
