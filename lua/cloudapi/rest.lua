-- What the REST clients (Huawei, Alibaba ROA) check of a request alike:
-- the method, and the body (a table sent as JSON, a string as it is) with
-- the Content-Type it gets unless the caller gave one.
local json = require "cloudapi.json"
local errors = require "cloudapi.errors"

local M = {}

local METHODS = { GET = true, POST = true, PUT = true, DELETE = true, PATCH = true, HEAD = true }

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

return M
