-- Sending an Alibaba answer (RPC and ROA alike): the status, its
-- Content-Type and x-acs-request-id, extra headers, and the body, or half
-- of it under a truncate fault; a stall fault waits first.

local faults = require "emulator.common.faults"
local reqlog = require "emulator.common.reqlog"

local M = {}

-- send(ctx, status, body, ctype, headers): ctx.fault, ctx.request_id
function M.send(ctx, status, body, ctype, headers)
  faults.before_send(ctx.fault) -- a stall fault waits here, after the work is done
  ngx.status = status
  ngx.header["Content-Type"] = ctype
  ngx.header["x-acs-request-id"] = ctx.request_id
  for k, v in pairs(headers or {}) do ngx.header[k] = v end
  reqlog.sent_status(status)
  if ctx.fault and ctx.fault.kind == "truncate" then
    return faults.send_truncated(status, ctype, ctx.request_id, body)
  end
  ngx.header["Content-Length"] = #body
  ngx.print(body)
end

return M
