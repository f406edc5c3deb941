-- env: ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET and
-- ALIBABA_CLOUD_SECURITY_TOKEN (optional), read on every call.
local env = require "cloudapi.credentials.env"

local M = {}

M.VARS = { { "access_key_id", "ALIBABA_CLOUD_ACCESS_KEY_ID" },
           { "access_key_secret", "ALIBABA_CLOUD_ACCESS_KEY_SECRET" },
           { "security_token", "ALIBABA_CLOUD_SECURITY_TOKEN" } }

M.provider = env.new("aliyun env", M.VARS, 2)
M.provider.kind = "env"

return M
