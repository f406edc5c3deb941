-- A hostile HTTP server for the transports' tests: /__hostile/<case>
-- answers with bytes no real server should send (garbage for a status
-- line, a header line of 100 KB, endless 100 Continue, a trickle), written
-- raw to the connection. Never faulted, never in the request log; every
-- case ends by itself within 60 s even when the client stays.
--   echo                 200, the body is the request exactly as it arrived
--                        (request line and headers, then the body)
--   garbage-status       "SSH-2.0-OpenSSH_9.2" and a close
--   bad-status-code      "HTTP/1.1 2x0 OK" and a close
--   status-then-close    "HTTP/1.1 200 OK" and a close
--   long-header-line     one header line of ?bytes= (default 102401) bytes
--   header-flood         ?lines= header lines of 100 bytes (default 11000: over 1 MiB)
--   many-headers         ?lines= repeated "R:v" lines (default 8000), then "{}"
--   huge-chunk           a chunk size of ffffffffffffff and ?bytes= of it (default 2 MiB)
--   huge-length          Content-Length: 99999999999999 and "{}"
--   big-chunked          ?bytes= (default 2 MiB) of body in 64 KiB chunks
--   continue-flood       "HTTP/1.1 100 Continue" answers, ?count= (default: until the client goes)
--   trickle              a valid answer whose X-Trickle header value comes one
--                        byte every ?interval= seconds (default 0.25), ?bytes= of
--                        them (default 12; 0: until the client goes)
local M = {}

local LIMIT = 60 -- seconds any case may take

local function raw()
  ngx.req.read_body()
  local sock, err = ngx.req.socket(true)
  if not sock then
    ngx.log(ngx.ERR, "emulator: hostile: ", err)
    return ngx.exit(444)
  end
  return sock
end

local function num(args, name, default)
  return tonumber(args[name]) or default
end

-- Writes each piece; stops (false) when the client has gone.
local function send(sock, ...)
  for i = 1, select("#", ...) do
    if not sock:send((select(i, ...))) then return false end
  end
  return true
end

local OK = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"

local CASES = {}

CASES["echo"] = function()
  ngx.req.read_body()
  local body = ngx.req.get_body_data() or ""
  ngx.header["Content-Type"] = "text/plain"
  ngx.print(ngx.req.raw_header(), body)
end

CASES["garbage-status"] = function(sock) send(sock, "SSH-2.0-OpenSSH_9.2\r\n\r\n") end
CASES["bad-status-code"] = function(sock) send(sock, "HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\n{}") end
CASES["status-then-close"] = function(sock) send(sock, "HTTP/1.1 200 OK\r\n") end

CASES["long-header-line"] = function(sock, args)
  send(sock, OK, "X-Big: ", string.rep("b", num(args, "bytes", 102401)), "\r\nContent-Length: 2\r\n\r\n{}")
end

CASES["header-flood"] = function(sock, args)
  local line = "X-Flood: " .. string.rep("f", 89) .. "\r\n" -- 100 bytes
  if not send(sock, OK) then return end
  for _ = 1, num(args, "lines", 11000) / 100 do
    if not send(sock, string.rep(line, 100)) then return end
  end
  send(sock, "Content-Length: 2\r\n\r\n{}")
end

CASES["many-headers"] = function(sock, args)
  send(sock, OK, string.rep("R:v\r\n", num(args, "lines", 8000)), "Content-Length: 2\r\n\r\n{}")
end

CASES["huge-chunk"] = function(sock, args)
  if not send(sock, OK, "Transfer-Encoding: chunked\r\n\r\n", "ffffffffffffff\r\n") then return end
  local piece = string.rep("x", 65536)
  for _ = 1, math.ceil(num(args, "bytes", 2 * 1048576) / 65536) do
    if not send(sock, piece) then return end
  end
end

CASES["huge-length"] = function(sock) send(sock, OK, "Content-Length: 99999999999999\r\n\r\n{}") end

CASES["big-chunked"] = function(sock, args)
  local chunk = string.rep("c", 65536)
  if not send(sock, OK, "Transfer-Encoding: chunked\r\n\r\n") then return end
  for _ = 1, math.ceil(num(args, "bytes", 2 * 1048576) / 65536) do
    if not send(sock, "10000\r\n", chunk, "\r\n") then return end
  end
  send(sock, "0\r\n\r\n")
end

CASES["continue-flood"] = function(sock, args)
  local count, t0 = num(args, "count", 0), ngx.now()
  local i = 0
  while (count == 0 or i < count) and ngx.now() - t0 < LIMIT do
    if not send(sock, string.rep("HTTP/1.1 100 Continue\r\n\r\n", 10)) then return end
    i = i + 10
    ngx.sleep(0.001)
  end
  send(sock, OK, "Content-Length: 2\r\n\r\n{}")
end

CASES["trickle"] = function(sock, args)
  local interval, bytes, t0 = num(args, "interval", 0.25), num(args, "bytes", 12), ngx.now()
  if not send(sock, OK, "X-Trickle: ") then return end
  local i = 0
  while (bytes == 0 or i < bytes) and ngx.now() - t0 < LIMIT do
    ngx.sleep(interval)
    if not send(sock, "t") then return end
    i = i + 1
  end
  send(sock, "\r\nContent-Length: 2\r\n\r\n{}")
end

function M.handle(name)
  local case = CASES[name]
  if not case then
    ngx.status = 404
    ngx.header["Content-Type"] = "text/plain"
    return ngx.print("no hostile case ", name)
  end
  if name == "echo" then return case() end
  local sock = raw()
  case(sock, ngx.req.get_uri_args())
  return ngx.exit(444) -- close, whatever the client still expects
end

return M
