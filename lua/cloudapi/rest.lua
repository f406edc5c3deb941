-- What the REST clients (Huawei, Alibaba ROA) do alike: check a request's
-- method, query, the caller's headers and the body (a table sent as JSON, a
-- string as it is) with the Content-Type it gets unless the caller gave
-- one; which requests may be retried; the get/post/... shorthands.
local json = require "cloudapi.json"
local errors = require "cloudapi.errors"
local headers_check = require "cloudapi.headers"

local M = {}

local METHODS = { GET = true, POST = true, PUT = true, DELETE = true, PATCH = true, HEAD = true }
-- METHOD["get"], ["Get"], ["GET"] ... -> "GET": what method() returns for
-- the usual spellings, in one lookup a hot path can make itself.
M.METHOD = {}
for m in pairs(METHODS) do
  M.METHOD[m], M.METHOD[m:lower()], M.METHOD[m:sub(1, 1) .. m:sub(2):lower()] = m, m, m
end

-- method(m) -> "GET" ... | nil, err
function M.method(m)
  local upper = type(m) == "string" and m:upper()
  if not METHODS[upper] then
    return nil, errors.config("method must be one of GET, POST, PUT, DELETE, PATCH, HEAD, got " .. tostring(m))
  end
  return upper
end

-- body(body, h, own, string_type) -> the body to send (nil for none) | nil, err
-- h: the request's headers, given Content-Type (application/json for a
-- table, string_type for a string) unless own (the caller's headers by
-- lowercase name) has one.
function M.body(body, h, own, string_type)
  local tb, ctype = type(body), nil
  if tb == "table" then
    local why
    body, why = json.encode(body, "body")
    if not body then return nil, errors.config(why) end
    ctype = "application/json"
  elseif tb == "string" then
    ctype = string_type
  elseif body ~= nil then
    return nil, errors.config("body must be a table (sent as JSON) or a string")
  end
  if ctype and not own["content-type"] then h["Content-Type"] = ctype end
  return body
end

local NONE = {}
local scalar = require("cloudapi.values").scalar
local tables = require "cloudapi.tables"
local find, format, floor = string.find, string.format, math.floor

-- query(q, lists) -> the query as strings (a list of strings for a
-- repeated name when lists) | nil, err
function M.query(q, lists)
  local out = {}
  if q == nil then return out end
  if type(q) ~= "table" then return nil, errors.config("query must be a table") end
  local plain, unlisted = tables.plain(q)
  if not plain then return nil, errors.config("query " .. unlisted) end
  for k, v in pairs(plain) do
    if type(k) ~= "string" or k == "" then
      return nil, errors.config("query parameter names must be non-empty strings")
    end
    local tv = type(v)
    if tv == "string" and not find(v, "\0", 1, true) then
      out[k] = v -- the common cases without a call: text, and integers below 2^53
    elseif tv == "number" and v == floor(v) and v > -2^53 and v < 2^53 then
      out[k] = format("%d", v)
    elseif tv == "table" and lists then
      -- A list repeats the key; a map has no query form.
      local why, kind
      v, why = tables.plain(v)
      if v then kind, why = json.kind_of(v) end
      if v and kind == "object" and next(v) ~= nil then why = "a map cannot be sent in a query" end
      if why then return nil, errors.config("query parameter '" .. k .. "': " .. why) end
      local list = {}
      for i = 1, #v do
        local s, bad = scalar(v[i], "query parameter", k)
        if not s then return nil, errors.config(bad) end
        list[i] = s
      end
      out[k] = list
    else
      local s, why = scalar(v, "query parameter", k)
      if not s then return nil, errors.config(why) end
      out[k] = s
    end
  end
  return out
end

-- headers_and_body(opts, reserved, string_type) -> headers (a copy of the
-- caller's, to complete), the caller's by lowercase name, body | nil, err
function M.headers_and_body(opts, reserved, string_type)
  local h, own = headers_check.check(opts.headers, reserved)
  if not h then return nil, errors.config(own) end
  own = own or NONE
  local body, err = M.body(opts.body, h, own, string_type)
  if err then return nil, err end
  return h, own, body
end

-- idempotent(method, opts) -> whether a failed attempt may be sent again:
-- not a POST or PATCH, unless the call says so (opts.idempotent = true).
function M.idempotent(method, opts)
  if opts and opts.idempotent == true then return true end
  local upper = type(method) == "string" and method:upper()
  return upper ~= "POST" and upper ~= "PATCH"
end

-- shorthands(class): class:get(path, opts) ... for class:request(method, path, opts)
function M.shorthands(class)
  for _, m in ipairs({ "get", "post", "put", "patch", "delete", "head" }) do
    local method = m:upper()
    class[m] = function(self, path, opts) return self:request(method, path, opts) end
  end
end

return M
