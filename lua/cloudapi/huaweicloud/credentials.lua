-- What a Huawei Cloud credential is: AK/SK (optionally temporary) or an
-- IAM user's password, and the environment variables the default
-- provider reads.
local M = {}

M.ENV = {
  "HUAWEICLOUD_SDK_AK",
  ak = "HUAWEICLOUD_SDK_AK",
  sk = "HUAWEICLOUD_SDK_SK",
  security_token = "HUAWEICLOUD_SDK_SECURITY_TOKEN",
}

-- Constant lists: credentials.fetch checks a static table once per list.
M.AKSK = { required = { "ak", "sk" }, optional = { "security_token" }, secrets = { "sk", "security_token" } }
M.TOKEN = { required = { "username", "password", "domain" }, optional = { "project" }, secrets = { "password" } }

return M
