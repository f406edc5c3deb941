-- Reading one HTTP/1.1 answer from an nginx cosocket for the ngx
-- transport, within what the curl transport lets a server make an answer
-- cost (core.http_limits: body, header bytes, one header line, 1xx
-- answers), with the same error messages; the read timeout is an idle
-- timeout (any byte restarts it) and the call's deadline holds while
-- reading. Every byte is read through receiveany into pieces joined once:
-- linear in what the server sends, never a wait longer than the deadline.
local core = require "cloudapi.core"

local M = {}

local LIMITS = core.http_limits()
local find, sub, concat, fmt = string.find, string.sub, table.concat, string.format
local CHUNK = 65536

M.LIMITS = LIMITS

-- An error the transport reports as is: kind, message.
local function fail(kind, message) return { kind = kind, message = message } end

local HEADER_BYTES = fmt("the response headers are over the %d-byte limit", LIMITS.header_bytes)
local HEADER_LINE = fmt("a response header line is over the %d-byte limit", LIMITS.header_line)
local INFORMATIONAL = fmt("the server sent more than %d informational (1xx) answers", LIMITS.informational)
local CUT_HEADERS = "the server closed the connection before the end of the response headers"
local CUT_BODY = "transfer closed with outstanding read data remaining"
local MALFORMED = "malformed chunked encoding"

local Reader = {}
Reader.__index = Reader

-- reader(sock, t) with t = {connect_ms, read_ms, deadline (ngx.now() seconds or nil), max_body}
function M.reader(sock, t)
  return setmetatable({ sock = sock, t = t, buf = "", pos = 1, got = 0 }, Reader)
end

-- More bytes into buf (buf fully consumed before): true | nil, failure.
function Reader:fill()
  local t = self.t
  local wait = t.read_ms
  if t.deadline then
    ngx.update_time()
    local left = math.floor((t.deadline - ngx.now()) * 1000)
    if left <= 0 then return nil, fail("timeout", "the call's deadline passed while reading the response") end
    if left < wait then wait = left end
  end
  self.sock:settimeouts(t.connect_ms, wait, wait)
  local data, err = self.sock:receiveany(CHUNK)
  if not data then
    if err == "timeout" then
      if wait < t.read_ms then return nil, fail("timeout", "the call's deadline passed while reading the response") end
      return nil, fail("timeout", fmt("read timeout: no data for %d ms", t.read_ms))
    end
    return nil, err -- "closed", or a socket error: the caller says what was cut
  end
  self.got = self.got + #data
  self.buf, self.pos = data, 1
  return true
end

-- One line (without CR LF) of at most max bytes with them | nil, failure
-- or socket error, too_long. Also its size on the wire.
function Reader:line(max)
  local pieces, n, size = nil, 0, 0
  while true do
    local buf, pos = self.buf, self.pos
    local nl = find(buf, "\n", pos, true)
    local piece = sub(buf, pos, nl or #buf)
    size = size + #piece
    if size > max then return nil, nil, true end
    if nl then
      self.pos = nl + 1
      if pieces then n = n + 1; pieces[n] = piece; piece = concat(pieces, "", 1, n) end
      local stop = #piece - 1
      if sub(piece, stop, stop) == "\r" then stop = stop - 1 end
      return sub(piece, 1, stop), size
    end
    if piece ~= "" then
      pieces = pieces or {}
      n = n + 1
      pieces[n] = piece
    end
    local ok, err = self:fill()
    if not ok then return nil, err end
  end
end

-- Exactly len bytes | nil, failure or socket error, the bytes read so far.
function Reader:bytes(len)
  local pieces, n, have = {}, 0, 0
  while have < len do
    if self.pos > #self.buf then
      local ok, err = self:fill()
      if not ok then return nil, err, have end
    end
    local piece = sub(self.buf, self.pos, self.pos + (len - have) - 1)
    self.pos = self.pos + #piece
    have = have + #piece
    n = n + 1
    pieces[n] = piece
  end
  return concat(pieces, "", 1, n)
end

-- Everything until the server closes, at most max bytes | nil, failure.
function Reader:rest(max, too_large)
  local pieces, n, have = {}, 0, 0
  while true do
    local piece = sub(self.buf, self.pos)
    self.pos = #self.buf + 1
    have = have + #piece
    if have > max then return nil, fail("network", too_large) end
    n = n + 1
    pieces[n] = piece
    local ok, err = self:fill()
    if not ok then
      if err == "closed" then return concat(pieces, "", 1, n) end
      return nil, err
    end
  end
end

-- A socket error or a failure as a failure; "closed" says what was cut.
local function cut(err, what)
  if type(err) == "table" then return err end
  if err == "closed" then return fail("network", what) end
  return fail("network", "reading the response failed: " .. tostring(err))
end

-- The status line and header block of the final answer (1xx skipped):
-- status, raw block, http_minor | nil, failure.
local function head(r)
  local header_bytes, informational = 0, 0
  while true do
    local line, size, long = r:line(LIMITS.header_line)
    if long then return nil, fail("network", HEADER_LINE) end
    if not line then
      if r.got == 0 and size == "closed" then return nil, fail("network", "Empty reply from server") end
      return nil, cut(size, CUT_HEADERS)
    end
    header_bytes = header_bytes + size
    local minor, status = line:match("^HTTP/1%.(%d) (%d%d%d)[ \r]?")
    if not status then
      if line:match("^HTTP/1%.%d ") then
        return nil, fail("network", "the server's answer is not HTTP (malformed status code)")
      end
      return nil, fail("network", "the server's answer is not HTTP (no status line)")
    end
    local block, n = { line }, 1
    while true do
      local h, hsize, hlong = r:line(LIMITS.header_line)
      if hlong then return nil, fail("network", HEADER_LINE) end
      if not h then return nil, cut(hsize, CUT_HEADERS) end
      header_bytes = header_bytes + hsize
      if header_bytes > LIMITS.header_bytes then return nil, fail("network", HEADER_BYTES) end
      if h == "" then break end
      n = n + 1
      block[n] = h
    end
    status = tonumber(status)
    if status >= 200 then return status, concat(block, "\r\n", 1, n), minor end
    informational = informational + 1
    if informational > LIMITS.informational then return nil, fail("network", INFORMATIONAL) end
  end
end

local function chunked(r, max, too_large)
  local parts, n, have = {}, 0, 0
  while true do
    local size_line, err, long = r:line(LIMITS.header_line)
    if long then return nil, fail("network", MALFORMED) end
    if not size_line then return nil, cut(err, CUT_BODY) end
    local hex = size_line:match("^%s*(%x+)")
    if not hex then return nil, fail("network", MALFORMED) end
    -- 14 hex digits and more are beyond any cap (and beyond a double's integers)
    local size = #hex > 13 and math.huge or tonumber(hex, 16)
    if size == 0 then
      repeat -- trailers up to the empty line
        local t, terr, tlong = r:line(LIMITS.header_line)
        if tlong then return nil, fail("network", HEADER_LINE) end
        if not t then return nil, cut(terr, CUT_BODY) end
      until t == ""
      return concat(parts, "", 1, n)
    end
    if size > max - have then return nil, fail("network", too_large) end
    local chunk, cerr = r:bytes(size)
    if not chunk then return nil, cut(cerr, CUT_BODY) end
    have = have + size
    n = n + 1
    parts[n] = chunk
    local crlf, lerr = r:line(2)
    if crlf == nil and lerr ~= nil then return nil, cut(lerr, CUT_BODY) end
    if crlf ~= "" then return nil, fail("network", MALFORMED) end
  end
end

-- read(sock, method, t) -> status, headers, body, keepalive | nil, failure {kind, message}
-- t: see reader; t.max_body also caps a Content-Length.
function M.read(sock, method, t)
  local r = M.reader(sock, t)
  local status, block, minor = head(r)
  if not status then return nil, block end
  local headers = core.parse_headers(block)
  local keepalive = minor ~= "0"
  local conn = (headers["connection"] or ""):lower()
  if find(conn, "close", 1, true) then keepalive = false end
  if find(conn, "keep-alive", 1, true) then keepalive = true end
  if method == "HEAD" or status == 204 or status == 304 then return status, headers, "", keepalive end
  local max = t.max_body
  local too_large = fmt("the response body is over the %d-byte limit (max_body)", max)
  local te = (headers["transfer-encoding"] or ""):lower()
  if find(te, "chunked", 1, true) then
    local body, err = chunked(r, max, too_large)
    if not body then return nil, err end
    return status, headers, body, keepalive
  end
  local len = headers["content-length"]
  if len then
    len = tonumber(len:match("^%d+$") or "")
    if not len then return nil, fail("network", "malformed Content-Length") end
    if len > max then return nil, fail("network", too_large) end
    if len == 0 then return status, headers, "", keepalive end
    local body, err, have = r:bytes(len)
    if not body then
      return nil, cut(err, "truncated body: " .. have .. " of " .. len .. " bytes")
    end
    return status, headers, body, keepalive
  end
  -- Neither: the body runs until the server closes.
  local body, err = r:rest(max, too_large)
  if not body then return nil, cut(err) end
  return status, headers, body, false
end

return M
