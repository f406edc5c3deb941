-- XML response bodies -> Lua tables with lua-expat, into the same shape as
-- the JSON form of the same response.
local M = {}

-- Elements nested deeper than this are refused, as cjson refuses deeper
-- JSON (cloudapi.json): no answer nests so deep, and the tree, its paths
-- and the recursion below all stay proportional to the body.
M.MAX_DEPTH = 200

-- "Regions" holds "Region" items, "EipAddresses" holds "EipAddress" ...:
-- such a container is a list even with one item, as in the JSON form.
-- Words ending in "us", "is" or "ss" (Status, Analysis, Address) are not
-- plurals.
local function singular(name)
  if name:sub(-3) == "ies" then return name:sub(1, -4) .. "y" end
  if name:sub(-4) == "sses" or name:sub(-4) == "shes" or name:sub(-4) == "ches"
     or name:sub(-4) == "uses" or name:sub(-3) == "xes" then
    return name:sub(1, -3)
  end
  local tail = name:sub(-2)
  if name:sub(-1) == "s" and tail ~= "ss" and tail ~= "us" and tail ~= "is" and #name > 1 then
    return name:sub(1, -2)
  end
  return nil
end
M.singular = singular

-- Text to the scalar the JSON form would carry: plain integers (no leading
-- zero, up to 15 digits) and true/false; everything else stays a string.
local function scalar(text)
  if text == "true" then return true end
  if text == "false" then return false end
  if #text <= 16 and (text == "0" or text:match("^%-?[1-9]%d*$")) then
    return tonumber(text)
  end
  return text
end

-- A node's dotted path below the root ("A.B"), made only when xml_lists
-- asks about it.
local function path_of(node)
  local names = {}
  while node.parent and node.parent.parent do
    table.insert(names, 1, node.name)
    node = node.parent
  end
  return table.concat(names, ".")
end

local function listed(lists, node)
  return next(lists) ~= nil and lists[path_of(node)] == true
end

-- An empty element: an empty container ({Item = {}}) when it is named as
-- a plural or xml_lists names a list below it, else the empty string.
local function empty(node, lists)
  if next(lists) ~= nil then
    local prefix = path_of(node) .. "."
    for p in pairs(lists) do
      if type(p) == "string" and p:sub(1, #prefix) == prefix and not p:find(".", #prefix + 1, true) then
        return { [p:sub(#prefix + 1)] = {} }
      end
    end
  end
  local item = singular(node.name)
  if item then return { [item] = {} } end
  return ""
end

local function convert(node, lists)
  local children = node.children
  if #children == 0 then
    local text = table.concat(node.text)
    if text:match("^%s*$") then return empty(node, lists) end
    return scalar(text)
  end
  local counts = {}
  for _, c in ipairs(children) do counts[c.name] = (counts[c.name] or 0) + 1 end
  local t = {}
  local item = singular(node.name)
  for _, c in ipairs(children) do
    local v = convert(c, lists)
    if counts[c.name] > 1 or c.name == item or listed(lists, c) then
      local list = t[c.name]
      if type(list) ~= "table" then list = {}; t[c.name] = list end
      list[#list + 1] = v
    else
      t[c.name] = v
    end
  end
  return t
end

-- decode(body [, lists]) -> root name, table | nil, reason
-- lists: optional set of dotted paths below the root ("A.B") always lists.
function M.decode(body, lists)
  local ok, lxp = pcall(require, "lxp")
  if not ok then return nil, "XML needs lua-expat (module lxp)" end
  local root = { name = "", children = {}, text = {} }
  local top, depth, too_deep = root, 0, false
  local parser
  parser = lxp.new({
    StartElement = function(_, name)
      depth = depth + 1
      if depth > M.MAX_DEPTH then
        too_deep = true
        return parser:stop()
      end
      local node = { name = name, children = {}, text = {}, parent = top }
      top.children[#top.children + 1] = node
      top = node
    end,
    EndElement = function()
      depth = depth - 1
      top = top.parent
    end,
    CharacterData = function(_, text)
      top.text[#top.text + 1] = text
    end,
  })
  local parsed, err = parser:parse(body)
  if parsed then parsed, err = parser:parse() end
  pcall(parser.close, parser) -- raises on an unfinished document; parse already said why
  if too_deep then return nil, "invalid XML: nested deeper than " .. M.MAX_DEPTH .. " elements" end
  if not parsed then return nil, "invalid XML: " .. tostring(err) end
  local first = root.children[1]
  if not first then return nil, "invalid XML: no root element" end
  local value = convert(first, lists or {})
  if type(value) ~= "table" then value = {} end
  return first.name, value
end

return M
