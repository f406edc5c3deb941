-- Every Lua-facing C function and method of cloudapi.core with random
-- types and argument counts: each call returns or raises a clean Lua
-- error (a string), never crashes (run under ASan/UBSan by spec/fuzz/run,
-- briefly on every build by spec/unit/core_args_spec.lua).
-- step(i) does one call; a failed property raises.
local core = require "cloudapi.core"
local gen = require "fuzz.lua.gen"

local random = math.random
local unpack = table.unpack or unpack

local SAFE_URL = "http://127.0.0.1:1/"

local names = {}
for name, f in pairs(core) do
  if type(f) == "function" and name ~= "sleep" then names[#names + 1] = name end
end
table.sort(names)

local session_methods, multi_methods
do
  local s, m = core.http_session(), core.http_multi()
  session_methods, multi_methods = getmetatable(s), getmetatable(m)
  s:close()
  m:close()
end

local function methods_of(mt)
  local list = {}
  for k, f in pairs(mt.__index) do list[#list + 1] = { k, f } end
  for _, k in ipairs({ "__gc", "__close", "__tostring" }) do
    if mt[k] then list[#list + 1] = { k, mt[k] } end
  end
  table.sort(list, function(a, b) return a[1] < b[1] end)
  return list
end
local SESSION, MULTI = methods_of(session_methods), methods_of(multi_methods)

-- The only network this makes: refused connections to 127.0.0.1.
local function safe(v)
  if type(v) == "table" and not getmetatable(v) then
    local url = rawget(v, "url")
    if type(url) == "string" and url:sub(1, #SAFE_URL) ~= SAFE_URL then rawset(v, "url", SAFE_URL .. url) end
    if type(rawget(v, "timeout")) == "number" then rawset(v, "timeout", 0.2) end
  end
  return v
end

local objects = {}
local function object()
  local k = random(6)
  if not objects[k] or random(20) == 1 then
    objects[k] = k <= 4 and core.http_session() or core.http_multi()
  end
  return objects[k]
end

local function check(ok, err, what)
  if not ok and type(err) ~= "string" then
    error(what .. " raised a " .. type(err) .. ", not a message", 0)
  end
end

local M = {}

function M.step()
  local n, a = gen.args()
  local r = random(10)
  if r <= 5 then
    local name = names[random(#names)]
    check(pcall(core[name], unpack(a, 1, n)), "core." .. name)
  elseif r <= 9 then
    local self = random(8) == 1 and gen.value(1) or object()
    local list = random(2) == 1 and SESSION or MULTI
    local m = list[random(#list)]
    for i = 1, n do a[i] = safe(a[i]) end
    if m[1] == "add" and n >= 2 then a[2] = safe(a[2]) end
    if m[1] == "step" and type(a[1]) == "number" then a[1] = 0.01 end
    if m[1] == "add" and random(2) == 1 then -- a well-formed request now and then
      a[1], a[2], n = object(), { method = gen.string(), url = SAFE_URL, headers = safe(gen.table(1)) }, 2
    end
    check(pcall(m[2], self, unpack(a, 1, n)), "method " .. m[1])
  else
    -- sleep: only short waits (a string such as "1.5" converts)
    local s = a[1]
    if type(s) == "string" or (type(s) == "number" and s > 0.001) then s = 0.001 end
    check(pcall(core.sleep, s, unpack(a, 2, n)), "core.sleep")
  end
  if random(200) == 1 then collectgarbage() end
end

function M.close()
  for k, o in pairs(objects) do
    pcall(o.close, o)
    objects[k] = nil
  end
  collectgarbage()
end

return M
