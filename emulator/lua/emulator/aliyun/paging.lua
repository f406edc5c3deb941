-- PageNumber / PageSize parsing and slicing shared by the Describe* actions.

local M = {}

local function bad(name)
  return { status = 400, code = "InvalidParameter",
           message = 'The specified parameter "' .. name .. '" is not valid.' }
end

-- Returns number, size or nil, err. Values must be plain decimal integers.
function M.parse(p, default_size, max_size)
  local number, size = 1, default_size
  if p.PageNumber ~= nil then
    number = p.PageNumber:match("^%d+$") and tonumber(p.PageNumber)
    if not number or number < 1 or number > 1e9 then return nil, bad("PageNumber") end
  end
  if p.PageSize ~= nil then
    size = p.PageSize:match("^%d+$") and tonumber(p.PageSize)
    if not size or size < 1 or size > max_size then return nil, bad("PageSize") end
  end
  return number, size
end

-- Items of page `number` (1-based) of `items`.
function M.slice(items, number, size)
  local out = {}
  for i = (number - 1) * size + 1, math.min(#items, number * size) do
    out[#out + 1] = items[i]
  end
  return out
end

return M
