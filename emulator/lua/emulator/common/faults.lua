-- Test-controlled fault injection: a queue of faults, each applied to the
-- next `count` API requests (control endpoints are never affected). With
-- "api":"rpc", "roa" or "huawei" a fault only hits that API's requests
-- (default "any": Alibaba RPC and ROA and Huawei REST alike).
--   throttle  400 Throttling (RPC) / 429 APIGW.0308 (Huawei), as the real
--             gateways answer; optional retry_after_ms (RPC: header
--             x-acs-retry-after: <ms>) and retry_after (Huawei: header
--             Retry-After: <seconds>); optional headers {name: value}
--   error     any status/code/message (default 503 ServiceUnavailable);
--             optional headers {name: value} copied to the answer
--   delay     sleep `seconds` and then answer normally
--   stall     process the request completely (state change, ClientToken
--             record), then sleep `seconds` (0..60) before answering
--   reset     close the connection without any answer
--   truncate  answer normally but cut the body in half (Content-Length
--             still announces the full size) and close the connection
--   repeat_token  a list answers the token (NextToken / next_marker) the
--             request sent, as a looping server would
--   empty_page    a list answers no items, its total unchanged
-- The two paging faults hit only requests that continue a listing (a
-- token or marker, PageNumber > 1, offset > 0); other requests pass them by.
--   malformed (platform services) answer 200 with a body that is not JSON
--   code      (platform services) answer 200 with a JSON Code other than Success
--   echo      an error answer (default 400 EchoedRequest, the API's error
--             shape) whose message quotes the whole request: request
--             line, headers, body; "raw":true sends the quote as a
--             text/plain body instead (canned.lua)
--   raw       answer status (default 200), content_type and body verbatim

local stats  = require "emulator.common.stats"
local reqlog = require "emulator.common.reqlog"
local canned = require "emulator.common.canned"

local M = {}

local KINDS = { throttle = true, error = true, delay = true, stall = true, reset = true, truncate = true,
                repeat_token = true, empty_page = true, malformed = true, code = true, echo = true, raw = true }
local KIND_LIST = "throttle, error, delay, stall, reset, truncate, repeat_token, empty_page, malformed, code, " ..
                  "echo, raw"
local PAGING = { repeat_token = true, empty_page = true }
-- The platform services (instance metadata, credentials URI) take only
-- faults aimed at them by name, never "any" (see platform_fault).
local APIS = { any = true, rpc = true, huawei = true, roa = true, imds = true, imds_token = true,
               imds_credentials = true, metadata = true, metadata_token = true, metadata_securitykey = true,
               uri = true }
local API_LIST = "any, rpc, huawei, roa, imds, imds_token, imds_credentials, metadata, metadata_token, " ..
                 "metadata_securitykey, uri"

local queue = {}

-- Extra answer headers: an object of header name -> string or number.
local function check_headers(h)
  if h == nil then return nil end
  if type(h) ~= "table" then return nil, "headers must be an object of name: value" end
  local out = {}
  for k, v in pairs(h) do
    if type(k) ~= "string" or not k:match("^[!#$%%&'*+%-.^_`|~%w]+$") then
      return nil, "headers: invalid header name " .. tostring(k)
    end
    if type(v) == "number" then v = (v == math.floor(v)) and string.format("%d", v) or tostring(v) end
    if type(v) ~= "string" or v:find("[%c]") then
      return nil, "headers: the value of " .. k .. " must be a string or number without control characters"
    end
    out[k] = v
  end
  return out
end

local function nonneg_int(v, name)
  if v == nil then return nil end
  local n = tonumber(v)
  if not n or n < 0 or n % 1 ~= 0 or n > 86400000 then
    return nil, name .. " must be a non-negative integer"
  end
  return n
end

-- spec: { kind=..., count=N (default 1), api=any|rpc|huawei, status=, code=,
--         message=, seconds=, headers=, retry_after_ms=, retry_after= }
function M.add(spec)
  if type(spec) ~= "table" or not KINDS[spec.kind] then
    return nil, "kind must be one of " .. KIND_LIST
  end
  local count = tonumber(spec.count or 1)
  if not count or count < 1 or count % 1 ~= 0 then return nil, "count must be a positive integer" end
  local api = spec.api or "any"
  if not APIS[api] then return nil, "api must be one of " .. API_LIST end
  local f = { kind = spec.kind, remaining = count, api = api }
  if spec.kind == "error" then
    f.status = tonumber(spec.status or 503)
    if not f.status or f.status < 400 or f.status > 599 then return nil, "status must be 400..599" end
    f.code = tostring(spec.code or (f.status >= 500 and "ServiceUnavailable" or "InvalidParameter"))
    f.message = tostring(spec.message or "The request has failed due to a temporary failure of the server.")
  elseif spec.kind == "delay" or spec.kind == "stall" then
    f.seconds = tonumber(spec.seconds or 1)
    if not f.seconds or f.seconds < 0 or f.seconds > 60 then return nil, "seconds must be 0..60" end
  end
  if spec.kind == "echo" or spec.kind == "raw" then
    f.status = tonumber(spec.status or (spec.kind == "echo" and 400 or 200))
    if not f.status or f.status < 200 or f.status > 599 then return nil, "status must be 200..599" end
    f.code, f.raw = tostring(spec.code or "EchoedRequest"), spec.raw == true
    if spec.kind == "raw" then
      if type(spec.body) ~= "string" then return nil, "raw needs a body string" end
      if spec.content_type ~= nil and (type(spec.content_type) ~= "string" or spec.content_type:find("%c")) then
        return nil, "content_type must be a string"
      end
      f.body, f.content_type = spec.body, spec.content_type
    end
  end
  if spec.kind == "error" or spec.kind == "throttle" or spec.kind == "raw" then
    local h, herr = check_headers(spec.headers)
    if herr then return nil, herr end
    f.headers = h
  end
  if spec.kind == "throttle" then
    local err
    f.retry_after_ms, err = nonneg_int(spec.retry_after_ms, "retry_after_ms")
    if err then return nil, err end
    f.retry_after, err = nonneg_int(spec.retry_after, "retry_after")
    if err then return nil, err end
  end
  queue[#queue + 1] = f
  return true
end

-- The fault for the current request of `api` ("rpc" or "huawei"): the
-- first queued fault aimed at that API, or nil. continues: whether the
-- request continues a listing (the paging faults wait for one). exact:
-- only faults that name the API (not "any").
function M.take(api, continues, exact)
  for i, f in ipairs(queue) do
    if ((f.api == "any" and not exact) or f.api == (api or "rpc")) and (continues or not PAGING[f.kind]) then
      f.remaining = f.remaining - 1
      if f.remaining == 0 then table.remove(queue, i) end
      stats.fault(f.kind)
      reqlog.set({ fault = f.kind })
      return f
    end
  end
  return nil
end

-- Copy of a fault's extra headers (or a new table).
function M.headers(f)
  local h = {}
  for k, v in pairs(f.headers or {}) do h[k] = v end
  return h
end

-- Applies the fault before the request is processed. Returns an error
-- table to answer with (RPC shapes; huawei/gateway.lua makes its own throttle
-- answer), or nil to carry on (delay, stall, truncate).
function M.apply(f)
  if f.kind == "throttle" then
    local h = M.headers(f)
    if f.retry_after_ms then h["x-acs-retry-after"] = string.format("%d", f.retry_after_ms) end
    return { status = 400, code = "Throttling", message = "Request was denied due to request throttling.",
             headers = h }
  elseif f.kind == "error" then
    return { status = f.status, code = f.code, message = f.message, headers = M.headers(f) }
  elseif f.kind == "echo" then
    local text = canned.request_text()
    if f.raw then return canned.send(f.status, "text/plain", text, nil) end
    return { status = f.status, code = f.code, message = "The request was: " .. text, headers = M.headers(f) }
  elseif f.kind == "raw" then
    return canned.send(f.status, f.content_type, f.body, f.headers)
  elseif f.kind == "delay" then
    ngx.sleep(f.seconds)
  elseif f.kind == "reset" then
    reqlog.closed()
    return ngx.exit(444) -- nginx closes the connection without a response
  end
  return nil
end

-- Called just before the answer is sent: a stall fault sleeps now, after
-- the request has been processed completely. Non-blocking (other requests
-- are served meanwhile); the Date header is made after the sleep.
function M.before_send(f)
  if f and f.kind == "stall" then
    ngx.sleep(f.seconds)
  end
end

-- Writes a response whose body is cut short, then closes the connection.
-- Uses the raw downstream socket because nginx would otherwise refuse to
-- send fewer bytes than Content-Length and keep the connection open.
function M.send_truncated(status, ctype, request_id, body, id_header)
  local sock, err = ngx.req.socket(true)
  if not sock then
    ngx.log(ngx.ERR, "emulator: truncate fault: ", err)
    reqlog.closed()
    return ngx.exit(444)
  end
  reqlog.sent_status(status)
  sock:send(string.format(
    "HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Type: %s\r\n%s: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
    status, status < 400 and "OK" or "Error", ngx.http_time(ngx.time()), ctype, id_header or "x-acs-request-id",
    request_id, #body, body:sub(1, math.floor(#body / 2))))
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
