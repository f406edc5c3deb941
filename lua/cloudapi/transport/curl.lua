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

-- new{cainfo=, capath=, verify=true, max_body=} -> transport
function M.new(opts)
  opts = opts or {}
  return setmetatable({ opts = opts, session = nil, pool = {}, creq = {
    method = "GET", url = "", headers = nil, body = nil, connect_timeout = nil, read_timeout = nil,
    timeout = nil, fresh_connect = false, raw_headers = true,
  } }, Transport)
end

-- Sessions for concurrent requests (cloudapi.all), reused across calls.
-- A session in the pool holds no connection (those stay in the multi
-- handle's cache), but an easy handle each: at most concurrent.KEEP are
-- kept, the rest of a large batch's are closed as they come back.
local POOL = concurrent.KEEP

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
  local pool = self.pool
  if #pool < POOL then pool[#pool + 1] = s else s:close() end
end

-- send{method, url, headers = {name = value}, body, timeout = {connect=,
--      read=}, total_timeout, idempotent} (seconds; read is the longest
--      wait for the next bytes once connected, total_timeout bounds it
--      all). A request with idempotent = false gets a fresh
--      connection: on a reused one libcurl may resend it by itself.
--      The core checks what goes on the wire (core.http_check) and keeps
--      the header lines while a session's requests repeat them.
-- -> {status, headers, body} | nil, kind, message, maybe_sent
local NO_TIMEOUT = {}

function Transport:send(req)
  local total = req.total_timeout and math.max(0.001, req.total_timeout) or nil
  -- One request table per transport, refilled: the core copies what it
  -- needs when the request starts (and pins the body itself).
  local creq = self.creq
  creq.method, creq.url, creq.headers, creq.body = req.method, req.url, req.headers, req.body
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
  -- The transport keeps no copy of the request (a signed URL, a token).
  creq.url, creq.headers, creq.body = "", nil, nil
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
