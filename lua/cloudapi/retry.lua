-- The retry policy shared by both clouds (Alibaba API conventions):
-- throttling, 5xx, "Try it later" and network failures retry; other 4xx do
-- not. Every attempt is built and signed anew by the caller's attempt
-- function. A non-idempotent request without a token is retried only when
-- it certainly never reached the server.
local core = require "cloudapi.core"
local errors = require "cloudapi.errors"

local M = {}

-- attempts: retries after the first attempt; delays in seconds; deadline:
-- seconds for the whole call across attempts (nil: none).
M.DEFAULTS = { attempts = 3, base_delay = 0.2, max_delay = 5, deadline = nil }

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
function M.retry_after(headers, now)
  if type(headers) ~= "table" then return nil end
  local ms = tonumber(headers["x-acs-retry-after"])
  if ms and ms > 0 then return ms / 1000 end
  local ra = headers["retry-after"]
  local s = tonumber(ra)
  if s and s >= 0 then return s end
  local at = ra and require("cloudapi.clock").parse_http_date(ra)
  if at then return math.max(0, at - (now or core.now())) end
  return nil
end

local function positive(v, name, allow_zero)
  if v == nil then return true end
  if type(v) ~= "number" or v ~= v or v < 0 or (v == 0 and not allow_zero) or v >= 1e7 then
    return nil, name .. " must be a " .. (allow_zero and "non-negative" or "positive") .. " number"
  end
  return true
end

-- policy(spec [, base]) -> policy | false | nil, reason
-- spec: false (no retries), nil (base or the defaults) or a table overriding
-- some of attempts/base_delay/max_delay/deadline.
function M.policy(spec, base)
  if spec == false then return false end
  if base == nil then base = M.DEFAULTS end
  if spec == nil then return base end -- may be false: retries stay off
  if type(spec) ~= "table" then
    return nil, "retry must be false or a table {attempts=, base_delay=, max_delay=, deadline=}"
  end
  local p = {}
  for _, k in ipairs({ "attempts", "base_delay", "max_delay", "deadline" }) do
    local v = spec[k]
    if v == nil then v = (base or M.DEFAULTS)[k] end
    p[k] = v
  end
  if type(p.attempts) ~= "number" or p.attempts < 0 or p.attempts % 1 ~= 0 or p.attempts > 100 then
    return nil, "retry.attempts must be an integer from 0 to 100"
  end
  for _, k in ipairs({ "base_delay", "max_delay" }) do
    local ok, why = positive(p[k], "retry." .. k, true)
    if not ok then return nil, why end
  end
  local ok, why = positive(p.deadline, "retry.deadline", false)
  if not ok then return nil, why end
  return p
end

local seeded = false
-- Full jitter: uniform in [0, min(cap, base * 2^(n-1))], at least what the
-- server asked for.
function M.delay(p, n, err)
  if not seeded then
    math.randomseed(math.floor(core.now() * 1000) % 2147483647)
    seeded = true
  end
  local ceiling = math.min(p.max_delay, p.base_delay * 2 ^ (n - 1))
  local d = math.random() * ceiling
  if err and err.retry_after and err.retry_after > d then d = err.retry_after end
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

-- run(policy, attempt, idempotent [, sleeper, ...]) -> result, nil, info | nil, err
-- attempt(n, remaining, ...) -> result, nil, info | nil, err; remaining is
-- the time left before the deadline (nil: no deadline); the extra arguments
-- go to every attempt (no closure per call). An error with resign = true
-- (the clock was corrected) is tried again at once, once.
-- sleeper: an object with :sleep(seconds) (a transport), else core.sleep.
-- info.errors is set when something failed; until then the client's info
-- carries the shared empty list M.NO_ERRORS (or info is a new table).
function M.run(p, attempt, idempotent, sleeper, ...)
  local monotonic = core.monotonic
  local deadline = p and p.deadline and (monotonic() + p.deadline)
  local n, retries, resigned = 0, 0, false
  local earlier = NONE -- a list only once something failed
  while true do
    n = n + 1
    local remaining = deadline and (deadline - monotonic())
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
    else
      if not p or retries >= p.attempts or not M.should_retry(err, idempotent) then
        if #earlier > 0 then err.earlier = earlier end
        return nil, err
      end
      retries = retries + 1
      local d = M.delay(p, retries, err)
      if deadline and monotonic() + d >= deadline then
        return nil, errors.new{
          kind = "timeout", attempts = n, code = err.code, status = err.status,
          request_id = err.request_id, cause = err, retryable = false,
          message = string.format("deadline of %gs reached after %d attempt%s; last error: %s",
                                  p.deadline, n, n == 1 and "" or "s", tostring(err)),
        }
      end
      if d > 0 then
        if sleeper and sleeper.sleep then sleeper:sleep(d) else core.sleep(d) end
      end
    end
    if earlier == NONE then earlier = {} end
    earlier[#earlier + 1] = err
  end
end

return M
