-- Test-controlled fault injection: a queue of faults, each applied to the
-- next `count` API requests (control endpoints are never affected). With
-- "api":"rpc" or "api":"huawei" a fault only hits that API's requests
-- (default "any": Alibaba RPC and Huawei REST alike).
--   throttle  400 Throttling (RPC) / 429 APIGW.0308 (Huawei), as the real
--             gateways answer
--   error     any status/code/message (default 503 ServiceUnavailable)
--   delay     sleep `seconds` and then answer normally
--   reset     close the connection without any answer
--   truncate  answer normally but cut the body in half (Content-Length
--             still announces the full size) and close the connection

local M = {}

local KINDS = { throttle = true, error = true, delay = true, reset = true, truncate = true }
local APIS = { any = true, rpc = true, huawei = true }

local queue = {}

-- spec: { kind=..., count=N (default 1), api=any|rpc|huawei, status=, code=,
--         message=, seconds= }
function M.add(spec)
  if type(spec) ~= "table" or not KINDS[spec.kind] then
    return nil, "kind must be one of throttle, error, delay, reset, truncate"
  end
  local count = tonumber(spec.count or 1)
  if not count or count < 1 or count % 1 ~= 0 then return nil, "count must be a positive integer" end
  local api = spec.api or "any"
  if not APIS[api] then return nil, "api must be one of any, rpc, huawei" end
  local f = { kind = spec.kind, remaining = count, api = api }
  if spec.kind == "error" then
    f.status = tonumber(spec.status or 503)
    if not f.status or f.status < 400 or f.status > 599 then return nil, "status must be 400..599" end
    f.code = tostring(spec.code or (f.status >= 500 and "ServiceUnavailable" or "InvalidParameter"))
    f.message = tostring(spec.message or "The request has failed due to a temporary failure of the server.")
  elseif spec.kind == "delay" then
    f.seconds = tonumber(spec.seconds or 1)
    if not f.seconds or f.seconds < 0 or f.seconds > 60 then return nil, "seconds must be 0..60" end
  end
  queue[#queue + 1] = f
  return true
end

-- The fault for the current request of `api` ("rpc" or "huawei"): the
-- first queued fault aimed at that API, or nil.
function M.take(api)
  for i, f in ipairs(queue) do
    if f.api == "any" or f.api == (api or "rpc") then
      f.remaining = f.remaining - 1
      if f.remaining == 0 then table.remove(queue, i) end
      return f
    end
  end
  return nil
end

-- Applies the fault before the request is processed. Returns an error
-- table to answer with, or nil to carry on (delay, truncate).
function M.apply(f)
  if f.kind == "throttle" then
    return { status = 400, code = "Throttling", message = "Request was denied due to request throttling." }
  elseif f.kind == "error" then
    return { status = f.status, code = f.code, message = f.message }
  elseif f.kind == "delay" then
    ngx.sleep(f.seconds)
  elseif f.kind == "reset" then
    return ngx.exit(444) -- nginx closes the connection without a response
  end
  return nil
end

-- Writes a response whose body is cut short, then closes the connection.
-- Uses the raw downstream socket because nginx would otherwise refuse to
-- send fewer bytes than Content-Length and keep the connection open.
function M.send_truncated(status, ctype, request_id, body, id_header)
  local sock, err = ngx.req.socket(true)
  if not sock then
    ngx.log(ngx.ERR, "emulator: truncate fault: ", err)
    return ngx.exit(444)
  end
  sock:send(string.format(
    "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n%s: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
    status, status < 400 and "OK" or "Error", ctype, id_header or "x-acs-request-id", request_id, #body,
    body:sub(1, math.floor(#body / 2))))
  return ngx.exit(444)
end

function M.list()
  local out = {}
  for i, f in ipairs(queue) do out[i] = f end
  return out
end

function M.pending()
  local n = 0
  for _, f in ipairs(queue) do n = n + f.remaining end
  return n
end

function M.reset() queue = {} end

return M
