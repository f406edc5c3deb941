-- JSON for requests and responses. Decoding is lua-cjson's (cjson.safe);
-- encoding is ours because the cjson shipped by distributions writes
-- integers such as 1e15 in exponent form and cannot express an empty array.
local cjson = require "cjson.safe"
local tables = require "cloudapi.tables"

local M = {}

local decoder = cjson.new()
decoder.decode_max_depth(200)
M.null = cjson.null

local array_mt = { __name = "cloudapi.array" }

-- Mark t (default: a new empty table) to be encoded as a JSON array even
-- when it is empty.
function M.array(t)
  return setmetatable(t or {}, array_mt)
end

local floor, huge = math.floor, math.huge
local fmt = string.format
local math_type = math.type -- nil on LuaJIT

-- Format a number the way APIs expect: integers with no decimal point or
-- exponent, other finite numbers in the shortest form that reads back
-- exactly. Returns nil, reason for NaN and infinities.
function M.format_number(v)
  if v ~= v then return nil, "NaN is not a valid number" end
  if v == huge or v == -huge then return nil, "infinity is not a valid number" end
  if math_type and math_type(v) == "integer" then return fmt("%d", v) end
  if v == floor(v) and v > -2^63 and v < 2^63 then return fmt("%.0f", v) end
  for p = 15, 17 do
    local s = fmt("%." .. p .. "g", v)
    if tonumber(s) == v then return s end
  end
  return fmt("%.17g", v)
end

local escapes = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
                  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
local function escape_char(c)
  return escapes[c] or fmt("\\u%04x", c:byte())
end

local function quote(s)
  return '"' .. s:gsub('[%c"\\]', escape_char) .. '"'
end

-- Classify a table: "array" (keys exactly 1..n), "object" (string keys),
-- or nil, reason.
local function kind_of(t)
  local n, strings, others = 0, 0, nil
  for k in pairs(t) do
    local tk = type(k)
    if tk == "number" then
      n = n + 1
    elseif tk == "string" then
      strings = strings + 1
    else
      others = tk
    end
  end
  if others then return nil, "keys must be strings or array indices, got a " .. others end
  if n > 0 and strings > 0 then return nil, "a table mixes array items and named fields" end
  if n > 0 then
    for i = 1, n do
      if t[i] == nil then return nil, "array has a hole at index " .. i end
    end
    return "array"
  end
  if strings == 0 and getmetatable(t) == array_mt then return "array" end
  return "object"
end
M.kind_of = kind_of

local encode_value

-- Tables nested deeper than this are refused, quickly and with the path.
M.MAX_ENCODE_DEPTH = 100

local function encode_table(t, path, seen, out, depth)
  if seen[t] then return nil, path .. ": contains a cycle" end
  if depth > M.MAX_ENCODE_DEPTH then
    return nil, path:sub(1, 200) .. "...: nested deeper than " .. M.MAX_ENCODE_DEPTH .. " levels"
  end
  local mt = getmetatable(t)
  if mt ~= nil and mt ~= array_mt then -- a proxy: what its __pairs lists
    local plain, why = tables.plain(t)
    if not plain then return nil, path .. ": " .. why end
    if plain ~= t then
      seen[t] = true
      local ok, err = encode_table(plain, path, seen, out, depth)
      seen[t] = nil
      return ok, err
    end
  end
  local kind, why = kind_of(t)
  if not kind then return nil, path .. ": " .. why end
  seen[t] = true
  if kind == "array" then
    out[#out + 1] = "["
    for i = 1, #t do
      if i > 1 then out[#out + 1] = "," end
      local ok, err = encode_value(t[i], path .. "[" .. i .. "]", seen, out, depth + 1)
      if not ok then return nil, err end
    end
    out[#out + 1] = "]"
  else
    local keys = {}
    for k in pairs(t) do keys[#keys + 1] = k end
    table.sort(keys) -- deterministic bodies: reproducible signatures
    out[#out + 1] = "{"
    for i, k in ipairs(keys) do
      if i > 1 then out[#out + 1] = "," end
      out[#out + 1] = quote(k)
      out[#out + 1] = ":"
      local ok, err = encode_value(t[k], path .. "." .. k, seen, out, depth + 1)
      if not ok then return nil, err end
    end
    out[#out + 1] = "}"
  end
  seen[t] = nil
  return true
end

function encode_value(v, path, seen, out, depth)
  local tv = type(v)
  if tv == "string" then
    out[#out + 1] = quote(v)
  elseif tv == "number" then
    local s, why = M.format_number(v)
    if not s then return nil, path .. ": " .. why end
    out[#out + 1] = s
  elseif tv == "boolean" then
    out[#out + 1] = v and "true" or "false"
  elseif v == cjson.null then
    out[#out + 1] = "null"
  elseif tv == "table" then
    return encode_table(v, path, seen, out, depth)
  else
    return nil, path .. ": cannot encode a " .. tv .. " as JSON"
  end
  return true
end

-- encode(v [, name]) -> string | nil, reason (the reason names the path)
function M.encode(v, name)
  local out = {}
  local ok, err = encode_value(v, name or "value", {}, out, 0)
  if not ok then return nil, err end
  return table.concat(out)
end

-- Lua 5.3+: cjson 2.1 decodes every number as a float, so a count would
-- print as "25.0"; the core turns integral values within 2^53 back into
-- integers (a no-op on LuaJIT).
local integers = require("cloudapi.core").integers
local has_integers = math.type ~= nil

-- decode(s) -> value | nil, reason
function M.decode(s)
  local v, err = decoder.decode(s)
  if has_integers and type(v) == "table" then integers(v) end
  return v, err
end

-- decode_object(s) -> table | nil, reason: a response body that must be a
-- JSON object
function M.decode_object(s)
  local v, err = M.decode(s)
  if v == nil then return nil, "invalid JSON: " .. tostring(err) end
  if type(v) ~= "table" then return nil, "expected a JSON object, got " .. type(v) end
  return v
end

return M
