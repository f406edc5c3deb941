-- The error object every operational failure returns (DESIGN section 4),
-- and the one redaction mechanism that keeps secrets out of errors, events
-- and printed requests.
local M = {}

local Error = {}
Error.__index = Error
Error.__name = "cloudapi.error"

M.KINDS = { service = true, network = true, timeout = true, decode = true,
            credentials = true, config = true }

function Error:__tostring()
  local parts = { "cloudapi " .. tostring(self.kind) .. " error" }
  if self.code then parts[#parts + 1] = " " .. tostring(self.code) end
  if self.status then parts[#parts + 1] = " (HTTP " .. tostring(self.status) .. ")" end
  if self.message then parts[#parts + 1] = ": " .. tostring(self.message) end
  if self.diagnosis then parts[#parts + 1] = " -- " .. self.diagnosis end
  if self.request_id then parts[#parts + 1] = " [RequestId " .. tostring(self.request_id) .. "]" end
  if self.attempts and self.attempts > 1 then
    parts[#parts + 1] = " after " .. self.attempts .. " attempts"
  end
  return table.concat(parts)
end

-- new{kind=, message=, ...} -> error object. retryable defaults to false,
-- attempts to 1.
function M.new(fields)
  assert(M.KINDS[fields.kind], "unknown error kind")
  local e = {}
  for k, v in pairs(fields) do e[k] = v end
  if e.retryable == nil then e.retryable = false end
  e.attempts = e.attempts or 1
  return setmetatable(e, Error)
end

-- config(message) -> a config error (bad input to a call)
function M.config(message)
  return M.new{ kind = "config", message = message }
end

function M.is_error(v)
  return getmetatable(v) == Error
end

-- show(v) -> how a value a caller gave reads in a message, the same on
-- every Lua: numbers as 5, 0.5, 1e+300, NaN, inf; strings quoted; other
-- values by their type.
function M.show(v)
  local tv = type(v)
  if tv == "number" then
    if v ~= v then return "NaN" end
    if v == math.huge or v == -math.huge then return v > 0 and "inf" or "-inf" end
    return string.format("%.14g", v)
  end
  if tv == "string" then return string.format("%q", v) end
  return "a " .. tv
end

local redact = require "cloudapi.redact"

-- redact_string(s, secrets) -> s without the secrets (a list, holes
-- allowed) by the rules of cloudapi.redact.
function M.redact_string(s, secrets)
  return redact.apply(s, redact.compile(secrets))
end

-- Redact every string field of an error object in place with a matcher
-- (cloudapi.redact.compile); a message that is an excerpt of a body
-- (e.excerpt = bytes to show) is cut to that length only after. Returns e.
local function redact_error(e, m)
  local limit = e.excerpt
  if limit then
    e.excerpt = nil
    if type(e.message) == "string" then e.message = redact.cut(e.message, limit, m) end
  end
  for k, v in pairs(e) do
    if type(v) == "string" and not (limit and k == "message") then e[k] = redact.apply(v, m) end
  end
  return e
end

function M.redact(e, secrets)
  return redact_error(e, redact.compile(secrets))
end

-- The secrets each client signs with, current and previous (an answer may
-- arrive after the credentials changed, quoting the old ones), held here
-- and not on the client, so that no dump of a client or a request shows
-- them; weak keys let clients be collected.
local held = setmetatable({}, { __mode = "k" })

-- Slots 1-3: the credential's secrets, 4-6 the previous ones; 7: a token
-- they got (an IAM token), 8 the previous one. false for none: absent
-- keys cost more to compare. h.matcher: the compiled slots, made when
-- first needed after a change.
local function slots(owner)
  local h = held[owner]
  if h == nil then
    h = { false, false, false, false, false, false, false, false }
    held[owner] = h
  end
  return h
end

-- hold(owner, a, b, c) -> true when they changed: the secrets owner
-- signs with now (nil for none).
function M.hold(owner, a, b, c)
  local h = slots(owner)
  a, b, c = a or false, b or false, c or false
  if h[1] == a and h[2] == b and h[3] == c then return false end
  h[4], h[5], h[6] = h[1], h[2], h[3]
  h[1], h[2], h[3] = a, b, c
  h.matcher = nil
  return true
end

-- hold_token(owner, token) -> true when it changed: a token owner got
-- with its credentials.
function M.hold_token(owner, token)
  local h = slots(owner)
  if h[7] == token then return false end
  h[8], h[7] = h[7], token
  h.matcher = nil
  return true
end

local function matcher(owner, extra)
  local h = held[owner]
  if extra then
    local all = { extra }
    if h then for i = 1, 8 do all[i + 1] = h[i] end end
    return redact.compile(all)
  end
  if not h then return nil end
  local m = h.matcher
  if not m then
    m = redact.compile(h)
    h.matcher = m
  end
  return m
end

-- scrub(e, owner [, extra]) -> e, with every secret owner holds (and the
-- string extra, e.g. the signature of the request that failed) redacted.
function M.scrub(e, owner, extra)
  return redact_error(e, matcher(owner, extra))
end

-- scrub_string(s, owner) -> s without the secrets owner holds
function M.scrub_string(s, owner)
  return redact.apply(s, matcher(owner))
end

-- safe_url(url, owner) -> url with secret parameters (redact's named
-- values: Signature, SecurityToken, OIDCToken, ...) and held secrets redacted
function M.safe_url(url, owner)
  return M.scrub_string(url, owner)
end

-- Compare what the server signed with what we signed and say which side is
-- at fault. names: { who = "server", what = "string to sign",
-- whats = "strings to sign", secret = "AccessKeySecret", id = "AccessKeyId" }
function M.diagnose_signature(e, ours, theirs, names)
  if not theirs or not ours then
    e.diagnosis = "the " .. names.who .. " did not say what it signed; check the " .. names.secret
    return e
  end
  if theirs == ours then
    e.diagnosis = string.format("the %s signed the same %s as we did, so the %s does not belong " ..
                                "to this %s (wrong secret)", names.who, names.what, names.secret, names.id)
  else
    local i = 1
    while i <= #ours and ours:byte(i) == theirs:byte(i) do i = i + 1 end
    e.diagnosis = string.format("canonicalization difference: the %s first differ at byte %d " ..
      "(ours ...%q..., %s ...%q...); the request was changed in transit or encoded differently",
      names.whats, i, ours:sub(math.max(1, i - 20), i + 20), names.who, theirs:sub(math.max(1, i - 20), i + 20))
  end
  return e
end

return M
