-- client:pages(...) and client:items(..., path): iterators over every page
-- of a list call and over the items at a dotted path. Each page is a
-- normal call of the client (signed, retried); cloudapi.page_styles says
-- how to get from one page to the next. A step returns the page (or item),
-- or false, err once, after which the iteration ends: the pages and items
-- before a failure are already delivered.
--
-- A client class says where a call's parameters are (client.CALL):
--   { method = "call", params = 2, opts = 3 }     RPC: call(action, params, opts)
--   { method = "request", query = 3, opts = 3 }   REST: request(method, path, {query=})
-- and the call options may name the style: { paging = "token" }.
local errors = require "cloudapi.errors"
local lookup = require "cloudapi.lookup"
local styles = require "cloudapi.page_styles"

local M = {}

local unpack = table.unpack or unpack

local function copy(t)
  local c = {}
  if type(t) == "table" then for k, v in pairs(t) do c[k] = v end end
  return c
end

-- A call's arguments split by the client's shape: the parameters, the
-- options without `paging`, and the style named there.
local function split(client, args)
  local shape = client.CALL
  if type(shape) ~= "table" then error("cloudapi: this client cannot page (no CALL shape)", 3) end
  local opts = args[shape.opts]
  local named = type(opts) == "table" and opts.paging or nil
  local clean = opts
  if named ~= nil then
    clean = copy(opts)
    clean.paging = nil
  end
  local params
  if shape.params then params = args[shape.params] else params = type(opts) == "table" and opts.query end
  return shape, params, clean, named
end

-- The arguments of one page's call: the first request's, with `extra`
-- parameters set.
local function page_args(shape, args, params, clean, extra)
  local a = { n = math.max(args.n, shape.opts) }
  for i = 1, a.n do a[i] = args[i] end
  local p = copy(params)
  for k, v in pairs(extra) do p[k] = v end
  if shape.params then
    a[shape.params] = p
    a[shape.opts] = clean
  else
    local o = copy(clean)
    o.query = p
    a[shape.query] = o
  end
  return a
end

-- find_list(answer) -> path, list: the first non-empty list within three
-- levels (fields in name order), for pages whose item path is not given.
function M.find_list(answer)
  local level = { { answer, nil } }
  for _ = 1, 3 do
    local nextl = {}
    for _, entry in ipairs(level) do
      local t, path = entry[1], entry[2]
      local names = {}
      for k, v in pairs(t) do
        if type(k) == "string" and type(v) == "table" then names[#names + 1] = k end
      end
      table.sort(names)
      for _, k in ipairs(names) do
        local v, p = t[k], path and (path .. "." .. k) or k
        if v[1] ~= nil then return p, v end
        nextl[#nextl + 1] = { v, p }
      end
    end
    level = nextl
  end
  return nil
end

local function paging_error(why, n, info)
  return errors.new{ kind = "decode", message = "paging stopped: " .. why, page = n,
                     request_id = info and info.request_id }
end

local function failing(err)
  local given = false
  return function()
    if given then return nil end
    given = true
    return false, err
  end
end

-- The list at path in a page: a table, nil (none: no items), or false, err.
local function list_at(page, segs, n)
  local list = lookup.get(page, segs)
  local what = type(list)
  if list == nil or (what == "table" and (list[1] ~= nil or next(list) == nil)) then return list end
  if what == "table" then what = "object" end
  return false, errors.new{ kind = "decode", page = n,
    message = string.format("page %d: '%s' is a%s %s, not a list", n, segs.text,
                            what == "object" and "n" or "", what) }
end

-- pager(client, path, args) -> step function: page, nil, info, list |
-- false, err | nil (the end). path: the items' path or nil (found in the
-- first page that has a list).
local function pager(client, path, args)
  local shape, params, clean, named = split(client, args)
  local cursor, why = styles.cursor(named, params)
  if not cursor then return failing(errors.config(why)) end
  local segs
  if path ~= nil then
    segs, why = lookup.parse(path)
    if not segs then return failing(errors.config(why)) end
  end
  local extra, n, done, pending = {}, 0, false, nil
  local method = shape.method
  return function()
    if pending then
      local e = pending
      pending, done = nil, true
      return false, e
    end
    if done then return nil end
    n = n + 1
    local a = page_args(shape, args, params, clean, extra)
    local page, err, info = client[method](client, unpack(a, 1, a.n))
    if page == nil then
      done = true
      return false, err
    end
    if not segs then
      local found = M.find_list(page)
      segs = found and lookup.parse(found)
    end
    local list
    if segs then
      list, err = list_at(page, segs, n)
      if list == false then
        done = true
        return false, err
      end
    end
    local more
    more, why = cursor:feed(page, list and #list or 0)
    if more == false then
      pending = paging_error(why, n, info)
    elseif more == nil then
      done = true
    else
      extra = more
    end
    return page, nil, info, list
  end, cursor
end
M.pager = pager

local function pack(...) return { n = select("#", ...), ... } end

-- pages(client, call arguments...) -> iterator: page, nil, info | false, err
function M.pages(client, ...)
  local step = pager(client, nil, pack(...))
  return function()
    local page, err, info = step()
    return page, err, info
  end
end

-- items(client, call arguments..., path) -> iterator: item | false, err
function M.items(client, ...)
  local args = pack(...)
  local path = args[args.n]
  args[args.n], args.n = nil, args.n - 1
  if type(path) ~= "string" then
    return failing(errors.config("items: the last argument must be the items' path, such as " ..
                                 "\"Instances.Instance\""))
  end
  local step = pager(client, path, args)
  local list, i = nil, 0
  return function()
    while true do
      if list and i < #list then
        i = i + 1
        return list[i]
      end
      local page, err, _, l = step()
      if page == nil then return nil end
      if page == false then return false, err end
      list, i = l or {}, 0
    end
  end
end

return M
