-- env: HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK and
-- HUAWEICLOUD_SDK_SECURITY_TOKEN (optional), read on every call.
-- (HUAWEICLOUD_SDK_PROJECT_ID and _DOMAIN_ID are the client's options.)
local env = require "cloudapi.credentials.env"

local M = {}

M.VARS = { { "ak", "HUAWEICLOUD_SDK_AK" }, { "sk", "HUAWEICLOUD_SDK_SK" },
           { "security_token", "HUAWEICLOUD_SDK_SECURITY_TOKEN" } }

M.provider = env.new("huaweicloud env", M.VARS, 2)
M.provider.kind = "env"

return M
