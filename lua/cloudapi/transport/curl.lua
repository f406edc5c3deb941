-- The default transport: libcurl through the C core. One session (easy
-- handle) per transport, created on first use and kept for keep-alive.
-- Never use it inside an nginx request handler: it blocks the worker.
local core = require "cloudapi.core"
local concurrent = require "cloudapi.concurrent"

local M = {}

local parse_headers = core.parse_headers

-- A response's headers are parsed when res.headers is first read: most
-- successful calls never read them. Until then the response holds the raw
-- block.
local RAW = {}
local Response = {}
Response.__index = function(t, k)
  if k ~= "headers" then return nil end
  local raw = rawget(t, RAW)
  if raw == nil then return nil end
  local h = parse_headers(raw)
  rawset(t, RAW, nil)
  rawset(t, "headers", h)
  return h
end

local Transport = {}
Transport.__index = Transport
Transport.__name = "cloudapi.transport.curl"

-- What a transport keeps between requests carries secrets (the signed URL,
-- an X-Auth-Token header line): it lives here, keyed by the transport,
-- where no dump of the transport (or of its client) reaches.
-- transport -> { creq = the request table handed to the core, refilled;
-- headers = the header table last sent, lines = its header lines }
local kept = setmetatable({}, { __mode = "k" })

-- new{cainfo=, capath=, verify=true, max_body=} -> transport
function M.new(opts)
  opts = opts or {}
  local t = setmetatable({ opts = opts, session = nil, pool = {} }, Transport)
  kept[t] = { creq = {
    method = "GET", url = "", headers = nil, body = nil, connect_timeout = nil, read_timeout = nil,
    timeout = nil, fresh_connect = false, raw_headers = true,
  } }
  return t
end

-- Sessions for concurrent requests (cloudapi.all), reused across calls.
function Transport:pooled_session()
  local pool = self.pool
  local s = pool[#pool]
  if s then
    pool[#pool] = nil
    return s
  end
  return core.http_session(self.opts)
end

function Transport:release_session(s)
  self.pool[#self.pool + 1] = s
end

-- send{method, url, headers = {name = value}, body, timeout = {connect=,
--      read=}, total_timeout, idempotent} (seconds; read is the longest
--      wait for the next bytes once connected, total_timeout bounds it
--      all). A request with idempotent = false gets a fresh
--      connection: on a reused one libcurl may resend it by itself.
-- -> {status, headers, body} | nil, kind, message, maybe_sent
local NO_TIMEOUT = {}

function Transport:send(req)
  local total = req.total_timeout and math.max(0.001, req.total_timeout) or nil
  -- The same header table as last time (a client's constant one): the
  -- same lines.
  local k = kept[self]
  local fields = req.headers
  local lines = fields ~= nil and fields == k.headers and k.lines
  if not lines then
    local n = 0
    lines = {}
    for name, value in pairs(fields or {}) do
      n = n + 1
      lines[n] = name .. ": " .. value
    end
    k.headers, k.lines = fields, lines
  end
  -- One request table per transport, refilled: the core copies what it
  -- needs when the request starts (and pins the body itself).
  local creq = k.creq
  creq.method, creq.url, creq.headers, creq.body = req.method, req.url, lines, req.body
  local timeout = req.timeout or NO_TIMEOUT
  creq.connect_timeout, creq.read_timeout, creq.timeout = timeout.connect, timeout.read, total
  creq.fresh_connect = req.idempotent == false
  local status, headers, body, maybe_sent
  if concurrent.active() then
    local session, err = self:pooled_session()
    if not session then return nil, "config", err, false end
    status, headers, body, maybe_sent = concurrent.send(session, creq)
    self:release_session(session)
  else
    local session = self.session
    if session == nil then
      local err
      session, err = core.http_session(self.opts)
      if not session then return nil, "config", err, false end
      self.session = session
    end
    status, headers, body, maybe_sent = session:request(creq)
  end
  if not status then return nil, headers, body, maybe_sent end
  return setmetatable({ status = status, body = body, [RAW] = headers }, Response)
end

-- Backoff between attempts: plain Lua blocks the thread, unless the call
-- runs under cloudapi.all, whose other calls go on meanwhile.
function Transport:sleep(seconds)
  if concurrent.active() then return concurrent.sleep(seconds) end
  core.sleep(seconds)
end

function Transport:close()
  if self.session then self.session:close() end
  self.session = nil
  for _, s in ipairs(self.pool) do s:close() end
  self.pool = {}
end

return M
