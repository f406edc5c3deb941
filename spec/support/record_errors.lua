-- busted --helper: keep a reference to every error object the library
-- creates and every event any client emits during the whole run, so the
-- last spec (zz_secret_scan_spec.lua) can scan them, as the user would see
-- them (after redaction), for secrets, including the secrets of every
-- temporary credential a provider obtained. Every client gets an event hook for
-- this (chained to its own, if any).
local errors = require "cloudapi.errors"
local client = require "cloudapi.client"

-- outputs: what the command line tool printed (spec/e2e/cli_spec.lua adds them).
local log = { errors = {}, events = {}, outputs = {}, secrets = {} }
package.loaded["support.error_log"] = log -- survives busted's per-file insulation

local new = errors.new
errors.new = function(fields)
  local e = new(fields)
  log.errors[#log.errors + 1] = e
  return e
end

-- Every temporary credential a provider obtained (the emulator makes them
-- up): their secrets join the scan's list.
local cache = require "cloudapi.credentials.cache"
local entry = cache.entry
cache.entry = function(creds, now)
  for _, f in ipairs({ "access_key_secret", "security_token", "sk" }) do
    if type(creds[f]) == "string" then log.secrets[#log.secrets + 1] = creds[f] end
  end
  return entry(creds, now)
end

local init = client.init
client.init = function(self, opts, spec)
  local own = opts.on_event
  if own ~= nil and type(own) ~= "function" then return init(self, opts, spec) end -- the misuse error
  local tapped = setmetatable({ on_event = function(ev)
    log.events[#log.events + 1] = ev
    if own then own(ev) end
  end }, { __index = opts })
  return init(self, tapped, spec)
end
