-- Credential providers: the protocol, the plain providers (a table, a
-- function), the field check the clients run, and the public namespaces
-- cloudapi.credentials.aliyun and .huaweicloud (loaded on first use).
--
-- A provider is an object with :get(ctx) -> credential table | nil, err.
-- A temporary credential carries `expiration` (seconds since the epoch);
-- credentials/cache.lua refreshes those. ctx is what the calling client
-- lends (a provider may serve several clients): { label = "aliyun ecs",
-- on_event = function | nil, clock = function, global = Huawei global
-- service }. provider.stable = true promises that a table it returned is
-- never changed afterwards, so a client checks it once; provider.constant
-- = true that it always returns the same table, so a client stops asking.
-- Nothing is read at require or construction time.
local core = require "cloudapi.core"
local errors = require "cloudapi.errors"

local M = {}

function M.error(msg, fields)
  local e = { kind = "credentials", message = msg }
  for k, v in pairs(fields or {}) do e[k] = v end
  return errors.new(e)
end

-- time_left(ctx, what) -> the seconds before ctx.deadline (a call's: see
-- client.credential_ctx), nil without one | nil, err when it has passed
-- (what: the request that was not sent).
function M.time_left(ctx, what)
  local d = ctx and ctx.deadline
  if not d then return nil end
  local left = d - core.monotonic()
  if left <= 0 then
    return nil, M.error(what .. " was not sent: the call's deadline has passed", { cause_kind = "timeout" })
  end
  return left
end

local NO_CTX = {}
M.NO_CTX = NO_CTX

-- The value of a static provider lives here, out of reach of a dump of
-- the provider or of a client that holds it.
local static_values = setmetatable({}, { __mode = "k" })

local Static = { stable = true, constant = true }
Static.__index = Static
Static.__tostring = function(self) return "cloudapi.credentials(" .. self.name .. ")" end

function Static:get()
  return static_values[self]
end

-- static(value, name) -> provider returning a copy of value
function M.static(value, name)
  local copy = {}
  for k, v in pairs(value) do copy[k] = v end
  local p = setmetatable({ name = name }, Static)
  static_values[p] = copy
  return p
end

-- Function providers let callers plug in anything (a vault, ...); what they
-- return may change in place, so it is checked on every call.
local Func = {}
Func.__index = Func
Func.__tostring = function() return "cloudapi.credentials(function)" end

function Func:get()
  local ok, v, err = pcall(self.fn)
  if not ok then return nil, M.error("credential provider failed: " .. tostring(v)) end
  if v == nil then
    if errors.is_error(err) then return nil, err end
    return nil, M.error("credential provider returned nothing" .. (err and (": " .. tostring(err)) or ""))
  end
  return v
end

-- provider(spec, default) -> provider. spec: nil (default(): the cloud's
-- default chain), a table of fields, a function, or an object with :get().
function M.provider(spec, default)
  if spec == nil then return default() end
  local ts = type(spec)
  if ts == "function" then
    return setmetatable({ fn = spec }, Func)
  end
  if ts == "table" and type(spec.get) == "function" then
    return spec
  end
  if ts == "table" then return M.static(spec, "table") end
  error("credentials must be a table, a function or a provider, got a " .. ts, 3)
end

-- check(creds, fields) -> true | nil, err: each required field a non-empty
-- string without control characters, each optional one absent or a
-- string; the message names fields, never values.
function M.check(v, fields)
  if type(v) ~= "table" then return nil, M.error("credentials must be a table") end
  local missing
  for _, field in ipairs(fields.required) do
    local s = v[field]
    if s == nil or s == "" then
      missing = missing or {}
      missing[#missing + 1] = field
    elseif type(s) ~= "string" then
      return nil, M.error("credential field '" .. field .. "' must be a string")
    elseif s:find("[%c]") then
      return nil, M.error("credential field '" .. field .. "' contains control characters")
    end
  end
  for _, field in ipairs(fields.optional or {}) do
    local s = v[field]
    if s ~= nil and type(s) ~= "string" then
      return nil, M.error("credential field '" .. field .. "' must be a string")
    end
  end
  if missing then return nil, M.error("missing credentials: " .. table.concat(missing, ", ")) end
  return true
end

-- namespace(ns, prefix, exports) -> ns: a cloud's providers, loaded on
-- first use (exports: name -> { module under prefix, its function }), and
-- ns.default_provider(): the default chain ns.default() of every client of
-- the process created without credentials (they share what it found).
function M.namespace(ns, prefix, exports)
  local shared
  function ns.default_provider()
    shared = shared or ns.default()
    return shared
  end
  return setmetatable(ns, { __index = function(t, k)
    local e = exports[k]
    if not e then return nil end
    local v = require(prefix .. e[1])[e[2]]
    rawset(t, k, v)
    return v
  end })
end

-- Namespaces of the providers: cloudapi.credentials.aliyun.ecs_ram_role{...}
local CLOUDS = { aliyun = "cloudapi.aliyun.credentials", huaweicloud = "cloudapi.huaweicloud.credentials" }

return setmetatable(M, {
  __index = function(t, k)
    local name = CLOUDS[k]
    if not name then return nil end
    local mod = require(name)
    rawset(t, k, mod)
    return mod
  end,
})
