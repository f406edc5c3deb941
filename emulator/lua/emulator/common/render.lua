-- One renderer for both wire formats: the same Lua value becomes JSON or
-- XML, so the two forms can never disagree. Objects keep an explicit key
-- order (obj(k, v, ...)); lists are marked (list{...}) so an empty list is still a
-- list ([] in JSON, nothing in XML).

local M = {}

local OBJ, LIST = {}, {}

-- JSON null (an object field that must be present with no value).
M.null = setmetatable({}, { __tostring = function() return "null" end })
local format, gsub, concat, type = string.format, string.gsub, table.concat, type

-- obj("K1", v1, "K2", v2, ...) : ordered object; nil values are skipped
-- (varargs, not a table constructor, so trailing nils are counted).
function M.obj(...)
  local n = select("#", ...)
  local kv = { ... }
  local o = { keys = {}, vals = {} }
  for i = 1, n, 2 do
    local k, v = kv[i], kv[i + 1]
    if v ~= nil then
      o.keys[#o.keys + 1] = k
      o.vals[#o.vals + 1] = v
    end
  end
  return setmetatable(o, OBJ)
end

-- Appends a field to an ordered object (or replaces an existing one).
function M.set(o, k, v)
  for i, key in ipairs(o.keys) do
    if key == k then o.vals[i] = v; return o end
  end
  o.keys[#o.keys + 1] = k
  o.vals[#o.vals + 1] = v
  return o
end

-- Copy of an ordered object with field k in front (e.g. RequestId).
function M.prepend(o, k, v)
  local c = M.obj(k, v)
  for i, key in ipairs(o.keys) do
    if key ~= k then c.keys[#c.keys + 1] = key; c.vals[#c.vals + 1] = o.vals[i] end
  end
  return c
end

function M.list(t)
  return setmetatable(t or {}, LIST)
end

local function is_obj(v) return getmetatable(v) == OBJ end
local function is_list(v) return getmetatable(v) == LIST end
M.is_obj, M.is_list = is_obj, is_list

local function scalar_text(v)
  if type(v) == "number" then
    if v == math.floor(v) and v > -2^53 and v < 2^53 then
      return format("%d", v)
    end
    return format("%.14g", v)
  end
  return tostring(v)
end

---------------------------------------------------------------- JSON
local json_esc = {
  ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t",
}
local function json_str(s)
  return '"' .. gsub(s, '[%c"\\]', function(c)
    return json_esc[c] or format("\\u%04x", string.byte(c))
  end) .. '"'
end

local function json(v, out)
  local t = type(v)
  if t == "string" then
    out[#out + 1] = json_str(v)
  elseif v == M.null then
    out[#out + 1] = "null"
  elseif t == "number" or t == "boolean" then
    out[#out + 1] = scalar_text(v)
  elseif is_obj(v) then
    out[#out + 1] = "{"
    for i, k in ipairs(v.keys) do
      if i > 1 then out[#out + 1] = "," end
      out[#out + 1] = json_str(k) .. ":"
      json(v.vals[i], out)
    end
    out[#out + 1] = "}"
  elseif is_list(v) then
    out[#out + 1] = "["
    for i, item in ipairs(v) do
      if i > 1 then out[#out + 1] = "," end
      json(item, out)
    end
    out[#out + 1] = "]"
  else
    error("render: unsupported value of type " .. t)
  end
end

function M.json(v)
  local out = {}
  json(v, out)
  return concat(out)
end

---------------------------------------------------------------- XML
local xml_esc = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&apos;" }
function M.xml_text(s)
  s = gsub(s, "[&<>\"']", xml_esc)
  -- control characters other than tab/LF/CR cannot appear in XML 1.0 at all
  return (gsub(s, "[%z\1-\8\11\12\14-\31\127]", "?"))
end

-- A field whose value is a list repeats its element: the JSON
-- {"Region":[a,b]} becomes <Region>a</Region><Region>b</Region>.
local function xml_field(k, v, out)
  if is_list(v) then
    for _, item in ipairs(v) do xml_field(k, item, out) end
    return
  end
  out[#out + 1] = "<" .. k .. ">"
  if is_obj(v) then
    for i, ck in ipairs(v.keys) do xml_field(ck, v.vals[i], out) end
  elseif v ~= M.null then -- null: an empty element
    out[#out + 1] = M.xml_text(scalar_text(v))
  end
  out[#out + 1] = "</" .. k .. ">"
end

function M.xml(root, v)
  local out = { "<?xml version='1.0' encoding='UTF-8'?>" }
  xml_field(root, v, out)
  return concat(out)
end

return M
