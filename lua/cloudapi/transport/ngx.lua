-- The OpenResty transport: HTTP/1.1 over ngx.socket.tcp cosockets, so a
-- call inside an nginx handler never blocks the worker. Connections are
-- pooled with setkeepalive, keyed by scheme, host, port (and TLS
-- verification); TLS uses sslhandshake with verification on (trust comes
-- from nginx's lua_ssl_trusted_certificate). A connection that is closed,
-- failed or half read is never returned to the pool.
local core = require "cloudapi.core"
local read = require "cloudapi.transport.ngx_read"

local M = {}

-- Phases where cosockets work.
local COSOCKET_PHASES = { rewrite = true, access = true, content = true, timer = true,
                          ssl_cert = true, ssl_session_fetch = true }

-- usable() -> true when running inside nginx in a phase with cosockets.
function M.usable()
  return ngx ~= nil and ngx.get_phase ~= nil and COSOCKET_PHASES[ngx.get_phase()] == true
end

-- Inside nginx at all (whatever the phase)?
function M.in_nginx()
  return ngx ~= nil and ngx.config ~= nil and ngx.config.ngx_lua_version ~= nil
end

local Transport = {}
Transport.__index = Transport
Transport.__name = "cloudapi.transport.ngx"

-- new{verify=true, pool_size=32, keepalive=60, resolve={host = "ip"},
--     max_body=64 MiB}
-- resolve connects to a fixed address while TLS (SNI, verification) and
-- the Host header keep the name: for private endpoints, and because nginx
-- verifies certificates by host name only. max_body caps an answer's body
-- as the curl transport's does.
function M.new(opts)
  opts = opts or {}
  if opts.resolve ~= nil and type(opts.resolve) ~= "table" then
    error("cloudapi.transport.ngx.new: resolve must be a table {host = address}", 2)
  end
  local max_body = opts.max_body
  if max_body ~= nil and (type(max_body) ~= "number" or max_body < 1 or max_body % 1 ~= 0) then
    error("cloudapi.transport.ngx.new: max_body must be a positive integer (bytes)", 2)
  end
  return setmetatable({
    verify = opts.verify ~= false,
    pool_size = opts.pool_size or 32,
    keepalive_ms = (opts.keepalive or 60) * 1000,
    resolve = opts.resolve or {},
    max_body = max_body or read.LIMITS.max_body,
  }, Transport)
end

local function parse_url(url)
  local scheme, hostport, path = url:match("^(https?)://([^/]+)(.*)$")
  if not scheme then return nil end
  local host, port = hostport:match("^%[(.+)%]:?(%d*)$")
  if not host then host, port = hostport:match("^([^:]+):?(%d*)$") end
  if not host then return nil end
  port = tonumber(port) or (scheme == "https" and 443 or 80)
  if path == "" then path = "/" end
  return scheme, host, port, path
end

local function ms(seconds, default)
  return math.max(1, math.floor((seconds or default) * 1000 + 0.5))
end

-- The longest wait for the next step: the idle timeout, or less when the
-- call's deadline comes sooner.
local function wait_ms(limits)
  if not limits.deadline then return limits.read_ms end
  ngx.update_time()
  return math.max(1, math.min(limits.read_ms, math.floor((limits.deadline - ngx.now()) * 1000)))
end

-- send{method, url, headers, body, timeout = {connect=, read=},
--      total_timeout} -> {status, headers, body} | nil, kind, message, maybe_sent
-- The path goes out exactly as in the URL (no dot segment is resolved).
local NO_TIMEOUT = {}

function Transport:send(req)
  if not M.usable() then
    local phase = ngx and ngx.get_phase and ngx.get_phase() or "?"
    return nil, "config", "cannot send from nginx's " .. phase .. " phase: cosockets are not " ..
      "available there (run the call from ngx.timer.at(0, fn) or a rewrite/access/content handler)", false
  end
  -- What goes on the wire is checked as the curl transport checks it.
  local bad = core.http_check(req.method, req.url, req.headers)
  if bad then return nil, "config", bad, false end
  local scheme, host, port, path = parse_url(req.url)
  if not scheme then return nil, "config", "cannot parse URL", false end
  local timeout = req.timeout or NO_TIMEOUT
  local total = req.total_timeout
  local idle = timeout.read or 60
  if total and total < idle then idle = math.max(0.001, total) end
  local connect = timeout.connect or 10
  if total and total < connect then connect = math.max(0.001, total) end
  ngx.update_time()
  local limits = { connect_ms = ms(connect), read_ms = ms(idle), max_body = self.max_body,
                   deadline = total and ngx.now() + math.max(0.001, total) or nil }

  local sock = ngx.socket.tcp()
  sock:settimeouts(ms(connect), ms(idle), ms(idle))
  local address = self.resolve[host] or host
  local pool = scheme .. "://" .. host .. ":" .. port .. "@" .. address .. (self.verify and "" or "#noverify")
  local ok, err = sock:connect(address, port, { pool = pool, pool_size = self.pool_size })
  if not ok then
    return nil, err == "timeout" and "timeout" or "network",
           "failed to connect to " .. host .. " port " .. port .. ": " .. tostring(err), false
  end
  if scheme == "https" and sock:getreusedtimes() == 0 then
    local w = wait_ms(limits)
    sock:settimeouts(limits.connect_ms, w, w)
    local _, serr = sock:sslhandshake(nil, host, self.verify)
    if serr then
      sock:close()
      return nil, serr == "timeout" and "timeout" or "network",
             "TLS handshake with " .. host .. " failed: " .. serr, false
    end
  end

  local lines = { req.method, " ", path, " HTTP/1.1\r\n" }
  local has_host = false
  for name, value in pairs(req.headers or {}) do
    if name:lower() == "host" then has_host = true end
    lines[#lines + 1] = name .. ": " .. value .. "\r\n"
  end
  if not has_host then
    local default = (scheme == "https" and port == 443) or (scheme == "http" and port == 80)
    lines[#lines + 1] = "Host: " .. host .. (default and "" or (":" .. port)) .. "\r\n"
  end
  if req.body or req.method == "POST" or req.method == "PUT" or req.method == "PATCH" then
    lines[#lines + 1] = "Content-Length: " .. #(req.body or "") .. "\r\n"
  end
  lines[#lines + 1] = "\r\n"
  if req.body then lines[#lines + 1] = req.body end
  local w = wait_ms(limits)
  sock:settimeouts(limits.connect_ms, w, w)
  local sent, serr = sock:send(lines)
  if not sent then
    sock:close()
    -- A reused connection the server had closed: nothing was processed.
    return nil, serr == "timeout" and "timeout" or "network", "send failed: " .. tostring(serr), true
  end

  local status, headers, body, keepalive = read.read(sock, req.method, limits)
  if not status then
    sock:close()
    return nil, headers.kind, headers.message, true
  end
  if keepalive then
    sock:setkeepalive(self.keepalive_ms, self.pool_size)
  else
    sock:close()
  end
  return { status = status, headers = headers, body = body }
end

-- Backoff between attempts without blocking the worker.
function Transport:sleep(seconds)
  ngx.sleep(seconds)
end

function Transport:close() end

return M
