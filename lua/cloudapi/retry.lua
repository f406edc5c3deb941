-- The retry policy shared by both clouds (Alibaba API conventions):
-- throttling, 5xx, "Try it later" and network failures retry; other 4xx do
-- not. Every attempt is built and signed anew by the caller's attempt
-- function. A non-idempotent request without a token is retried only when
-- it certainly never reached the server.
local core = require "cloudapi.core"
local errors = require "cloudapi.errors"

local M = {}

-- attempts: retries after the first attempt; delays in seconds; deadline:
-- seconds for the whole call across attempts (README "Deadline"): every
-- call has one, so no server can hold a call forever.
M.DEFAULTS = { attempts = 3, base_delay = 0.2, max_delay = 5, deadline = 120 }

-- Seconds: the largest deadline or delay (the transports' limit for a timeout).
M.MAX_SECONDS = 1e6

local THROTTLING = {
  Throttling = true, ServiceBusy = true, FlowControlError = true,
  ["APIGW.0308"] = true,
}

-- retryable{kind=, status=, code=, message=} -> boolean
function M.retryable(e)
  if e.kind == "network" or e.kind == "timeout" then return true end
  if e.kind ~= "service" then return false end
  local code = type(e.code) == "string" and e.code or ""
  if THROTTLING[code] or code:match("^Throttling%.") then return true end
  if code:match("^InvalidIdempotenceParameter") then return false end
  if type(e.status) == "number" then
    if e.status >= 500 or e.status == 429 then return true end
  end
  if type(e.message) == "string" and e.message:lower():find("try it later", 1, true) then
    return true
  end
  return false
end

-- The wait a server asked for, in seconds: x-acs-retry-after is in
-- milliseconds (Alibaba SDKs), Retry-After in seconds or an HTTP-date.
-- Any size (1e999 is infinity): delay caps it.
function M.retry_after(headers, now)
  if type(headers) ~= "table" then return nil end
  local ms = tonumber(headers["x-acs-retry-after"])
  if ms and ms > 0 then return ms / 1000 end
  local ra = headers["retry-after"]
  local s = tonumber(ra)
  if s and s >= 0 then return s end
  local at = type(ra) == "string" and require("cloudapi.clock").parse_http_date(ra)
  if at then return math.max(0, at - (now or core.now())) end
  return nil
end

local function seconds(v, name, allow_zero)
  if v == nil then return true end
  if type(v) ~= "number" or v ~= v or v < 0 or (v == 0 and not allow_zero) or v >= M.MAX_SECONDS then
    return nil, string.format("%s must be a number of seconds, %s and below %d, got %s", name,
                              allow_zero and "at least 0" or "above 0", M.MAX_SECONDS, errors.show(v))
  end
  return true
end
M.check_seconds = seconds

local FIELDS = { "attempts", "base_delay", "max_delay", "deadline" }
local KNOWN = { attempts = true, base_delay = true, max_delay = true, deadline = true }

-- policy(spec [, base]) -> policy | nil, reason
-- spec: nil (base, default M.DEFAULTS), false (no retries: base with
-- attempts = 0, its deadline kept) or a table overriding some of
-- attempts/base_delay/max_delay/deadline.
function M.policy(spec, base)
  base = base or M.DEFAULTS
  if spec == nil then return base end
  if spec == false then
    return { attempts = 0, base_delay = base.base_delay, max_delay = base.max_delay, deadline = base.deadline }
  end
  if type(spec) ~= "table" then
    return nil, "retry must be false or a table {attempts=, base_delay=, max_delay=, deadline=}"
  end
  for k in pairs(spec) do
    if not KNOWN[k] then
      return nil, "retry has no field '" .. tostring(k) .. "' (it takes attempts, base_delay, max_delay, deadline)"
    end
  end
  local p = {}
  for _, k in ipairs(FIELDS) do
    local v = spec[k]
    if v == nil then v = base[k] end
    p[k] = v
  end
  if type(p.attempts) ~= "number" or p.attempts < 0 or p.attempts % 1 ~= 0 or p.attempts > 100 then
    return nil, "retry.attempts must be an integer from 0 to 100, got " .. errors.show(p.attempts)
  end
  for _, k in ipairs({ "base_delay", "max_delay" }) do
    local ok, why = seconds(p[k], "retry." .. k, true)
    if not ok then return nil, why end
  end
  local ok, why = seconds(p.deadline, "retry.deadline", false)
  if not ok then return nil, why end
  return p
end

-- with_deadline(p, seconds) -> a copy of p whose calls end after seconds
function M.with_deadline(p, deadline)
  return { attempts = p.attempts, base_delay = p.base_delay, max_delay = p.max_delay, deadline = deadline }
end

-- A uniform number in [0, 1) from the core's random pool: the program's
-- own math.random is never reseeded nor drawn from.
local nonce = core.nonce
local function uniform()
  return tonumber(nonce():sub(1, 13), 16) / 2 ^ 52
end
M.uniform = uniform

-- Full jitter: uniform in [0, min(cap, base * 2^(n-1))], at least what the
-- server asked for, and never more than the policy's max_delay: a server
-- asking for a day (or 1e999 seconds) gets max_delay.
function M.delay(p, n, err)
  local ceiling = math.min(p.max_delay, p.base_delay * 2 ^ (n - 1))
  local d = uniform() * ceiling
  local hint = err and err.retry_after
  if type(hint) == "number" and hint > d then d = math.min(hint, p.max_delay) end
  return d
end

-- Whether err is worth another attempt for a request of this idempotency.
function M.should_retry(err, idempotent)
  if not err.retryable then return false end
  if idempotent then return true end
  -- Not idempotent and no token: only when the request never left.
  return err.kind == "network" and err.maybe_sent == false
end

local NONE = setmetatable({}, { __newindex = function() error("read-only", 2) end })

M.NO_ERRORS = NONE

local function out_of_time(p, n, err)
  return nil, errors.new{
    kind = "timeout", attempts = n, code = err.code, status = err.status,
    request_id = err.request_id, cause = err, retryable = false,
    message = string.format("deadline of %gs reached after %d attempt%s; last error: %s",
                            p.deadline, n, n == 1 and "" or "s", tostring(err)),
  }
end

-- run(policy, attempt, idempotent [, sleeper, ...]) -> result, nil, info | nil, err
-- policy: a table from M.policy (attempts = 0: no retries).
-- attempt(n, remaining, ...) -> result, nil, info | nil, err; remaining is
-- the time left before the deadline (nil: no deadline); the extra arguments
-- go to every attempt (no closure per call). An error with resign = true
-- (the clock was corrected) is tried again at once, once.
-- sleeper: an object with :sleep(seconds) (a transport), else core.sleep.
-- info.errors is set when something failed; until then the client's info
-- carries the shared empty list M.NO_ERRORS (or info is a new table).
function M.run(p, attempt, idempotent, sleeper, ...)
  local monotonic = core.monotonic
  local deadline = p.deadline and (monotonic() + p.deadline)
  local n, retries, resigned = 0, 0, false
  local earlier = NONE -- a list only once something failed
  while true do
    n = n + 1
    -- The first attempt has the whole deadline: no second clock reading.
    local remaining = deadline and (n == 1 and p.deadline or deadline - monotonic())
    local result, err, info = attempt(n, remaining, ...)
    if result ~= nil then
      info = info or { errors = NONE }
      info.attempts = n
      if earlier ~= NONE then info.errors = earlier end
      return result, nil, info
    end
    err.attempts = n
    if err.resign and not resigned then
      resigned = true -- a corrected clock: sign again at once, not a retry
      if deadline and monotonic() >= deadline then return out_of_time(p, n, err) end
    else
      if retries >= p.attempts or not M.should_retry(err, idempotent) then
        if #earlier > 0 then err.earlier = earlier end
        return nil, err
      end
      retries = retries + 1
      local d = M.delay(p, retries, err)
      if deadline and monotonic() + d >= deadline then return out_of_time(p, n, err) end
      if d > 0 then
        if sleeper and sleeper.sleep then sleeper:sleep(d) else core.sleep(d) end
      end
    end
    if earlier == NONE then earlier = {} end
    earlier[#earlier + 1] = err
  end
end

return M
