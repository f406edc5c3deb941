-- The OpenResty transport: HTTP/1.1 over ngx.socket.tcp cosockets, so a
-- call inside an nginx handler never blocks the worker. Connections are
-- pooled with setkeepalive, keyed by scheme, host, port (and TLS
-- verification); TLS uses sslhandshake with verification on (trust comes
-- from nginx's lua_ssl_trusted_certificate). A connection that is closed,
-- failed or half read is never returned to the pool.
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

-- new{verify=true, pool_size=32, keepalive=60, resolve={host = "ip"}}
-- resolve connects to a fixed address while TLS (SNI, verification) and
-- the Host header keep the name: for private endpoints, and because nginx
-- verifies certificates by host name only.
function M.new(opts)
  opts = opts or {}
  if opts.resolve ~= nil and type(opts.resolve) ~= "table" then
    error("cloudapi.transport.ngx.new: resolve must be a table {host = address}", 2)
  end
  return setmetatable({
    verify = opts.verify ~= false,
    pool_size = opts.pool_size or 32,
    keepalive_ms = (opts.keepalive or 60) * 1000,
    resolve = opts.resolve or {},
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

-- Read one response; returns status, headers, body, reusable | nil, err
local function read_response(sock, method)
  local line, err = sock:receive("*l")
  if not line then return nil, err end
  local status = tonumber(line:match("^HTTP/1%.%d (%d%d%d)"))
  if not status then return nil, "malformed status line" end
  local headers, keepalive = {}, not line:match("^HTTP/1%.0")
  while true do
    local h, herr = sock:receive("*l")
    if not h then return nil, herr end
    if h == "" then break end
    local name, value = h:match("^([^:]+):%s*(.-)%s*$")
    if name then
      name = name:lower()
      headers[name] = headers[name] and (headers[name] .. ", " .. value) or value
    end
  end
  local conn = (headers["connection"] or ""):lower()
  if conn:find("close", 1, true) then keepalive = false end
  if conn:find("keep-alive", 1, true) then keepalive = true end
  -- 1xx informational answers: read the next one.
  if status >= 100 and status < 200 then return read_response(sock, method) end
  if method == "HEAD" or status == 204 or status == 304 then return status, headers, "", keepalive end
  local te = (headers["transfer-encoding"] or ""):lower()
  if te:find("chunked", 1, true) then
    local parts = {}
    while true do
      local size_line, serr = sock:receive("*l")
      if not size_line then return nil, serr end
      local size = tonumber(size_line:match("^%s*(%x+)"), 16)
      if not size then return nil, "malformed chunk size" end
      if size == 0 then
        repeat -- trailers up to the empty line
          local t, terr = sock:receive("*l")
          if not t then return nil, terr end
        until t == ""
        break
      end
      local chunk, cerr = sock:receive(size)
      if not chunk then return nil, cerr end
      parts[#parts + 1] = chunk
      local crlf, lerr = sock:receive(2)
      if crlf ~= "\r\n" then return nil, lerr or "malformed chunk" end
    end
    return status, headers, table.concat(parts), keepalive
  end
  local len = headers["content-length"]
  if len then
    len = tonumber(len)
    if not len or len < 0 then return nil, "malformed Content-Length" end
    if len == 0 then return status, headers, "", keepalive end
    local body, berr, partial = sock:receive(len)
    if not body then
      if berr == "closed" then return nil, "truncated body: " .. #(partial or "") .. " of " .. len .. " bytes" end
      return nil, berr
    end
    return status, headers, body, keepalive
  end
  -- Neither: the body runs until the server closes.
  local body, berr = sock:receive("*a")
  if not body then return nil, berr end
  return status, headers, body, false
end

-- send{method, url, headers, body, timeout = {connect=, read=},
--      total_timeout} -> {status, headers, body} | nil, kind, message, maybe_sent
local NO_TIMEOUT = {}

function Transport:send(req)
  if not M.usable() then
    local phase = ngx and ngx.get_phase and ngx.get_phase() or "?"
    return nil, "config", "cannot send from nginx's " .. phase .. " phase: cosockets are not " ..
      "available there (run the call from ngx.timer.at(0, fn) or a rewrite/access/content handler)", false
  end
  local scheme, host, port, path = parse_url(req.url)
  if not scheme then return nil, "config", "cannot parse URL", false end
  local timeout = req.timeout or NO_TIMEOUT
  local read = timeout.read or 60
  if req.total_timeout and req.total_timeout < read then read = math.max(0.001, req.total_timeout) end
  local connect = timeout.connect or 10
  if req.total_timeout and req.total_timeout < connect then connect = math.max(0.001, req.total_timeout) end

  local sock = ngx.socket.tcp()
  sock:settimeouts(ms(connect), ms(read), ms(read))
  local address = self.resolve[host] or host
  local pool = scheme .. "://" .. host .. ":" .. port .. "@" .. address .. (self.verify and "" or "#noverify")
  local ok, err = sock:connect(address, port, { pool = pool, pool_size = self.pool_size })
  if not ok then
    return nil, err == "timeout" and "timeout" or "network",
           "failed to connect to " .. host .. " port " .. port .. ": " .. tostring(err), false
  end
  if scheme == "https" and sock:getreusedtimes() == 0 then
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
  local sent, serr = sock:send(lines)
  if not sent then
    sock:close()
    -- A reused connection the server had closed: nothing was processed.
    return nil, serr == "timeout" and "timeout" or "network", "send failed: " .. tostring(serr), true
  end

  local status, headers, body, keepalive = read_response(sock, req.method)
  if not status then
    sock:close()
    local e = headers
    return nil, e == "timeout" and "timeout" or "network", "reading the response failed: " .. tostring(e), true
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
