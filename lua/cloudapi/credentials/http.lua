-- The HTTP requests of the providers that ask a local service (instance
-- metadata, a credentials URI): through a transport chosen at first use
-- (options.transport: cosockets inside nginx, curl elsewhere), errors
-- that say what failed and never quote a body (it may hold secrets).
local options = require "cloudapi.options"
local json = require "cloudapi.json"
local credentials = require "cloudapi.credentials"

local M = {}

local function raise(cond, msg) if not cond then error(msg, 0) end end

-- check(owner, opts, argcheck): the transport, tls and timeout options of a
-- provider, checked at construction; the transport is made at first use.
function M.check(owner, opts, argcheck, default_timeout)
  local t = opts.transport
  argcheck(t == nil or t == "curl" or t == "ngx" or (type(t) == "table" and type(t.send) == "function"),
           "transport must be \"curl\", \"ngx\" or an object with :send(req)")
  argcheck(opts.tls == nil or type(opts.tls) == "table", "tls must be a table {cainfo=, capath=, verify=}")
  owner.transport_spec, owner.tls = t, opts.tls
  owner.timeout = options.timeout(opts.timeout, default_timeout, argcheck)
end

-- base(endpoint, default, argcheck) -> the base URL of a local service:
-- the explicit endpoint= option (a URL) or the real address.
function M.base(endpoint, default, argcheck)
  if endpoint == nil then return default end
  local u, why = require("cloudapi.url").parse(endpoint)
  argcheck(u, tostring(why))
  return u.base
end

-- send(owner, req, what [, ctx]) -> response | nil, err. req: method, url,
-- headers; what: "the ECS metadata token request" (for messages); ctx: the
-- provider's, whose deadline (a call's) bounds the request.
function M.send(owner, req, what, ctx)
  local left, late = credentials.time_left(ctx, what) -- a call's deadline bounds the request
  if late then return nil, late end
  req.total_timeout = left
  local t = owner.http
  if not t then
    local ok, made = pcall(options.transport, owner.transport_spec, owner.tls, raise)
    if not ok then return nil, credentials.error(what .. ": " .. tostring(made)) end
    t, owner.http = made, made
  end
  req.timeout = req.timeout or owner.timeout
  local res, kind, msg = t:send(req)
  if not res then
    return nil, credentials.error(what .. " failed: " .. tostring(msg), { cause_kind = kind })
  end
  return res
end

-- object(res, what) -> the JSON object of a 200 answer | nil, err
function M.object(res, what)
  if res.status ~= 200 then
    return nil, credentials.error(what .. " answered HTTP " .. tostring(res.status), { status = res.status })
  end
  local v = json.decode(res.body or "")
  if type(v) ~= "table" then
    return nil, credentials.error(what .. " answered something that is not a JSON object")
  end
  return v
end

return M
