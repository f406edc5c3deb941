-- What an Alibaba Cloud credential is: its fields, and the environment
-- variables the default provider reads.
local M = {}

M.ENV = {
  "ALIBABA_CLOUD_ACCESS_KEY_ID",
  access_key_id = "ALIBABA_CLOUD_ACCESS_KEY_ID",
  access_key_secret = "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
  security_token = "ALIBABA_CLOUD_SECURITY_TOKEN",
}

-- Constant lists: credentials.fetch checks a static table once per list.
M.FIELDS = { required = { "access_key_id", "access_key_secret" }, optional = { "security_token" },
             secrets = { "access_key_secret", "security_token" } }

return M
