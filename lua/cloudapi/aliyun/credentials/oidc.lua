-- oidc{role_arn=, provider_arn=, token_file=, session_name=, duration=,
-- policy=, endpoint=, sts_region=, timeout=, retry=, transport=, tls=,
-- clock=, shared_dict=}: STS AssumeRoleWithOIDC (unsigned), as in ACK
-- RRSA. What is not given comes from ALIBABA_CLOUD_ROLE_ARN,
-- ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE, read
-- at the first refresh; the token file is read again at every refresh
-- (the platform rotates it). Cached and refreshed (credentials/cache.lua).
local cache = require "cloudapi.credentials.cache"
local files = require "cloudapi.credentials.files"
local credentials = require "cloudapi.credentials"
local options = require "cloudapi.options"
local sts = require "cloudapi.aliyun.credentials.sts"

local M = {}

local argcheck = options.checker("cloudapi.credentials.aliyun.oidc")

M.ENV = { role_arn = "ALIBABA_CLOUD_ROLE_ARN", provider_arn = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
          token_file = "ALIBABA_CLOUD_OIDC_TOKEN_FILE" }
local ORDER = { "role_arn", "provider_arn", "token_file" }

-- configured() -> true | nil, what is missing (names of variables)
function M.configured(opts)
  local missing = {}
  for _, k in ipairs(ORDER) do
    local v = opts and opts[k] or os.getenv(M.ENV[k])
    if v == nil or v == "" then missing[#missing + 1] = M.ENV[k] end
  end
  if #missing == 0 then return true end
  return nil, table.concat(missing, ", ") .. (#missing == 1 and " is" or " are") .. " not set"
end

local Source = {}
Source.__index = Source

-- resolved(o) -> the role, provider and token file, from the options or the
-- environment | nil, err
local function resolved(o)
  local ok, why = M.configured(o)
  if not ok then return nil, credentials.error(why) end
  local v = {}
  for _, k in ipairs(ORDER) do v[k] = o[k] or os.getenv(M.ENV[k]) end
  return v
end

function Source:fetch(ctx)
  local o = self.opts
  local v, err = resolved(o)
  if not v then return nil, err end
  local token
  token, err = files.read(v.token_file, not self.warned and ctx, "aliyun oidc")
  self.warned = true
  if not token then return nil, err end
  token = token:match("^%s*(.-)%s*$")
  if token == "" then return nil, credentials.error("the OIDC token file " .. v.token_file .. " is empty") end
  return sts.assume_role_with_oidc(self, ctx, {
    RoleArn = v.role_arn, OIDCProviderArn = v.provider_arn, OIDCToken = token,
    RoleSessionName = sts.session_name(self), DurationSeconds = o.duration or 3600, Policy = o.policy,
  })
end

-- shared_key() -> the role, provider and token file it would use (from
-- the options or the environment) and the request's options
-- (credentials/shared.lua) | nil, err
function Source:shared_key()
  local v, err = resolved(self.opts)
  if not v then return nil, err end
  return v.role_arn .. "\0" .. v.provider_arn .. "\0" .. v.token_file .. "\0" .. sts.shared_key(self.opts)
end

function M.new(opts)
  opts = opts or {}
  argcheck(type(opts) == "table", "expected a table of options")
  for _, k in ipairs(ORDER) do
    argcheck(opts[k] == nil or (type(opts[k]) == "string" and opts[k] ~= ""), k .. " must be a non-empty string")
  end
  sts.check(opts, argcheck)
  local source = setmetatable({ opts = opts }, Source)
  local p = cache.new(source, { name = "aliyun oidc", clock = opts.clock, shared_dict = opts.shared_dict,
                                key = "aliyun oidc\0" .. tostring(opts.role_arn) .. "\0" .. tostring(opts.endpoint) })
  p.kind = "oidc"
  return p
end

return M
