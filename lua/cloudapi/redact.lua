-- The redaction rules: what is hidden of a text before it reaches an
-- error, an event or a printed request (README "Secrets"). Given the
-- secrets a client holds:
--   * a secret of 8 bytes or more: any run of 8 or more consecutive bytes
--     of it (a server may quote a copy cut short or one byte off);
--   * 4 to 7 bytes: every whole occurrence;
--   * 1 to 3 bytes: only where it stands as a whole value: after '=' or
--     ':' (a query pair, a header line), or between quotes; hiding every
--     "a" of a text would hide the text;
-- each in the forms a request carries it: raw, percent-encoded once (a
-- query) and twice (a string to sign), and JSON-escaped (a body; '/' as
-- itself and as '\/'). Whatever the secrets, the values of names that
-- always carry one (Signature, SecurityToken, password, X-Auth-Token, ...)
-- are hidden too, in the same contexts: name=value, "name":"value",
-- name: value.
local M = {}

local MARK = "[REDACTED]"
local RUN = 8 -- bytes of a secret that make a run worth hiding

local byte, sub, gsub, format = string.byte, string.sub, string.gsub, string.format

local function pct(s)
  return (gsub(s, "[^%w%-%._~]", function(c) return format("%%%02X", byte(c)) end))
end

local JSON_ESCAPES = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
                       ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
local function json_escaped(s)
  return (gsub(s, '[%c"\\]', function(c) return JSON_ESCAPES[c] or format("\\u%04x", byte(c)) end))
end

-- A literal string as a Lua pattern.
local function plain(s)
  return (gsub(s, "[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0"))
end
M.plain = plain

-- A name as a case-insensitive pattern.
local function anycase(name)
  return (gsub(name, "%a", function(c) return "[" .. c:upper() .. c:lower() .. "]" end))
end

-- Names whose value is a secret wherever it appears.
local NAMES = { "Signature", "SecurityToken", "x-acs-security-token", "AccessKeySecret", "access_key_secret",
                "password", "X-Auth-Token", "X-Subject-Token", "X-Security-Token", "security_token", "sk",
                "OIDCToken" }
-- In a percent-encoded query (an RPC string to sign, quoted by a server)
-- the value runs up to the encoded '&' (amp): the replacement keeps what
-- follows it.
local function up_to(amp)
  return function(head, value)
    local stop = value:upper():find(amp, 1, true)
    return head .. MARK .. (stop and value:sub(stop) or "")
  end
end
local ENCODED = "[%w%%%._~%-]+" -- the bytes of a percent-encoded value

local NAMED = {}
for _, name in ipairs(NAMES) do
  local a = anycase(plain(name))
  local n = "%f[%w_%-]" .. a -- not the tail of a longer name
  NAMED[#NAMED + 1] = { "(" .. n .. "=)[^&%s\"',;]+", "%1" .. MARK }              -- name=value
  NAMED[#NAMED + 1] = { "(" .. n .. "\\?\"%s*:%s*\\?\")[^\"\\]*", "%1" .. MARK }  -- "name":"value" (maybe escaped)
  NAMED[#NAMED + 1] = { "(" .. n .. ":[ \t]*)[^\r\n]+", "%1" .. MARK }            -- name: value (a header line)
  -- name=value encoded once (after & or %26) and twice (after %26 or %2526)
  for _, f in ipairs({ { "[&]", "%%3[Dd]", "%26" }, { "%%26", "%%3[Dd]", "%26" },
                       { "%%26", "%%253[Dd]", "%2526" }, { "%%2526", "%%253[Dd]", "%2526" } }) do
    NAMED[#NAMED + 1] = { "(" .. f[1] .. a .. f[2] .. ")(" .. ENCODED .. ")", up_to(f[3]) }
  end
end

-- A short form, where it stands as a whole value (see the header).
local function short_patterns(form, out)
  local p = plain(form)
  local left, right = "([=:\"']%s*)", "([&\"',;}%]%s])"
  out[#out + 1] = { left .. p .. right, "%1" .. MARK .. "%2" }
  out[#out + 1] = { left .. p .. "$", "%1" .. MARK }
  out[#out + 1] = { "^" .. p .. right, MARK .. "%1" }
  out[#out + 1] = { "^" .. p .. "$", MARK }
end

-- compile(secrets) -> a matcher for the secrets (a table, holes and
-- false allowed: only its string values count).
function M.compile(secrets)
  local m = { grams = {}, firsts = {}, whole = {}, short = {}, longest = 0, any = false }
  for _, secret in pairs(secrets or {}) do
    if type(secret) == "string" and secret ~= "" then
      local once = pct(secret)
      local json = json_escaped(secret)
      -- cjson (the emulator's and many servers') writes '/' as '\/'
      for _, form in ipairs({ secret, once, pct(once), json, (gsub(json, "/", "\\/")) }) do
        local n = #form
        if n > m.longest then m.longest = n end
        if n >= RUN then
          for i = 1, n - RUN + 1 do
            m.grams[sub(form, i, i + RUN - 1)] = true
            m.firsts[byte(form, i)] = true
          end
        elseif n >= 4 then
          m.whole[#m.whole + 1] = plain(form)
        else
          short_patterns(form, m.short)
        end
        m.any = true
      end
    end
  end
  return m
end

-- Every run of 8 or more bytes of a secret in s, as one mark per run.
local function runs(s, grams, firsts)
  local n = #s
  if n < RUN then return s end
  local out, from, start, stop = nil, 1, nil, 0
  for i = 1, n - RUN + 1 do
    if firsts[byte(s, i)] and grams[sub(s, i, i + RUN - 1)] then
      if start and i <= stop + 1 then
        stop = i + RUN - 1 -- overlaps (or touches) the run so far
      else
        if start then
          out = out or {}
          out[#out + 1] = sub(s, from, start - 1)
          out[#out + 1] = MARK
          from = stop + 1
        end
        start, stop = i, i + RUN - 1
      end
    end
  end
  if not start then return s end
  out = out or {}
  out[#out + 1] = sub(s, from, start - 1)
  out[#out + 1] = MARK
  out[#out + 1] = sub(s, stop + 1)
  return table.concat(out)
end

-- apply(s, matcher) -> s with the matcher's secrets and every named value
-- hidden. matcher may be nil (named values only).
function M.apply(s, m)
  if type(s) ~= "string" then return s end
  if m and m.any then
    s = runs(s, m.grams, m.firsts)
    for _, p in ipairs(m.whole) do s = gsub(s, p, MARK) end
    for _, p in ipairs(m.short) do s = gsub(s, p[1], p[2]) end
  end
  for _, p in ipairs(NAMED) do s = gsub(s, p[1], p[2]) end
  return s
end

-- cut(s, limit, m) -> at most limit bytes of s after redaction. Only a
-- prefix of s that a secret starting inside the limit could reach is
-- looked at, so a long body costs no more than a short one.
function M.cut(s, limit, m)
  local reach = limit + (m and m.longest or 0) + 64
  if #s > reach then s = sub(s, 1, reach) end
  s = M.apply(s, m)
  if #s > limit then s = sub(s, 1, limit) end
  return s
end

return M
