-- Random values for the Lua-level fuzzers (spec/fuzz/lua/*.lua): every
-- type, edge numbers, strings with the bytes that matter (NUL, CR, LF,
-- UTF-8, percent signs), nested tables, and seed documents mutated.
-- No string it makes is a host name libcurl could resolve: tests talk
-- only to 127.0.0.1.
local M = {}

local random = math.random

function M.seed(n)
  math.randomseed(n)
  return n
end

local STRINGS = {
  "", " ", "\0", "\r\n", "a b", "x\0y", "%", "%zz%2F", "中文 ~*+", "\255\254", "GET", "POST", "HEAD",
  "GET /x HTTP/1.1\r\nX: y", "X-Name: v", "a\nb", "=&=", "http://127.0.0.1:1/x", "https://127.0.0.1:1/",
  "ftp://127.0.0.1:1/", "http://127.0.0.1:1/a b", "SDK-HMAC-SHA256", "V11-HMAC-SHA256", "20200608T023900Z",
  "2016-02-23T12:46:24Z", "1.5", "-0", "1e999", "Tag.1.Key", "{\"a\":1}", "<a>1</a>",
}

local NUMBERS = {
  0, -0.0, 1, -1, 0.5, 2 ^ 31, -2 ^ 31, 2 ^ 53, 2 ^ 63, -2 ^ 63, 1e15, 1e300, -1e300, 1 / 0, -1 / 0, 0 / 0,
  math.maxinteger or 2 ^ 53, math.mininteger or -2 ^ 53, 1e6, 1e7, 3,
}

function M.string()
  local r = random(4)
  if r == 1 then
    local t = {}
    for i = 1, random(0, 12) do t[i] = string.char(random(0, 255)) end
    return "\1" .. table.concat(t) -- never a bare word a resolver would look up
  elseif r == 2 then
    return STRINGS[random(#STRINGS)]:rep(random(1, 3))
  end
  return STRINGS[random(#STRINGS)]
end

function M.number() return NUMBERS[random(#NUMBERS)] end

-- value(depth) -> any Lua value; tables nest up to depth levels.
function M.value(depth)
  depth = depth or 2
  local r = random(10)
  if r == 1 then return nil
  elseif r == 2 then return random(2) == 1
  elseif r <= 4 then return M.number()
  elseif r <= 7 then return M.string()
  elseif r == 8 then return print
  elseif r == 9 and depth > 0 then return M.table(depth - 1)
  end
  return io.stdout -- a userdata of another kind
end

function M.table(depth)
  local t = {}
  local r = random(4)
  for i = 1, random(0, 6) do
    if r == 1 then t[i] = M.value(depth)
    elseif r == 2 then t[M.string()] = M.string()
    else t[random(2) == 1 and M.string() or random(-2, 8)] = M.value(depth) end
  end
  if random(12) == 1 then t[1] = t end
  return t
end

-- args() -> n, ...: 0 to 10 random arguments
function M.args()
  local n = random(0, 10)
  local a = {}
  for i = 1, n do a[i] = M.value(2) end
  return n, a
end

-- mutate(s) -> s with a few random byte changes, insertions, deletions,
-- duplications or a cut.
function M.mutate(s)
  for _ = 1, random(1, 4) do
    local r, n = random(5), #s
    local i = random(1, n + 1)
    if r == 1 and n > 0 then
      s = s:sub(1, i - 1) .. string.char(random(0, 255)) .. s:sub(i + 1)
    elseif r == 2 then
      s = s:sub(1, i - 1) .. M.string() .. s:sub(i)
    elseif r == 3 then
      s = s:sub(1, i - 1) .. s:sub(i + random(1, 8))
    elseif r == 4 and i <= n then
      local j = random(i, math.min(n, i + 64))
      s = s:sub(1, j) .. s:sub(i, j) .. s:sub(j + 1)
    else
      s = s:sub(1, random(0, n))
    end
  end
  return s
end

-- run(name, seconds, fn): fn(i) until the time is up; prints the totals.
-- fn raises to report a property that failed.
function M.run(name, seconds, fn)
  local core = require "cloudapi.core"
  local t0, i = core.monotonic(), 0
  repeat
    for _ = 1, 50 do
      i = i + 1
      fn(i)
    end
  until core.monotonic() - t0 >= seconds
  local dt = core.monotonic() - t0
  print(("%s: %d runs in %.1f s (%d/s)"):format(name, i, dt, math.floor(i / dt)))
end

return M
