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
-- How long resources stay Starting/Stopping/creating (reset: 1 s).
function M.lifecycle(seconds) return control("POST", "lifecycle", { seconds = seconds }) end
-- Container Service: {running_after = seconds, end_state = "running" | "failed"}
function M.cs(settings) return control("POST", "cs", settings) end
-- The switches of STS and the metadata services: {lifetime=, oidc_token=,
-- imds_role=, imds_token_required=}
function M.credentials(settings) return control("POST", "credentials", settings) end

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

-- Returns once the emulator has finished every logged request: one a
-- client gave up on may still be delayed there, and would act (issue a
-- token, count) during a later test. Polls with a generous deadline.
function M.settled()
  local give_up = core.monotonic() + 30
  repeat
    local busy = false
    for _, r in ipairs(M.requests()) do busy = busy or not r.done end
    if not busy then return end
    core.sleep(0.05)
  until core.monotonic() > give_up
  error("the emulator is still handling a request after 30 s")
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

-- What its STS knows.
M.ACCOUNT = "1234567890123456"
M.ROLE = "acs:ram::1234567890123456:role/demo-role"
M.OIDC_ROLE = "acs:ram::1234567890123456:role/oidc-role"
M.OIDC_PROVIDER = "acs:ram::1234567890123456:oidc-provider/ack-rrsa-demo"
M.OIDC_TOKEN = "emulator-oidc-token"
-- aliyun(new, opts) -> an Alibaba client (new: cloudapi.aliyun.new or
-- .roa) on the emulator, with the test key and cn-hangzhou unless opts
-- says otherwise.
function M.aliyun(new, opts)
  opts.endpoint = M.url
  opts.credentials = opts.credentials or M.KEYS.test
  opts.region = opts.region or "cn-hangzhou"
  return new(opts)
end

-- Project ids the emulator knows.
M.PROJECTS = { ["cn-north-4"] = "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
               ["ap-southeast-1"] = "1b2c3d4e5f60718293a4b5c6d7e8f90a" }

return M
