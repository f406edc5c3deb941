-- client:wait(call arguments..., {path=, equals= | any_of= | fn=, timeout=,
-- interval=, max_interval=, fail_on=, on_poll=}): repeat a read call until
-- the value at path matches. Between reads it backs off (x1.5 per read, up
-- to max_interval) with jitter, sleeping through the transport (ngx.sleep
-- in nginx, the scheduler's sleep under cloudapi.all). The timeout bounds
-- the waiting: no read starts after it; each read is a normal call with
-- its own retries and timeouts.
local core = require "cloudapi.core"
local errors = require "cloudapi.errors"
local lookup = require "cloudapi.lookup"

local M = {}

M.DEFAULTS = { timeout = 300, interval = 2, max_interval = 20 }

local unpack = table.unpack or unpack

local function positive(v, name, default)
  if v == nil then return default end
  if type(v) ~= "number" or v ~= v or v <= 0 or v > 1e7 then
    return nil, "wait: " .. name .. " must be a positive number of seconds"
  end
  return v
end

-- A value or a list of values -> set | nil, reason
local function set_of(v, name)
  if type(v) ~= "table" then return { [v] = true } end
  if #v == 0 then return nil, "wait: " .. name .. " must be a value or a non-empty list of values" end
  local set = {}
  for _, x in ipairs(v) do set[x] = true end
  return set
end

local function show(v)
  if type(v) == "string" then return "'" .. v .. "'" end
  if v == nil then return "nothing" end
  return tostring(v)
end

local function goal(opts)
  if opts.equals ~= nil then return show(opts.equals) end
  if opts.any_of ~= nil then
    local shown = {}
    for i, x in ipairs(opts.any_of) do shown[i] = show(x) end
    return "one of " .. table.concat(shown, ", ")
  end
  return "accepted by fn"
end

-- check(opts) -> settings | nil, reason
local function check(opts)
  if type(opts) ~= "table" then
    return nil, "wait: the last argument must be the options {path=, equals=, timeout=, ...}"
  end
  local s = { fn = opts.fn, on_poll = opts.on_poll }
  local why
  if opts.path ~= nil then
    s.path, why = lookup.parse(opts.path)
    if not s.path then return nil, "wait: " .. why end
  elseif opts.fn == nil then
    return nil, "wait: path is required (a dotted path such as \"Instances.Instance.1.Status\")"
  end
  local ways = (opts.equals ~= nil and 1 or 0) + (opts.any_of ~= nil and 1 or 0) + (opts.fn ~= nil and 1 or 0)
  if ways ~= 1 then return nil, "wait: give exactly one of equals, any_of or fn" end
  if opts.fn ~= nil and type(opts.fn) ~= "function" then return nil, "wait: fn must be a function(value, result)" end
  if opts.on_poll ~= nil and type(opts.on_poll) ~= "function" then
    return nil, "wait: on_poll must be a function(value, polls, elapsed)"
  end
  if opts.equals ~= nil then s.wanted = { [opts.equals] = true } end
  if opts.any_of ~= nil then
    if type(opts.any_of) ~= "table" then return nil, "wait: any_of must be a list of values" end
    s.wanted, why = set_of(opts.any_of, "any_of")
    if not s.wanted then return nil, why end
  end
  if opts.fail_on ~= nil then
    s.fail_on, why = set_of(opts.fail_on, "fail_on")
    if not s.fail_on then return nil, why end
  end
  s.timeout, why = positive(opts.timeout, "timeout", M.DEFAULTS.timeout)
  if not s.timeout then return nil, why end
  s.interval, why = positive(opts.interval, "interval", M.DEFAULTS.interval)
  if not s.interval then return nil, why end
  s.max_interval, why = positive(opts.max_interval, "max_interval", math.max(M.DEFAULTS.max_interval, s.interval))
  if not s.max_interval then return nil, why end
  s.goal = goal(opts)
  return s
end

-- "Equal jitter": at least half the backoff. From retry's generator: the
-- program's own math.random is never reseeded nor drawn from.
local uniform = require("cloudapi.retry").uniform
local function jitter(d)
  return d * (0.5 + 0.5 * uniform())
end

local function sleep(client, d)
  local t = client.transport
  if t and t.sleep then t:sleep(d) else core.sleep(d) end
end

-- wait(client, call arguments..., opts) -> result, nil, info | nil, err
function M.wait(client, ...)
  local n = select("#", ...)
  local args = { ... }
  local s, why = check(args[n])
  if not s then return nil, errors.config(why) end
  local shape = client.CALL
  local method = shape and shape.method
  if not method then error("cloudapi: this client cannot wait (no CALL shape)", 2) end
  local where = s.path and s.path.text or "the result"
  local started = core.monotonic()
  local deadline = started + s.timeout
  local delay, polls = s.interval, 0
  while true do
    polls = polls + 1
    local result, err, info = client[method](client, unpack(args, 1, n - 1))
    if result == nil then return nil, err end
    local value = result
    if s.path then value = lookup.get(result, s.path) end
    if s.on_poll then s.on_poll(value, polls, core.monotonic() - started) end
    local ok
    if s.fn then ok = s.fn(value, result) else ok = s.wanted[value] end
    if ok then return result, nil, info end
    if s.fail_on and s.fail_on[value] then
      return nil, errors.new{ kind = "service", code = "WaitFailed", value = value, result = result,
        request_id = info and info.request_id,
        message = string.format("%s is %s, a fail_on state, while waiting for %s", where, show(value), s.goal) }
    end
    local now = core.monotonic()
    if now >= deadline then
      return nil, errors.new{ kind = "timeout", code = "WaitTimeout", value = value, result = result,
        polls = polls, request_id = info and info.request_id,
        message = string.format("waited %gs for %s to be %s; last value %s after %d reads",
                                s.timeout, where, s.goal, show(value), polls) }
    end
    sleep(client, math.min(jitter(delay), deadline - now))
    delay = math.min(s.max_interval, delay * 1.5)
  end
end

return M
