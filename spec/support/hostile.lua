-- The hostile server's cases (the emulator's /__hostile/, see
-- emulator/lua/emulator/common/hostile.lua) and what a transport must make
-- of each. Both transports are held to the same table: the curl one in
-- spec/e2e/hostile_spec.lua, the ngx one inside nginx (the /send handler
-- of spec/openresty/handlers.lua, spec/openresty/hostile_spec.lua).
local M = {}

local BODY = "the response body is over the %d-byte limit (max_body)"

-- want: status (and header = {name, value}) for an answer; kind and
-- message (exact) or prefix for a failure; elapsed_max in seconds (a 5x
-- margin over what the case needs, far below what the server would take).
M.CASES = {
  { name = "garbage for a status line", path = "garbage-status",
    want = { kind = "network", prefix = "the server's answer is not HTTP (" } },
  { name = "a status line with a malformed code", path = "bad-status-code",
    want = { kind = "network", prefix = "the server's answer is not HTTP (" } },
  { name = "a status line and a close", path = "status-then-close",
    want = { kind = "network", message = "the server closed the connection before the end of the response headers" } },
  { name = "a header line over 100 KB", path = "long-header-line",
    want = { kind = "network", message = "a response header line is over the 102400-byte limit" } },
  { name = "a header line under 100 KB", path = "long-header-line?bytes=90000",
    want = { status = 200, header = { "x-big", string.rep("b", 90000) } } },
  { name = "over 300 KB of header lines", path = "header-flood",
    want = { kind = "network", message = "the response headers are over the 307200-byte limit" } },
  { name = "60,000 repeated headers, joined in linear time", path = "many-headers?lines=60000",
    want = { status = 200, header = { "r", ("v, "):rep(59999) .. "v" }, elapsed_max = 1 } },
  { name = "a huge chunk size", path = "huge-chunk", req = { max_body = 1048576 },
    want = { kind = "network", message = BODY:format(1048576) } },
  { name = "a huge Content-Length", path = "huge-length",
    want = { kind = "network", message = BODY:format(64 * 1048576) } },
  { name = "a chunked body over max_body", path = "big-chunked", req = { max_body = 1048576 },
    want = { kind = "network", message = BODY:format(1048576) } },
  { name = "a chunked body under max_body", path = "big-chunked?bytes=524288", req = { max_body = 1048576 },
    want = { status = 200, body_len = 524288 } },
  { name = "endless 100 Continue", path = "continue-flood",
    want = { kind = "network", message = "the server sent more than 16 informational (1xx) answers",
             elapsed_max = 10 } },
  { name = "a few 100 Continue", path = "continue-flood?count=10",
    want = { status = 200 } },
  -- 12 bytes a quarter second apart (3 s) with a 1.5 s idle timeout: the
  -- connection is never idle, so the call succeeds.
  { name = "a header trickled a byte every 0.25 s, read = 1.5", path = "trickle", req = { read = 1.5 },
    want = { status = 200, header = { "x-trickle", ("t"):rep(12) } } },
  { name = "silence longer than the read timeout", path = "trickle?interval=3&bytes=2", req = { read = 1 },
    want = { kind = "timeout", message = "read timeout: no data for 1000 ms", elapsed_max = 5 } },
  -- an endless trickle (the server gives up after 60 s): the deadline ends it
  { name = "an endless trickle against a 2 s deadline", path = "trickle?interval=0.2&bytes=0",
    req = { read = 5, total = 2 }, want = { kind = "timeout", elapsed_min = 1.9, elapsed_max = 10 } },
}

-- send(transport, base_url, case) -> outcome {status, header, body_len,
-- kind, message, elapsed}: plain data (it crosses nginx as JSON).
function M.send(transport, base_url, case, now)
  local r = case.req or {}
  local t0 = now()
  local res, kind, msg = transport:send{
    method = "GET", url = base_url .. "/__hostile/" .. case.path,
    timeout = { connect = 5, read = r.read or 10 }, total_timeout = r.total or 30,
  }
  local out = { elapsed = now() - t0 }
  if res then
    out.status, out.body_len = res.status, #res.body
    local want = case.want.header
    if want then out.header = res.headers[want[1]] end
  else
    out.kind, out.message = kind, msg
  end
  return out
end

-- mismatch(case, outcome) -> nil | what differs
function M.mismatch(case, out)
  local w = case.want
  local function differ(what, got, want)
    return ("%s: %s, want %s (outcome: %s %s)"):format(what, tostring(got):sub(1, 120), tostring(want):sub(1, 120),
                                                       tostring(out.kind or out.status), tostring(out.message))
  end
  if w.status and out.status ~= w.status then return differ("status", out.status, w.status) end
  if w.kind and out.kind ~= w.kind then return differ("kind", out.kind, w.kind) end
  if w.message and out.message ~= w.message then return differ("message", out.message, w.message) end
  if w.prefix and (type(out.message) ~= "string" or out.message:sub(1, #w.prefix) ~= w.prefix) then
    return differ("message", out.message, w.prefix .. "...")
  end
  if w.header and out.header ~= w.header[2] then return differ("header " .. w.header[1], out.header, w.header[2]) end
  if w.body_len and out.body_len ~= w.body_len then return differ("body length", out.body_len, w.body_len) end
  if w.elapsed_max and out.elapsed > w.elapsed_max then
    return differ("elapsed", out.elapsed, "< " .. w.elapsed_max)
  end
  if w.elapsed_min and out.elapsed < w.elapsed_min then
    return differ("elapsed", out.elapsed, ">= " .. w.elapsed_min)
  end
  return nil
end

function M.case(name)
  for _, c in ipairs(M.CASES) do if c.name == name then return c end end
  error("no hostile case " .. name)
end

return M
