-- static{access_key_id=, access_key_secret=, security_token=}: fixed keys.
local credentials = require "cloudapi.credentials"

local M = {}

function M.new(opts)
  if type(opts) ~= "table" then error("cloudapi.credentials.aliyun.static: expected a table of keys", 2) end
  for _, f in ipairs({ "access_key_id", "access_key_secret" }) do
    if type(opts[f]) ~= "string" or opts[f] == "" then
      error("cloudapi.credentials.aliyun.static: " .. f .. " must be a non-empty string", 2)
    end
  end
  if opts.security_token ~= nil and type(opts.security_token) ~= "string" then
    error("cloudapi.credentials.aliyun.static: security_token must be a string", 2)
  end
  local p = credentials.static({ access_key_id = opts.access_key_id, access_key_secret = opts.access_key_secret,
                                 security_token = opts.security_token }, "aliyun static")
  p.kind = "static"
  return p
end

return M
