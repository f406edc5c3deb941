-- Faults of the platform services (the Alibaba instance metadata, the
-- Huawei metadata, the credentials URI): a fault queued with one of their
-- api names (faults.lua), the request's own first (e.g. imds_token), then
-- the service's (imds). Kinds: delay (then answer), error (status), reset,
-- truncate, malformed (200, not JSON), code (200, Code not Success).

local faults = require "emulator.common.faults"
local reqlog = require "emulator.common.reqlog"

local M = {}

-- take(specific, service) -> fault | nil
function M.take(specific, service)
  return faults.take(specific, false, true) or faults.take(service, false, true)
end

-- answer(f, json_ok) -> true when the fault answered the request itself
-- (or closed it); a delay sleeps and lets the request go on.
function M.answer(f, body_code)
  if not f then return false end
  if f.kind == "delay" or f.kind == "stall" then
    ngx.sleep(f.seconds)
    return false
  elseif f.kind == "reset" then
    reqlog.closed()
    ngx.exit(444)
    return true
  end
  ngx.header["Content-Type"] = "application/json"
  local status, body = 200
  if f.kind == "error" or f.kind == "throttle" then
    status, body = f.status or 500, '{"Code":"' .. (f.code or "InternalError") .. '"}'
  elseif f.kind == "malformed" then
    body = '{"Code": "Success", "AccessKeyId": '
  elseif f.kind == "code" then
    body = body_code or '{"Code":"Failure","Message":"the instance is not ready"}'
  else -- truncate
    body = '{"Code":"Success","Message":"truncated"}'
    return faults.send_truncated(200, "application/json", "-", body, "X-Request-Id") or true
  end
  ngx.status = status
  reqlog.sent_status(status)
  ngx.print(body)
  return true
end

return M
