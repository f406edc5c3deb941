-- What a Huawei Cloud credential is: AK/SK (optionally temporary, with a
-- security token) or an IAM user's password; and the providers,
-- cloudapi.credentials.huaweicloud.<name>, one file each, loaded on first
-- use: env, profile (~/.huaweicloud/credentials), profiles (the sections
-- of that file), metadata (an ECS agency's temporary AK/SK), chain,
-- default (the default chain).
local M = {}

-- Constant lists: a client checks a stable credential once per list.
M.AKSK = { required = { "ak", "sk" }, optional = { "security_token" }, secrets = { "sk", "security_token" } }
M.TOKEN = { required = { "username", "password", "domain" }, optional = { "project" }, secrets = { "password" } }

local EXPORTS = {
  env = { "env", "provider" }, profile = { "profile", "new" }, profiles = { "profile", "list" },
  metadata = { "metadata", "new" },
  chain = { "chain", "new" }, default = { "chain", "default" },
}

return require("cloudapi.credentials").namespace(M, "cloudapi.huaweicloud.credentials.", EXPORTS)
