-- Credential providers. A provider is an object with :get() returning a
-- credentials table or nil, err. The chain for each cloud: an explicit
-- table, else the environment. Nothing is read at require time.
local errors = require "cloudapi.errors"

local M = {}

local function cred_error(msg)
  return errors.new{ kind = "credentials", message = msg }
end

-- A static provider's table is held here, not on the provider, so that no
-- dump of a client (its provider included) shows the secret.
local static_values = setmetatable({}, { __mode = "k" })

local Static = {}
Static.__index = Static
Static.__tostring = function(self) return "cloudapi.credentials(" .. self.name .. ")" end

function Static:get()
  return static_values[self]
end

-- Function providers let callers plug in anything (a vault, STS ...).
local Func = {}
Func.__index = Func
Func.__tostring = function() return "cloudapi.credentials(function)" end

function Func:get()
  local ok, v, err = pcall(self.fn)
  if not ok then return nil, cred_error("credential provider failed: " .. tostring(v)) end
  if v == nil then
    if errors.is_error(err) then return nil, err end
    return nil, cred_error("credential provider returned nothing" .. (err and (": " .. tostring(err)) or ""))
  end
  return v
end

local Env = {}
Env.__index = Env
Env.__tostring = function(self) return "cloudapi.credentials(env " .. self.names[1] .. ")" end

function Env:get()
  local v = {}
  for field, var in pairs(self.names) do
    if type(field) == "string" then
      local s = os.getenv(var)
      if s ~= nil and s ~= "" then v[field] = s end
    end
  end
  return v
end

-- provider(spec, env_names) -> provider. spec: nil (the environment), a
-- table of fields, a function, or an object with :get(). env_names maps a
-- field to an environment variable; names[1] labels the provider.
function M.provider(spec, env_names)
  if spec == nil then
    return setmetatable({ names = env_names }, Env)
  end
  local ts = type(spec)
  if ts == "function" then
    return setmetatable({ fn = spec }, Func)
  end
  if ts == "table" and type(spec.get) == "function" then
    return spec
  end
  if ts == "table" then
    local copy = {}
    for k, v in pairs(spec) do copy[k] = v end
    local provider = setmetatable({ name = "table" }, Static)
    static_values[provider] = copy
    return provider
  end
  error("credentials must be a table, a function or a provider, got a " .. ts, 3)
end

-- fetch(provider, required, optional) -> creds, nil, constant | nil, err
-- Checks that each required field is a non-empty string and each optional
-- one, if present, a string; never puts a value in the message. constant:
-- the provider always gives these (a static table), so the caller may
-- keep them instead of asking again.
function M.fetch(provider, required, optional)
  local v, err = provider:get()
  if v == nil then return nil, err or cred_error("no credentials") end
  if type(v) ~= "table" then return nil, cred_error("credentials must be a table") end
  local missing = {}
  for _, field in ipairs(required) do
    local s = v[field]
    if s == nil or s == "" then
      missing[#missing + 1] = field
    elseif type(s) ~= "string" then
      return nil, cred_error("credential field '" .. field .. "' must be a string")
    elseif s:find("[%c]") then
      return nil, cred_error("credential field '" .. field .. "' contains control characters")
    end
  end
  for _, field in ipairs(optional or {}) do
    local s = v[field]
    if s ~= nil and type(s) ~= "string" then
      return nil, cred_error("credential field '" .. field .. "' must be a string")
    end
  end
  if #missing > 0 then
    local hint = ""
    if getmetatable(provider) == Env then
      local vars = {}
      for _, f in ipairs(missing) do vars[#vars + 1] = provider.names[f] end
      hint = " (set " .. table.concat(vars, ", ") .. " or pass credentials = {...})"
    end
    return nil, cred_error("missing credentials: " .. table.concat(missing, ", ") .. hint)
  end
  return v, nil, getmetatable(provider) == Static
end

return M
