-- A provider reading environment variables on every call (a change is
-- picked up), returning the same table while they stay the same.
local credentials = require "cloudapi.credentials"

local M = {}

local values = setmetatable({}, { __mode = "k" }) -- provider -> last table

local Env = { stable = true }
Env.__index = Env
Env.__tostring = function(self) return "cloudapi.credentials(" .. self.name .. ")" end
-- env() or env{} is the provider itself, so both spellings work.
Env.__call = function(self) return self end

-- new(name, vars, required) -> provider. vars: { {field, VARIABLE}, ... };
-- required: how many of the first ones must be set.
function M.new(name, vars, required)
  return setmetatable({ name = name, vars = vars, required = required }, Env)
end

function Env:get()
  local last = values[self]
  local same = last ~= nil
  local got = {}
  for i, pair in ipairs(self.vars) do
    local v = os.getenv(pair[2])
    if v == "" then v = nil end
    if v == nil and i <= self.required then
      return nil, credentials.error(pair[2] .. " is not set")
    end
    got[pair[1]] = v
    if same and last[pair[1]] ~= v then same = false end
  end
  if same then return last end
  values[self] = got
  return got
end

return M
