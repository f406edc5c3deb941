-- The default transport: libcurl through the C core. One session (easy
-- handle) per transport, created on first use and kept for keep-alive.
-- Never use it inside an nginx request handler: it blocks the worker.
local core = require "cloudapi.core"
local concurrent = require "cloudapi.concurrent"

local M = {}

local parse_headers = core.parse_headers

-- Response headers parsed on first use: most successful calls never read
-- them. Index it like a table; M.headers(h) gives a plain table (for
-- pairs, or to hand to a caller).
local Lazy = {}
Lazy.__index = function(t, k)
  local raw = rawget(t, Lazy)
  if raw == nil then return nil end
  rawset(t, Lazy, nil)
  for name, value in pairs(parse_headers(raw)) do rawset(t, name, value) end
  setmetatable(t, nil)
  return rawget(t, k)
end

local function lazy(raw)
  return setmetatable({ [Lazy] = raw }, Lazy)
end

-- headers(h) -> a plain table of lowercase name -> value
function M.headers(h)
  if type(h) == "table" and getmetatable(h) == Lazy then local _ = h[""] end
  return h
end

local Transport = {}
Transport.__index = Transport
Transport.__name = "cloudapi.transport.curl"

-- new{cainfo=, capath=, verify=true, max_body=} -> transport
function M.new(opts)
  opts = opts or {}
  return setmetatable({ opts = opts, session = nil, pool = {} }, Transport)
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

-- send{method, url, headers = {name = value}, body, connect_timeout,
--      read_timeout, total_timeout, idempotent} (seconds; read_timeout is
--      the longest wait for the next bytes once connected, total_timeout
--      bounds it all). A request with idempotent = false gets a fresh
--      connection: on a reused one libcurl may resend it by itself.
-- -> {status, headers, body} | nil, kind, message, maybe_sent
function Transport:send(req)
  local total = req.total_timeout and math.max(0.001, req.total_timeout) or nil
  -- The same header table as last time (a client's constant one): the
  -- same lines.
  local headers = req.headers
  local lines = headers ~= nil and headers == self.last_headers and self.last_lines
  if not lines then
    local n = 0
    lines = {}
    for name, value in pairs(headers or {}) do
      n = n + 1
      lines[n] = name .. ": " .. value
    end
    self.last_headers, self.last_lines = headers, lines
  end
  local creq = {
    method = req.method, url = req.url, headers = lines, body = req.body,
    connect_timeout = req.connect_timeout, read_timeout = req.read_timeout,
    timeout = total, fresh_connect = req.idempotent == false, raw_headers = true,
  }
  local status, headers, body, maybe_sent
  if concurrent.active() then
    status, headers, body, maybe_sent = concurrent.send(self, creq)
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
  return { status = status, headers = lazy(headers), body = body }
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
