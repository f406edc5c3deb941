-- The error object every operational failure returns (DESIGN section 4),
-- and the redaction that keeps secrets out of it.
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

function M.is_error(v)
  return getmetatable(v) == Error
end

local function pct(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

local function plain(s)
  return (s:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0"))
end

-- Replace every secret, raw and once or twice percent-encoded (as it
-- appears in a query and in a string to sign), in s.
function M.redact_string(s, secrets)
  if type(s) ~= "string" or not secrets then return s end
  for _, secret in pairs(secrets) do -- pairs: the list may have holes
    if type(secret) == "string" and #secret >= 4 then
      local once = pct(secret)
      for _, form in ipairs({ pct(once), once, secret }) do
        s = s:gsub(plain(form), "[REDACTED]")
      end
    end
  end
  return s
end

-- The secrets behind each prepared request, kept off the request itself so
-- that no dump of it shows them; weak keys let requests be collected.
local secrets_of = setmetatable({}, { __mode = "k" })

function M.remember(req, secrets)
  secrets_of[req] = secrets
  return req
end

-- Redact every string field of an error object in place, using the secrets
-- remembered for req (or a list of secrets); returns the error.
function M.redact(e, req)
  local secrets = secrets_of[req] or req
  for k, v in pairs(e) do
    if type(v) == "string" then e[k] = M.redact_string(v, secrets) end
  end
  return e
end

return M
