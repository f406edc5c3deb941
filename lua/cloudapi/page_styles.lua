-- The ways APIs page, and how to go from one page to the next. A cursor is
-- made from the first request's parameters (and a style the caller may
-- name), learns its variant from the request or else from the first
-- answer, and after each answer says which parameters the next request
-- sets, or that this was the last page, or why paging cannot go on (a
-- token the server gave before, an empty page while the total says more).
-- Pure: plain tables in, plain tables out (cloudapi.paginate calls).
local lookup = require "cloudapi.lookup"

local M = {}

-- In the order an undecided answer is tried: a non-empty token first (ECS
-- answers both NextToken and TotalCount and recommends the token).
--   cursor: the request parameter that moves; size: the page size parameter
--   next: where the answer's token is; total: where its total count is;
--   echo: where it says which page it is
local VARIANTS = {
  { style = "token",  cursor = "NextToken",   size = "MaxResults",  next = "NextToken" },   -- Alibaba RPC
  { style = "token",  cursor = "next_token",  size = "max_results", next = "next_token" },  -- Alibaba ROA
  { style = "marker", cursor = "marker",      size = "limit",       next = "page_info.next_marker" }, -- Huawei
  { style = "number", cursor = "PageNumber",  size = "PageSize",    total = "TotalCount",   -- Alibaba RPC
    echo = "PageNumber", echo_size = "PageSize" },
  { style = "number", cursor = "page_number", size = "page_size",   total = "page_info.total_count", -- ROA
    echo = "page_info.page_number", echo_size = "page_info.page_size" },
  { style = "offset", cursor = "offset",      size = "limit",       total = "total_count" }, -- Huawei
}
M.VARIANTS = VARIANTS

M.STYLES = { token = true, number = true, offset = true, marker = true }

local Cursor = {}
Cursor.__index = Cursor

local function present(v)
  return v ~= nil and type(v) ~= "userdata" and v ~= "" -- userdata: cjson.null
end

-- cursor(named, params) -> cursor | nil, reason. named: nil (detect) or
-- one of M.STYLES; params: the first request's parameters (or nil).
function M.cursor(named, params)
  if named ~= nil and not M.STYLES[named] then
    return nil, "paging must be \"token\", \"number\", \"offset\" or \"marker\", got " ..
                (type(named) == "string" and ("\"" .. named .. "\"") or ("a " .. type(named)))
  end
  params = type(params) == "table" and params or {}
  local candidates = {}
  for _, v in ipairs(VARIANTS) do
    if named == nil or v.style == named then candidates[#candidates + 1] = v end
  end
  local c = setmetatable({ candidates = candidates, seen = {}, page = 0 }, Cursor)
  -- The request decides when it names a cursor, or a size no other variant uses.
  for _, v in ipairs(candidates) do
    if params[v.cursor] ~= nil then c.variant = v; break end
  end
  if not c.variant then
    local sized = {}
    for _, v in ipairs(candidates) do
      if params[v.size] ~= nil then sized[#sized + 1] = v end
    end
    if #sized == 1 then c.variant = sized[1] elseif #sized > 1 then c.candidates = sized end
  end
  c.params = params
  local v = c.variant
  if v and present(params[v.cursor]) and v.next then c.seen[tostring(params[v.cursor])] = true end
  return c
end

local function number(v)
  if type(v) == "string" then return tonumber(v) end
  if type(v) == "number" then return v end
  return nil
end

-- From the first answer: the first candidate whose fields it has.
local function detect(self, answer)
  for _, v in ipairs(self.candidates) do
    if v.next and present(lookup.get(answer, v.next)) then return v end
    if v.total and number(lookup.get(answer, v.total)) then return v end
  end
  return nil
end

local function token_step(self, v, answer)
  local nxt = lookup.get(answer, v.next)
  if not present(nxt) then return nil end
  nxt = tostring(nxt)
  if self.seen[nxt] then
    return false, string.format("the answer to page %d repeats %s '%s', which an earlier page gave: " ..
                                "paging would never end", self.page, v.next, nxt)
  end
  self.seen[nxt] = true
  return { [v.cursor] = nxt }
end

local function empty(self, v, total, at)
  return false, string.format("page %d is empty but %s says %d (%d before it): the server lost " ..
                              "items while paging", self.page, v.total, total, at)
end

local function number_step(self, v, answer, count)
  local p = self.params
  local asked = self.number or number(p[v.cursor]) or 1
  local echoed = number(lookup.get(answer, v.echo))
  if echoed and echoed ~= asked then
    return false, string.format("asked for page %d, the answer says %s %d", asked, v.echo, echoed)
  end
  local size = number(lookup.get(answer, v.echo_size)) or number(p[v.size]) or self.first_count
  if not self.first_count then self.first_count = count end
  local total = number(lookup.get(answer, v.total))
  local before = (asked - 1) * (size or 0)
  if count == 0 and total and before < total then return empty(self, v, total, before) end
  if not size or size < 1 then return nil end
  if total then
    if before + size >= total then return nil end
  elseif count < size then
    return nil
  end
  self.number = asked + 1
  return { [v.cursor] = asked + 1 }
end

local function offset_step(self, v, answer, count)
  local at = self.offset or number(self.params[v.cursor]) or 0
  local total = number(lookup.get(answer, v.total))
  local size = number(self.params[v.size])
  if count == 0 then
    if total and at < total then return empty(self, v, total, at) end
    return nil
  end
  local nxt = at + count
  if total then
    if nxt >= total then return nil end
  elseif not size or count < size then
    return nil
  end
  self.offset = nxt
  return { [v.cursor] = nxt }
end

-- cursor:feed(answer, count) -> params for the next request | nil (that
-- was the last page) | false, reason. count: the items on this page.
function Cursor:feed(answer, count)
  self.page = self.page + 1
  if type(answer) ~= "table" then return nil end
  local v = self.variant
  if not v then
    v = detect(self, answer)
    if not v then return nil end -- no paging fields: a single page
    self.variant = v
  end
  count = count or 0
  if v.next then return token_step(self, v, answer) end
  if v.style == "number" then return number_step(self, v, answer, count) end
  return offset_step(self, v, answer, count)
end

-- Where the answer keeps the next-page cursor (for a merged result that
-- should not carry one), or nil.
function Cursor:next_field()
  return self.variant and self.variant.next
end

return M
