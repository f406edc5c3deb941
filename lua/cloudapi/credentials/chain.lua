-- A chain of providers: the first that answers is remembered and asked
-- from then on; when none answers, the error lists each provider and why
-- it declined (the providers' messages name variables and files, never
-- values). Entries are providers, or { name =, provider =, skip =
-- function() -> reason | nil } (a step the environment turns off).
local credentials = require "cloudapi.credentials"

local M = {}

local Chain = {}
Chain.__index = Chain
Chain.__tostring = function(self)
  return "cloudapi.credentials(" .. self.name .. (self.answered_by and (": " .. self.answered_by) or "") .. ")"
end

-- new(entries, {name = "aliyun chain", cloud = "Alibaba Cloud", hint = "..."})
function M.new(entries, opts)
  local list = {}
  for i, e in ipairs(entries) do
    if type(e) == "table" and type(e.get) == "function" then e = { provider = e } end
    if type(e) ~= "table" or type(e.provider) ~= "table" or type(e.provider.get) ~= "function" then
      error(opts.name .. ": entry " .. i .. " must be a provider (an object with :get())", 3)
    end
    list[i] = { provider = e.provider, skip = e.skip,
                name = e.name or e.provider.kind or tostring(e.provider):match("%((.*)%)") or "provider " .. i }
  end
  return setmetatable({ entries = list, name = opts.name, cloud = opts.cloud, hint = opts.hint }, Chain)
end

-- constructor(opts) -> function(list) -> chain: a cloud's chain{...}
function M.constructor(opts)
  return function(list)
    if type(list) ~= "table" then error("cloudapi.credentials." .. opts.name:gsub(" ", ".") ..
                                        ": expected a list of providers", 2) end
    return M.new(list, opts)
  end
end

-- unless(var) -> a skip function: the step is off when var is "true"
function M.unless(var)
  return function()
    local v = os.getenv(var)
    if v ~= nil and v:lower() == "true" then return var .. "=true" end
    return nil
  end
end

-- options(opts, names, check) -> opts: a default chain's options, one
-- table per provider name
function M.options(opts, names, check)
  opts = opts or {}
  check(type(opts) == "table", "expected a table of options")
  for _, k in ipairs(names) do
    check(opts[k] == nil or type(opts[k]) == "table", k .. " must be a table of that provider's options")
  end
  return opts
end

function Chain:get(ctx)
  local p = self.answered
  if p then return p:get(ctx) end
  local tried, parts = {}, {}
  for _, e in ipairs(self.entries) do
    local reason = e.skip and e.skip()
    if reason then
      reason = "skipped: " .. reason
    else
      local creds, err = e.provider:get(ctx)
      if creds then
        self.answered, self.answered_by = e.provider, e.name
        self.stable, self.constant = e.provider.stable, e.provider.constant
        return creds
      end
      reason = err and tostring(err.message or err) or "answered nothing"
    end
    tried[#tried + 1] = { provider = e.name, reason = reason }
    parts[#parts + 1] = e.name .. " (" .. reason .. ")"
  end
  return nil, credentials.error("no " .. self.cloud .. " credentials found; tried " .. table.concat(parts, ", ") ..
                                (self.hint and ("; " .. self.hint) or ""), { tried = tried })
end

return M
