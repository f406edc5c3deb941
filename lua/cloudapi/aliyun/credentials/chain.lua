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

M.new = chain.constructor{ name = "aliyun chain", cloud = "Alibaba Cloud", hint = HINT }

local argcheck = options.checker("cloudapi.credentials.aliyun.default")

function M.default(opts)
  opts = chain.options(opts, { "oidc", "profile", "ini", "ecs_ram_role", "uri" }, argcheck)
  local creds = require "cloudapi.aliyun.credentials"
  local oidc = require "cloudapi.aliyun.credentials.oidc"
  return chain.new({
    creds.env,
    { name = "oidc", provider = creds.oidc(opts.oidc), skip = function()
      local ok, why = oidc.configured(opts.oidc)
      return not ok and why or nil
    end },
    { name = "profile", provider = creds.profile(opts.profile),
      skip = chain.unless("ALIBABA_CLOUD_CLI_PROFILE_DISABLED") },
    creds.ini(opts.ini),
    { name = "ecs_ram_role", provider = creds.ecs_ram_role(opts.ecs_ram_role),
      skip = chain.unless("ALIBABA_CLOUD_ECS_METADATA_DISABLED") },
    { name = "uri", provider = creds.uri(opts.uri), skip = function()
      local v = os.getenv("ALIBABA_CLOUD_CREDENTIALS_URI")
      return (v == nil or v == "") and "ALIBABA_CLOUD_CREDENTIALS_URI is not set" or nil
    end },
  }, { name = "aliyun default chain", cloud = "Alibaba Cloud", hint = HINT })
end

return M
