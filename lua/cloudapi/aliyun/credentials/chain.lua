-- chain{p1, p2, ...}: the first provider that answers, remembered; and
-- default{...}, the chain of a client created without credentials, in the
-- order of the official libraries: env; oidc (when its three variables are
-- set); the aliyun-cli profile (unless ALIBABA_CLOUD_CLI_PROFILE_DISABLED=
-- true); the shared INI file; the ECS RAM role (unless
-- ALIBABA_CLOUD_ECS_METADATA_DISABLED=true); the credentials URI (when
-- ALIBABA_CLOUD_CREDENTIALS_URI is set). The variables are read at the
-- first call. default's options go to the providers of the same name:
-- default{ecs_ram_role = {endpoint = ...}, oidc = {...}, profile = {...},
-- ini = {...}, uri = {...}}.
local chain = require "cloudapi.credentials.chain"
local options = require "cloudapi.options"

local M = {}

local HINT = "pass credentials = {access_key_id =, access_key_secret =} or a provider"

function M.new(list)
  if type(list) ~= "table" then error("cloudapi.credentials.aliyun.chain: expected a list of providers", 2) end
  return chain.new(list, { name = "aliyun chain", cloud = "Alibaba Cloud", hint = HINT })
end

local function is_true(var)
  local v = os.getenv(var)
  return v ~= nil and v:lower() == "true"
end

local argcheck = options.checker("cloudapi.credentials.aliyun.default")

function M.default(opts)
  opts = opts or {}
  argcheck(type(opts) == "table", "expected a table of options")
  for _, k in ipairs({ "oidc", "profile", "ini", "ecs_ram_role", "uri" }) do
    argcheck(opts[k] == nil or type(opts[k]) == "table", k .. " must be a table of that provider's options")
  end
  local creds = require "cloudapi.aliyun.credentials"
  local oidc = require "cloudapi.aliyun.credentials.oidc"
  return chain.new({
    creds.env,
    { name = "oidc", provider = creds.oidc(opts.oidc), skip = function()
      local ok, why = oidc.configured(opts.oidc)
      return not ok and why or nil
    end },
    { name = "profile", provider = creds.profile(opts.profile), skip = function()
      return is_true("ALIBABA_CLOUD_CLI_PROFILE_DISABLED") and "ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true" or nil
    end },
    creds.ini(opts.ini),
    { name = "ecs_ram_role", provider = creds.ecs_ram_role(opts.ecs_ram_role), skip = function()
      return is_true("ALIBABA_CLOUD_ECS_METADATA_DISABLED") and "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true" or nil
    end },
    { name = "uri", provider = creds.uri(opts.uri), skip = function()
      local v = os.getenv("ALIBABA_CLOUD_CREDENTIALS_URI")
      return (v == nil or v == "") and "ALIBABA_CLOUD_CREDENTIALS_URI is not set" or nil
    end },
  }, { name = "aliyun default chain", cloud = "Alibaba Cloud", hint = HINT })
end

return M
