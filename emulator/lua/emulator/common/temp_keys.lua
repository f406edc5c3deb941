-- The temporary keys the emulator issued, both clouds (STS and the
-- Alibaba instance metadata and credentials URI: AccessKeyId/secret/
-- SecurityToken; the Huawei metadata securitykey: AK/SK/security token).
-- They work until they expire: rpc.lua answers InvalidSecurityToken.Expired,
-- huawei/auth.lua APIGW.0301. aliyun/accounts.lua and huawei/iam.lua look
-- unknown keys up here.

local M = {}

local keys, issued

function M.reset()
  keys, issued = {}, 0
end
M.reset()

-- hex(n [, "%X"]) -> n random hex digits
function M.hex(n, fmt)
  local t = {}
  for i = 1, n do t[i] = string.format(fmt or "%x", math.random(0, 15)) end
  return table.concat(t)
end

local function keep(id, k, lifetime)
  issued = issued + 1
  k.issued_at = ngx.now()
  k.expires = math.floor(k.issued_at) + lifetime
  keys[id] = k
  return k
end

-- aliyun(lifetime, {role=, session=, via=}) -> { id, secret, token, expires, ... }
function M.aliyun(lifetime, info)
  local k = { id = string.format("STS.EMU%04d%s", issued + 1, M.hex(12)), secret = M.hex(32),
              token = "CAIS" .. M.hex(48) }
  for f, v in pairs(info or {}) do k[f] = v end
  return keep(k.id, k, lifetime)
end

-- huawei(lifetime, domain) -> { ak, sk, security_token, expires, domain }
function M.huawei(lifetime, domain)
  local k = { ak = string.format("HWTMP%04d%s", issued + 1, M.hex(12, "%X")), sk = M.hex(40, "%X"),
              security_token = "gQpzbmd" .. M.hex(60, "%X"), domain = domain }
  return keep(k.ak, k, lifetime)
end

function M.get(id) return keys[id] end

-- "2026-11-23T10:00:00Z"
function M.iso(t) return os.date("!%Y-%m-%dT%H:%M:%SZ", math.floor(t)) end

function M.counts()
  local active, now = 0, ngx.now()
  for _, k in pairs(keys) do if now < k.expires then active = active + 1 end end
  return { temp_keys_issued = issued, temp_keys_active = active }
end

return M
