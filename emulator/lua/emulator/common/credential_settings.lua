-- The switches of the platform services that issue temporary keys (STS,
-- the Alibaba instance metadata, the Huawei metadata securitykey, the
-- credentials URI), set with POST /__emulator/credentials:
--   lifetime             seconds a temporary key lives (default: STS's
--                        DurationSeconds, else 3600)
--   oidc_token           the token AssumeRoleWithOIDC accepts
--   imds_role            the RAM role attached to the "instance" (false: none)
--   imds_token_required  refuse token-less metadata access (IMDSv2 only)
local cjson = require "cjson.safe"

local M = {}

M.DEFAULTS = { lifetime = false, oidc_token = "emulator-oidc-token", imds_role = "EcsDemoRole",
               imds_token_required = false }

local settings, current

function M.reset()
  settings, current = {}, {}
  for k, v in pairs(M.DEFAULTS) do settings[k] = v end
end
M.reset()

-- token(tokens, header, prefix) -> status, body: a metadata service's
-- answer to a token PUT whose TTL (1..21600 s) is in request header
-- `header`; the token is kept in tokens[token] = expiry.
function M.token(tokens, header, prefix)
  local ttl = tonumber(ngx.req.get_headers()[header])
  if not ttl or ttl % 1 ~= 0 or ttl < 1 or ttl > 21600 then return 400, header .. " must be 1..21600" end
  local tok = prefix .. require("emulator.common.temp_keys").hex(40)
  tokens[tok] = ngx.now() + ttl
  return 200, tok
end

-- valid(tokens, tok) -> whether tok is a token still valid
function M.valid(tokens, tok)
  return type(tok) == "string" and tokens[tok] ~= nil and ngx.now() < tokens[tok]
end

-- rotating(slot, issue) -> the key a service hands out now: the same one
-- until a third of its life is left (as a metadata service rotates), then
-- issue(lifetime) makes the next.
function M.rotating(slot, issue)
  local k, now = current[slot], ngx.now()
  if k and (k.expires - now) * 3 > (k.expires - k.issued_at) then return k end
  k = issue(M.lifetime())
  current[slot] = k
  return k
end

function M.get(k) return settings[k] end

-- lifetime(requested) -> seconds a key issued now lives
function M.lifetime(requested)
  return settings.lifetime or requested or 3600
end

local CHECKS = {
  lifetime = function(v) return v == false or (type(v) == "number" and v >= 1 and v <= 43200) end,
  oidc_token = function(v) return type(v) == "string" and v ~= "" end,
  imds_role = function(v) return v == false or (type(v) == "string" and v:match("^[%w%.%-_]+$") ~= nil) end,
  imds_token_required = function(v) return type(v) == "boolean" end,
}

local function reply(status, t)
  ngx.status = status
  ngx.header["Content-Type"] = "application/json;charset=utf-8"
  ngx.print(cjson.encode(t))
end

function M.control(method)
  if method == "POST" then
    ngx.req.read_body()
    local spec = cjson.decode(ngx.req.get_body_data() or "")
    if type(spec) ~= "table" then
      return reply(400, { Code = "InvalidCredentialsControl",
                          Message = 'body must be a JSON object like {"lifetime":60}' })
    end
    for k, v in pairs(spec) do
      if not CHECKS[k] then
        return reply(400, { Code = "InvalidCredentialsControl", Message = "unknown field " .. tostring(k) ..
                            " (lifetime, oidc_token, imds_role, imds_token_required)" })
      end
      if not CHECKS[k](v) then
        return reply(400, { Code = "InvalidCredentialsControl", Message = "bad value for " .. k })
      end
    end
    for k, v in pairs(spec) do settings[k] = v end
  end
  local out = {}
  for k, v in pairs(settings) do out[k] = v end
  return reply(200, out)
end

return M
