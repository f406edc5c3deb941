-- What an Alibaba Cloud credential is (its fields), and the providers,
-- cloudapi.credentials.aliyun.<name>, one file each, loaded on first use:
-- static, env, profile (aliyun-cli's config.json), ini (the shared
-- ~/.alibabacloud/credentials), ecs_ram_role, assume_role, oidc, uri,
-- chain, default (the default chain), profiles (the profiles of a file),
-- ini_profiles (the sections of the credentials file).
local M = {}

-- Constant lists: a client checks a stable credential once per list.
M.FIELDS = { required = { "access_key_id", "access_key_secret" }, optional = { "security_token" },
             secrets = { "access_key_secret", "security_token" } }

-- from_answer(t, what) -> credential table | nil, err: the shape STS,
-- the instance metadata and a credentials URI answer with: AccessKeyId,
-- AccessKeySecret, SecurityToken, Expiration (ISO 8601 UTC).
function M.from_answer(t, what)
  local credentials = require "cloudapi.credentials"
  for _, f in ipairs({ "AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration" }) do
    if type(t[f]) ~= "string" or t[f] == "" then return nil, credentials.error(what .. " answered without " .. f) end
  end
  local exp = require("cloudapi.clock").parse_iso8601(t.Expiration)
  if not exp then return nil, credentials.error(what .. " answered an unreadable Expiration") end
  return { access_key_id = t.AccessKeyId, access_key_secret = t.AccessKeySecret,
           security_token = t.SecurityToken, expiration = exp }
end

-- from_response(res, what, code) -> credential table | nil, err: a 200
-- JSON answer of that shape whose Code is Success (code = "required"), or
-- absent or Success (code = "optional").
function M.from_response(res, what, code)
  local http = require "cloudapi.credentials.http"
  local v, err = http.object(res, what)
  if not v then return nil, err end
  if (code == "required" or v.Code ~= nil) and v.Code ~= "Success" then
    return nil, require("cloudapi.credentials").error(what .. " answered Code " .. tostring(v.Code) .. ", not Success")
  end
  return M.from_answer(v, what)
end

-- name -> { module, function }
local EXPORTS = {
  static = { "static", "new" }, env = { "env", "provider" }, profile = { "profile", "new" },
  profiles = { "profile", "list" }, ini = { "ini", "new" }, ini_profiles = { "ini", "list" },
  ecs_ram_role = { "ecs_ram_role", "new" },
  assume_role = { "assume_role", "new" }, oidc = { "oidc", "new" }, uri = { "uri", "new" },
  chain = { "chain", "new" }, default = { "chain", "default" },
}

return require("cloudapi.credentials").namespace(M, "cloudapi.aliyun.credentials.", EXPORTS)
