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

M.new = chain.constructor{ name = "huaweicloud chain", cloud = "Huawei Cloud", hint = HINT }

local argcheck = options.checker("cloudapi.credentials.huaweicloud.default")

function M.default(opts)
  opts = chain.options(opts, { "profile", "metadata" }, argcheck)
  local creds = require "cloudapi.huaweicloud.credentials"
  return chain.new({
    creds.env,
    creds.profile(opts.profile),
    { name = "metadata", provider = creds.metadata(opts.metadata),
      skip = chain.unless("HUAWEICLOUD_SDK_METADATA_DISABLED") },
  }, { name = "huaweicloud default chain", cloud = "Huawei Cloud", hint = HINT })
end

return M
