-- The ECS instance metadata service, at its real paths:
--   PUT /latest/api/token  (X-aliyun-ecs-metadata-token-ttl-seconds: 1..21600) -> a token
--   GET /latest/meta-data/ram/security-credentials/        -> the role name (404: none)
--   GET /latest/meta-data/ram/security-credentials/<role>  -> the role's temporary key (JSON)
-- A GET with X-aliyun-ecs-metadata-token must carry a valid token; one
-- without is refused (403) when imds_token_required is set. The key is the
-- same until a third of its life is left (credential_settings.rotating).

local settings = require "emulator.common.credential_settings"
local temp_keys = require "emulator.common.temp_keys"
local fault    = require "emulator.common.platform_fault"

local M = {}

local tokens, counters

function M.reset()
  tokens = {}
  counters = { imds_tokens = 0, imds_role_listings = 0, imds_credentials = 0, imds_tokenless = 0 }
end
M.reset()
function M.counts() return counters end

local function text(status, body)
  ngx.status = status
  ngx.header["Content-Type"] = "text/plain"
  ngx.print(body)
end

local function token()
  counters.imds_tokens = counters.imds_tokens + 1
  return text(settings.token(tokens, "x-aliyun-ecs-metadata-token-ttl-seconds", "emu-imds-"))
end

-- nil when the request may read metadata, else the answer already sent
local function refused()
  local tok = ngx.req.get_headers()["x-aliyun-ecs-metadata-token"]
  if tok == nil then
    counters.imds_tokenless = counters.imds_tokenless + 1
    if settings.get("imds_token_required") then return text(403, "a metadata token is required") or true end
    return nil
  end
  if not settings.valid(tokens, tok) then return text(401, "invalid or expired metadata token") or true end
  return nil
end

local function credentials(role)
  counters.imds_credentials = counters.imds_credentials + 1
  if not role or role ~= settings.get("imds_role") then return text(404, "Not Found") end
  local k = settings.rotating("imds", function(lifetime)
    return temp_keys.aliyun(lifetime, { role = role, session = "i-emulator", via = "imds" })
  end)
  ngx.header["Content-Type"] = "application/json"
  ngx.print(string.format('{"AccessKeyId":"%s","AccessKeySecret":"%s","Expiration":"%s","SecurityToken":"%s",' ..
                          '"LastUpdated":"%s","Code":"Success"}', k.id, k.secret, temp_keys.iso(k.expires), k.token,
                          temp_keys.iso(k.issued_at)))
end

local CREDS = "/latest/meta-data/ram/security-credentials/"

function M.handle(uri)
  local method = ngx.req.get_method()
  local is_token = uri == "/latest/api/token"
  local f = fault.take(is_token and "imds_token" or "imds_credentials", "imds")
  if is_token and f and (f.kind == "malformed" or f.kind == "code") then f = nil end
  if fault.answer(f) then return end
  if is_token then
    if method ~= "PUT" then return text(405, "Method Not Allowed") end
    return token()
  end
  if method ~= "GET" then return text(405, "Method Not Allowed") end
  if refused() then return end
  if uri == CREDS then
    counters.imds_role_listings = counters.imds_role_listings + 1
    local role = settings.get("imds_role")
    if not role then return text(404, "Not Found") end
    return text(200, role)
  end
  local role = uri:sub(1, #CREDS) == CREDS and uri:sub(#CREDS + 1) or nil
  if role then return credentials(role) end
  return text(404, "Not Found")
end

return M
