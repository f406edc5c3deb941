-- The temporary access keys the emulator issued (STS, the instance
-- metadata, the credentials URI): every RPC product accepts one with its
-- SecurityToken until it expires (then InvalidSecurityToken.Expired,
-- checked by rpc.lua). accounts.lua looks unknown AccessKeyIds up here.

local M = {}

local keys, issued

function M.reset()
  keys, issued = {}, 0
end
M.reset()

local function hex(n)
  local t = {}
  for i = 1, n do t[i] = string.format("%x", math.random(0, 15)) end
  return table.concat(t)
end

-- issue(lifetime, info) -> key { id, secret, token, expires, issued_at,
-- role_arn, session, via }
function M.issue(lifetime, info)
  issued = issued + 1
  local now = ngx.now()
  local k = { id = string.format("STS.EMU%04d%s", issued, hex(12)), secret = hex(32),
              token = "CAIS" .. hex(48), issued_at = now, expires = math.floor(now) + lifetime }
  for f, v in pairs(info or {}) do k[f] = v end
  keys[k.id] = k
  return k
end

function M.get(id) return keys[id] end

-- "2026-11-23T10:00:00Z"
function M.iso(t) return os.date("!%Y-%m-%dT%H:%M:%SZ", math.floor(t)) end

function M.counts()
  local active, now = 0, ngx.now()
  for _, k in pairs(keys) do if now < k.expires then active = active + 1 end end
  return { sts_keys_issued = issued, sts_keys_active = active }
end

return M
