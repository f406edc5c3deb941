-- XML response bodies -> Lua tables with lua-expat, into the same shape as
-- the JSON form of the same response.
local M = {}

-- "Regions" holds "Region" items, "EipAddresses" holds "EipAddress" ...:
-- such a container is a list even with one item, as in the JSON form.
local function singular(name)
  if name:sub(-3) == "ies" then return name:sub(1, -4) .. "y" end
  if name:sub(-4) == "sses" or name:sub(-4) == "shes" or name:sub(-4) == "ches"
     or name:sub(-3) == "xes" then
    return name:sub(1, -3)
  end
  if name:sub(-1) == "s" and name:sub(-2) ~= "ss" then return name:sub(1, -2) end
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

local function convert(node, lists, path)
  local children = node.children
  if #children == 0 then
    local text = table.concat(node.text)
    if text:match("^%s*$") then
      -- An empty container is an empty list, as JSON would send it.
      local item = singular(node.name)
      if item then return { [item] = {} } end
      return ""
    end
    return scalar(text)
  end
  local counts = {}
  for _, c in ipairs(children) do counts[c.name] = (counts[c.name] or 0) + 1 end
  local t = {}
  local item = singular(node.name)
  for _, c in ipairs(children) do
    local cpath = path .. "." .. c.name
    local v = convert(c, lists, cpath)
    if counts[c.name] > 1 or c.name == item or lists[cpath:sub(2)] then
      local list = t[c.name]
      if list == nil then list = {}; t[c.name] = list end
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
  local stack = { root }
  local parser = lxp.new({
    StartElement = function(_, name)
      local node = { name = name, children = {}, text = {} }
      local top = stack[#stack]
      top.children[#top.children + 1] = node
      stack[#stack + 1] = node
    end,
    EndElement = function()
      stack[#stack] = nil
    end,
    CharacterData = function(_, text)
      local top = stack[#stack]
      top.text[#top.text + 1] = text
    end,
  })
  local parsed, err = parser:parse(body)
  if parsed then parsed, err = parser:parse() end
  pcall(parser.close, parser) -- raises on an unfinished document; parse already said why
  if not parsed then return nil, "invalid XML: " .. tostring(err) end
  local top = root.children[1]
  if not top then return nil, "invalid XML: no root element" end
  local value = convert(top, lists or {}, "")
  if type(value) ~= "table" then value = {} end
  return top.name, value
end

return M
