-- chain{p1, p2, ...}: the first provider that answers, remembered; and
-- default{...}, the chain of a client created without credentials, in the
-- official SDK's order: env, profile, metadata (unless
-- HUAWEICLOUD_SDK_METADATA_DISABLED=true, cloudapi's own switch: the SDK
-- has none). default's options go to the providers of the same name:
-- default{profile = {file = ...}, metadata = {endpoint = ...}}.
local chain = require "cloudapi.credentials.chain"
local options = require "cloudapi.options"

local M = {}

local HINT = "pass credentials = {ak =, sk =} or a provider"

function M.new(list)
  if type(list) ~= "table" then error("cloudapi.credentials.huaweicloud.chain: expected a list of providers", 2) end
  return chain.new(list, { name = "huaweicloud chain", cloud = "Huawei Cloud", hint = HINT })
end

local argcheck = options.checker("cloudapi.credentials.huaweicloud.default")

function M.default(opts)
  opts = opts or {}
  argcheck(type(opts) == "table", "expected a table of options")
  for _, k in ipairs({ "profile", "metadata" }) do
    argcheck(opts[k] == nil or type(opts[k]) == "table", k .. " must be a table of that provider's options")
  end
  local creds = require "cloudapi.huaweicloud.credentials"
  return chain.new({
    creds.env,
    creds.profile(opts.profile),
    { name = "metadata", provider = creds.metadata(opts.metadata), skip = function()
      local v = os.getenv("HUAWEICLOUD_SDK_METADATA_DISABLED")
      return v ~= nil and v:lower() == "true" and "HUAWEICLOUD_SDK_METADATA_DISABLED=true" or nil
    end },
  }, { name = "huaweicloud default chain", cloud = "Huawei Cloud", hint = HINT })
end

return M
