-- The answers two faults make up instead of the API's (faults.lua):
--   echo  an error that quotes the whole request back (request line,
--         headers, body), as some gateways and proxies do: the client must
--         show none of the secrets it carries
--   raw   any status, Content-Type and body, verbatim (an HTML page with
--         status 200, XML where JSON was asked for, a nested bomb, ...)
local reqlog = require "emulator.common.reqlog"

local M = {}

-- The request as it arrived: request line and headers, then the body.
function M.request_text()
  ngx.req.read_body()
  local body = ngx.req.get_body_data()
  if not body then
    local path = ngx.req.get_body_file()
    local f = path and io.open(path, "rb")
    if f then body = f:read("*a"); f:close() end
  end
  return ngx.req.raw_header() .. (body or "")
end

-- Sends status, Content-Type and body as given (extra headers too), ends
-- the request.
function M.send(status, ctype, body, headers, id_header, request_id)
  reqlog.sent_status(status)
  ngx.status = status
  if ctype then ngx.header["Content-Type"] = ctype end
  if id_header then ngx.header[id_header] = request_id end
  for k, v in pairs(headers or {}) do ngx.header[k] = v end
  ngx.header["Content-Length"] = #body
  ngx.print(body)
  return ngx.exit(status)
end

return M
