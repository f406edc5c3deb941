-- Time for signing: a client's clock (injectable) plus the offset learned
-- from a server that said our clock was off; and the date formats servers
-- send (ISO 8601, HTTP-date), parsed without the local time zone.
local core = require "cloudapi.core"

local M = {}

-- Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = math.floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

local function epoch(y, mo, d, h, mi, s)
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s
end

-- "2026-11-23T10:00:00.000000Z" -> seconds since the epoch (UTC), or nil.
function M.parse_iso8601(s)
  local y, mo, d, h, mi, sec = tostring(s):match("^(%d%d%d%d)%-(%d%d)%-(%d%d)T(%d%d):(%d%d):(%d%d)")
  if not y then return nil end
  return epoch(tonumber(y), tonumber(mo), tonumber(d), tonumber(h), tonumber(mi), tonumber(sec))
end

local MONTHS = { Jan = 1, Feb = 2, Mar = 3, Apr = 4, May = 5, Jun = 6,
                 Jul = 7, Aug = 8, Sep = 9, Oct = 10, Nov = 11, Dec = 12 }

-- "Sun, 22 Nov 2026 14:41:15 GMT" (RFC 7231 IMF-fixdate) -> seconds, or nil.
function M.parse_http_date(s)
  local d, mon, y, h, mi, sec = tostring(s):match("^%a+, (%d%d?) (%a%a%a) (%d%d%d%d) (%d%d):(%d%d):(%d%d) GMT$")
  if not d or not MONTHS[mon] then return nil end
  return epoch(tonumber(y), MONTHS[mon], tonumber(d), tonumber(h), tonumber(mi), tonumber(sec))
end

local DAY_NAMES = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" }
local MONTH_NAMES = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" }

-- http_date(seconds) -> "Wed, 01 May 2024 12:00:00 GMT" (RFC 7231
-- IMF-fixdate), names from these tables: no locale can change them.
function M.http_date(t)
  local d = os.date("!*t", math.floor(t))
  return string.format("%s, %02d %s %04d %02d:%02d:%02d GMT", DAY_NAMES[d.wday], d.day,
                       MONTH_NAMES[d.month], d.year, d.hour, d.min, d.sec)
end

-- check(fn) -> fn; a client's clock must be a function returning seconds.
function M.source(fn)
  if fn == nil then return core.now end
  if type(fn) ~= "function" then return nil end
  return fn
end

-- now(client) -> the time to sign with: the client's clock plus the offset
-- a server taught it.
function M.now(client)
  return client.clock() + (client.clock_offset or 0)
end

-- learn(client, headers) -> true when the response's Date header gave an
-- offset; the client keeps it for later calls.
function M.learn(client, headers)
  local server = headers and M.parse_http_date(headers["date"])
  if not server then return false end
  -- The Date header has whole seconds; half a second centers the error.
  client.clock_offset = server + 0.5 - client.clock()
  return true
end

return M
