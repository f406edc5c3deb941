-- Paging shared by the Describe* actions: PageNumber / PageSize (TotalCount),
-- and for the actions that have it NextToken / MaxResults. A token is
-- opaque to clients; here it carries the index of the next item and a hash
-- of the query it belongs to, so a token from another query is refused.
-- The faults "empty_page" and "repeat_token" (faults.lua) are applied here.

local M = {}

local function bad(name)
  return { status = 400, code = "InvalidParameter",
           message = 'The specified parameter "' .. name .. '" is not valid.' }
end

local function int_param(p, name, lo, hi)
  local v = p[name]
  local n = v:match("^%d+$") and tonumber(v)
  if not n or n < lo or n > hi then return nil, bad(name) end
  return n
end

-- Returns number, size or nil, err. Values must be plain decimal integers.
function M.parse(p, default_size, max_size)
  local number, size = 1, default_size
  local err
  if p.PageNumber ~= nil then
    number, err = int_param(p, "PageNumber", 1, 1e9)
    if not number then return nil, err end
  end
  if p.PageSize ~= nil then
    size, err = int_param(p, "PageSize", 1, max_size)
    if not size then return nil, err end
  end
  return number, size
end

-- Items of page `number` (1-based) of `items`; none under an empty_page fault.
function M.slice(items, number, size, fault)
  local out = {}
  if fault and fault.kind == "empty_page" then return out end
  for i = (number - 1) * size + 1, math.min(#items, number * size) do
    out[#out + 1] = items[i]
  end
  return out
end

-- Whether the request asks for token paging.
function M.by_token(p)
  return p.NextToken ~= nil or p.MaxResults ~= nil
end

local function token(scope, index)
  return ngx.md5(scope):sub(1, 8) .. string.format("%08x", index)
end

-- by_token: returns the first index and the size, or nil, err. scope: what
-- the query is (region, filters); a token of another scope is refused.
function M.parse_token(p, scope, default_size, max_size)
  local size, err = default_size
  if p.MaxResults ~= nil then
    size, err = int_param(p, "MaxResults", 1, max_size)
    if not size then return nil, err end
  end
  if p.NextToken == nil or p.NextToken == "" then return 1, size end
  local hash, hex = p.NextToken:match("^(%x%x%x%x%x%x%x%x)(%x%x%x%x%x%x%x%x)$")
  if not hash or hash ~= ngx.md5(scope):sub(1, 8) then return nil, bad("NextToken") end
  return tonumber(hex, 16), size
end

-- The items from `first` (at most size) and the token of the rest ("" at
-- the end). A repeat_token fault answers the request's own token again.
function M.token_page(items, first, size, scope, p, fault)
  local out = {}
  if not (fault and fault.kind == "empty_page") then
    for i = first, math.min(#items, first + size - 1) do out[#out + 1] = items[i] end
  end
  local nxt = first + size <= #items and token(scope, first + size) or ""
  if fault and fault.kind == "repeat_token" and p.NextToken then nxt = p.NextToken end
  return out, nxt
end

-- Whether a request continues a listing (the paging faults hit only those).
function M.continues(p)
  return (p.NextToken ~= nil and p.NextToken ~= "") or (tonumber(p.PageNumber or "1") or 1) > 1
end

return M
