-- The Huawei ECS metadata service's agency credentials, at their real paths:
--   PUT /meta-data/latest/api/token  (X-Metadata-Token-Ttl-Seconds: 1..21600) -> a token
--   GET /openstack/latest/securitykey (X-Metadata-Token) ->
--       {"credential":{"access","secret","securitytoken","expires_at"}}
-- A GET without a token is refused (401) when imds_token_required is set;
-- with imds_role false the instance has no agency (404). The key is the
-- same until a third of its life is left (credential_settings.rotating).

local settings  = require "emulator.common.credential_settings"
local temp_keys = require "emulator.common.temp_keys"
local hw_iam    = require "emulator.huawei.iam"
local fault     = require "emulator.common.platform_fault"

local M = {}

local tokens, counters

function M.reset()
  tokens = {}
  counters = { metadata_tokens = 0, metadata_securitykeys = 0 }
end
M.reset()
function M.counts() return counters end

local function send(status, body, ctype)
  ngx.status = status
  ngx.header["Content-Type"] = ctype or "application/json"
  ngx.print(body)
end

local function token()
  counters.metadata_tokens = counters.metadata_tokens + 1
  local status, body = settings.token(tokens, "x-metadata-token-ttl-seconds", "emu-meta-")
  return send(status, body, "text/plain")
end

local function securitykey()
  counters.metadata_securitykeys = counters.metadata_securitykeys + 1
  local tok = ngx.req.get_headers()["x-metadata-token"]
  if tok == nil and settings.get("imds_token_required") then
    return send(401, '{"message":"metadata token required"}')
  end
  if tok ~= nil and not settings.valid(tokens, tok) then
    return send(401, '{"message":"invalid metadata token"}')
  end
  if not settings.get("imds_role") then
    return send(404, '{"message":"Please configure Cloud Service Agency first"}')
  end
  local k = settings.rotating("huawei", function(lifetime) return temp_keys.huawei(lifetime, hw_iam.DOMAIN) end)
  return send(200, string.format('{"credential":{"access":"%s","secret":"%s","securitytoken":"%s",' ..
                                 '"expires_at":"%s.000000Z"}}', k.ak, k.sk, k.security_token,
                                 os.date("!%Y-%m-%dT%H:%M:%S", k.expires)))
end

function M.handle(uri)
  local method = ngx.req.get_method()
  local is_token = uri == "/meta-data/latest/api/token"
  local f = fault.take(is_token and "metadata_token" or "metadata_securitykey", "metadata")
  if is_token and f and (f.kind == "malformed" or f.kind == "code") then f = nil end
  if fault.answer(f, '{"credential":{"access":""}}') then return end
  if is_token then
    if method ~= "PUT" then return send(405, "Method Not Allowed", "text/plain") end
    return token()
  end
  if uri == "/openstack/latest/securitykey" and method == "GET" then return securitykey() end
  return send(404, '{"message":"Not Found"}')
end

return M
