-- Request log for tests (GET /__emulator/requests): the last MAX API
-- requests (Alibaba RPC and Huawei REST; never control requests), oldest
-- first. An entry is appended when the request arrives (so `seq` is the
-- arrival order) and filled in while it is handled: the front doors set
-- action/operation, nonce, timestamp, client_token, sdk_date; faults.lua the
-- fault kind; the error paths the code; the log phase (finish) the status.
--
-- Entry fields (absent values are JSON null):
--   seq          1, 2, 3, ... since the last reset
--   time         arrival, epoch seconds (ms resolution, server clock)
--   api          "rpc" | "huawei"
--   method       HTTP method
--   action       RPC Action parameter
--   operation    Huawei route name (e.g. CreateEndpointService)
--   status       HTTP status sent; null for a reset connection or while the
--                request is still being handled (done = false)
--   code         error code of an error answer
--   fault        kind of the injected fault applied to this request
--   nonce        RPC SignatureNonce      timestamp  RPC Timestamp
--   client_token RPC ClientToken         sdk_date   Huawei X-Sdk-Date header
--   connection   nginx connection serial number (distinct TCP connections)
--   request_id   the request id of the answer (x-acs-request-id / X-Request-Id)
--   user_agent   the User-Agent header
--   done         false while the request is being handled (e.g. a stall)

local render = require "emulator.common.render"

local M = {}

M.MAX = 1000

local entries, lo, seq -- entries[seq]; seqs lo..seq are kept

function M.reset()
  entries, lo, seq = {}, 1, 0
end
M.reset()

-- Called by the router for every API request; the entry lives in ngx.ctx.
function M.start(api)
  seq = seq + 1
  local e = {
    seq = seq, time = math.floor(ngx.now() * 1000 + 0.5) / 1000, api = api,
    method = ngx.req.get_method(), connection = tonumber(ngx.var.connection), done = false,
    user_agent = ngx.var.http_user_agent,
  }
  entries[seq] = e
  while seq - lo + 1 > M.MAX do
    entries[lo] = nil
    lo = lo + 1
  end
  ngx.ctx.reqlog = e
  return e
end

-- The entry of the current request, or nil (control requests, or outside
-- a request, e.g. in unit tests).
function M.current()
  if not ngx then return nil end
  local ok, ctx = pcall(function() return ngx.ctx end)
  return ok and ctx and ctx.reqlog or nil
end

-- Sets fields of the current entry (no-op without one).
function M.set(fields)
  local e = M.current()
  if not e then return end
  for k, v in pairs(fields) do e[k] = v end
end

-- The status really sent when nginx does not know it (raw-socket answers).
function M.sent_status(status) M.set({ sent_status = status }) end

-- The connection is closed without an answer.
function M.closed() M.set({ closed = true }) end

-- Log phase (log_by_lua): the final status.
function M.finish()
  local e = ngx.ctx.reqlog
  if not e then return end
  if e.closed then
    e.status = nil
  elseif e.sent_status then
    e.status = e.sent_status
  else
    local s = tonumber(ngx.status)
    if s and s > 0 and s ~= 444 and s ~= 499 then e.status = s end
  end
  e.done = true
end

-- DELETE /__emulator/requests: drops the entries, seq keeps counting
-- (only a full reset starts again at 1).
function M.clear()
  entries, lo = {}, seq + 1
end

local null = render.null
local function v(x) if x == nil then return null end return x end

local function render_entry(e)
  return render.obj(
    "seq", e.seq, "time", e.time, "api", e.api, "method", v(e.method),
    "action", v(e.action), "operation", v(e.operation),
    "status", v(e.status), "code", v(e.code), "fault", v(e.fault),
    "nonce", v(e.nonce), "timestamp", v(e.timestamp), "client_token", v(e.client_token),
    "sdk_date", v(e.sdk_date), "connection", v(e.connection), "request_id", v(e.request_id),
    "user_agent", v(e.user_agent),
    "done", e.done)
end

-- JSON {"requests":[...]} oldest first; `since`: only entries with seq > since.
function M.json(since)
  local l = render.list()
  for i = math.max(lo, (since or 0) + 1), seq do
    local e = entries[i]
    if e then l[#l + 1] = render_entry(e) end
  end
  return render.json(render.obj("requests", l, "count", #l, "last_seq", seq))
end

return M
