-- Dotted paths into decoded answers: "Instances.Instance.1.Status". A
-- segment of digits is a 1-based list index (Lua's own), any other a field
-- name. One module for every reader of paths: client:items, client:wait,
-- and the command line's --query, rows= and cols=.
local M = {}

local cache = setmetatable({}, { __mode = "v" }) -- path text -> segments

-- parse(path) -> segments | nil, reason
function M.parse(path)
  if type(path) == "table" then return path end
  if type(path) ~= "string" then return nil, "a path must be a string such as \"Instances.Instance\"" end
  local segs = cache[path]
  if segs then return segs end
  if path == "" then return nil, "the path is empty" end
  segs = {}
  for seg in (path .. "."):gmatch("([^.]*)%.") do
    if seg == "" then return nil, "path '" .. path .. "' has an empty segment" end
    local n = seg:match("^%d+$") and tonumber(seg)
    if n == 0 then return nil, "path '" .. path .. "': indexes start at 1" end
    segs[#segs + 1] = n or seg
  end
  segs.text = path
  cache[path] = segs
  return segs
end

-- get(value, path) -> the value at path, or nil when any step is missing
-- (a JSON null counts as missing). path: a string or parse()'s segments.
-- A numeric segment also finds a field of that name ({"1": ...}).
function M.get(value, path)
  local segs = M.parse(path)
  if not segs then return nil end
  for i = 1, #segs do
    if type(value) ~= "table" then return nil end
    local k = segs[i]
    local v = value[k]
    if v == nil and type(k) == "number" then v = value[tostring(k)] end
    value = v
  end
  if type(value) == "userdata" then return nil end -- cjson.null
  return value
end

-- set(root, path, v): stores v at path, making tables on the way.
function M.set(root, path, v)
  local segs = assert(M.parse(path))
  local t = root
  for i = 1, #segs - 1 do
    local k = segs[i]
    if type(t[k]) ~= "table" then t[k] = {} end
    t = t[k]
  end
  t[segs[#segs]] = v
end

return M
