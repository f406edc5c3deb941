-- The temporary AK/SK the Huawei metadata securitykey issued: the gateway
-- accepts one with its X-Security-Token until it expires (auth.lua). iam.lua
-- looks unknown AKs up here.

local M = {}

local keys, issued

function M.reset()
  keys, issued = {}, 0
end
M.reset()

local function hex(n)
  local t = {}
  for i = 1, n do t[i] = string.format("%X", math.random(0, 15)) end
  return table.concat(t)
end

-- issue(lifetime, domain) -> { ak, sk, security_token, issued_at, expires, domain }
function M.issue(lifetime, domain)
  issued = issued + 1
  local now = ngx.now()
  local k = { ak = string.format("HWTMP%04d%s", issued, hex(12)), sk = hex(40), security_token = "gQpzbmd" .. hex(60),
              issued_at = now, expires = math.floor(now) + lifetime, domain = domain }
  keys[k.ak] = k
  return k
end

function M.get(ak) return keys[ak] end

function M.counts() return { huawei_temp_keys_issued = issued } end

return M
