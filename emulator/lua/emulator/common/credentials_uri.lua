-- A credentials URI service (ALIBABA_CLOUD_CREDENTIALS_URI): GET
-- /credentials -> {"Code":"Success","AccessKeyId","AccessKeySecret",
-- "SecurityToken","Expiration"}, a temporary key every RPC product accepts,
-- the same until a third of its life is left.

local settings = require "emulator.common.credential_settings"
local temp_keys = require "emulator.common.temp_keys"
local fault    = require "emulator.common.platform_fault"

local M = {}

local served
function M.reset() served = 0 end
M.reset()
function M.counts() return { uri_requests = served } end

function M.handle()
  served = served + 1
  if fault.answer(fault.take("uri", "uri")) then return end
  ngx.header["Content-Type"] = "application/json"
  if ngx.req.get_method() ~= "GET" then
    ngx.status = 405
    return ngx.print('{"Code":"MethodNotAllowed"}')
  end
  local k = settings.rotating("uri", function(lifetime)
    return temp_keys.aliyun(lifetime, { role = "demo-role", session = "credentials-uri", via = "uri" })
  end)
  ngx.print(string.format('{"Code":"Success","AccessKeyId":"%s","AccessKeySecret":"%s","SecurityToken":"%s",' ..
                          '"Expiration":"%s"}', k.id, k.secret, k.token, temp_keys.iso(k.expires)))
end

return M
