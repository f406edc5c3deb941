-- What the command prints for a result: pretty JSON (keys sorted, two
-- spaces), the answer's body as sent (raw), or an aligned table of columns
-- over a list of rows; --query picks a value first. Lua tables do not say
-- whether an empty one was [] or {}: below the top an empty table prints
-- as [] (APIs' empty lists), at the top as {}.
local json = require "cloudapi.json"
local lookup = require "cloudapi.lookup"
local paginate = require "cloudapi.paginate"

local M = {}

local function scalar(v)
  if type(v) == "userdata" then return "null" end -- cjson.null
  return assert(json.encode(v))
end

local function pretty(v, indent, out, top)
  if type(v) ~= "table" then
    out[#out + 1] = scalar(v)
    return
  end
  local kind = json.kind_of(v)
  if next(v) == nil then
    out[#out + 1] = (top and kind ~= "array") and "{}" or "[]"
    return
  end
  local inner = indent .. "  "
  if kind == "array" then
    out[#out + 1] = "[\n"
    for i = 1, #v do
      out[#out + 1] = inner
      pretty(v[i], inner, out)
      out[#out + 1] = i < #v and ",\n" or "\n"
    end
    out[#out + 1] = indent .. "]"
    return
  end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = tostring(k) end
  table.sort(keys)
  out[#out + 1] = "{\n"
  for i, k in ipairs(keys) do
    out[#out + 1] = inner .. scalar(k) .. ": "
    pretty(v[k], inner, out)
    out[#out + 1] = i < #keys and ",\n" or "\n"
  end
  out[#out + 1] = indent .. "}"
end

-- json(v) -> pretty JSON text (no trailing newline)
function M.json(v)
  local out = {}
  pretty(v, "", out, true)
  return table.concat(out)
end

-- compact(v) -> one-line JSON (keys sorted)
function M.compact(v)
  if v == nil or type(v) == "userdata" then return "null" end
  return json.encode(v) or "null"
end

-- A cell: text as is, numbers and booleans as JSON writes them, anything
-- else as compact JSON; nothing for a missing value.
local function cell(v)
  if v == nil then return "" end
  if type(v) == "string" then return v end
  return M.compact(v)
end

local function width(s)
  local _, n = s:gsub("[^\128-\191]", "") -- UTF-8 characters, not bytes
  return n
end

-- columns("A,B.C") -> {"A", "B.C"} | nil, reason
function M.columns(cols)
  local names = {}
  for name in (cols .. ","):gmatch("([^,]*),") do
    if name == "" then return nil, "--output cols=" .. cols .. ": an empty column name" end
    local ok, why = lookup.parse(name)
    if not ok then return nil, "--output cols=: " .. why end
    names[#names + 1] = name
  end
  return names
end

-- table(v, cols, rows) -> text | nil, reason. cols: "A,B.C"; rows: a path to
-- the list (default: v itself when it is a list, else the first list in it,
-- else v as the one row: a single resource, such as a REST GET answers).
function M.table(v, cols, rows)
  local list
  if rows then
    local segs, why = lookup.parse(rows)
    if not segs then return nil, "--output rows=: " .. why end
    list = lookup.get(v, segs)
    if type(list) ~= "table" then return nil, "--output rows=" .. rows .. ": no list there" end
  elseif type(v) == "table" and (v[1] ~= nil or next(v) == nil) then
    list = v
  else
    local _
    _, list = paginate.find_list(type(v) == "table" and v or {})
    list = list or (type(v) == "table" and { v }) or {}
  end
  local names, why = M.columns(cols)
  if not names then return nil, why end
  local grid, widths = { names }, {}
  for i, name in ipairs(names) do widths[i] = width(name) end
  for _, row in ipairs(list) do
    local line = {}
    for i, name in ipairs(names) do
      line[i] = cell(lookup.get(row, name)):gsub("[\r\n\t]", " ")
      widths[i] = math.max(widths[i], width(line[i]))
    end
    grid[#grid + 1] = line
  end
  local dashes = {}
  for i, w in ipairs(widths) do dashes[i] = string.rep("-", w) end
  table.insert(grid, 2, dashes)
  local out = {}
  for r, line in ipairs(grid) do
    local parts = {}
    for i, text in ipairs(line) do
      parts[i] = i < #line and (text .. string.rep(" ", widths[i] - width(text))) or text
    end
    out[r] = (table.concat(parts, " | "):gsub("%s+$", ""))
  end
  return table.concat(out, "\n")
end

-- render(value, opts) -> text | nil, reason. opts: output (flag value),
-- query (path), raw (the body as received, for an unqueried raw output)
function M.render(value, opts)
  local output = opts.output or { word = "json" }
  if opts.query then
    local segs, why = lookup.parse(opts.query)
    if not segs then return nil, "--query: " .. why end
    value = lookup.get(value, segs)
  end
  if output.cols then return M.table(value, output.cols, output.rows) end
  if output.rows then return nil, "--output rows= needs cols=" end
  if output.word == "raw" then
    if opts.query then return type(value) == "string" and value or M.compact(value) end
    return opts.raw or M.compact(value)
  end
  if value == nil then return "null" end
  return M.json(value)
end

return M
