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

-- Fields in their ranges (a second of 60 is a leap second), else nil.
local function checked(y, mo, d, h, mi, s)
  if mo < 1 or mo > 12 or d < 1 or d > 31 or h > 23 or mi > 59 or s > 60 then return nil end
  return epoch(y, mo, d, h, mi, s)
end

-- "2026-11-23T10:00:00.000000Z" -> seconds since the epoch (UTC), or nil.
function M.parse_iso8601(s)
  local y, mo, d, h, mi, sec = tostring(s):match("^(%d%d%d%d)%-(%d%d)%-(%d%d)T(%d%d):(%d%d):(%d%d)")
  if not y then return nil end
  return checked(tonumber(y), tonumber(mo), tonumber(d), tonumber(h), tonumber(mi), tonumber(sec))
end

local MONTHS = { Jan = 1, Feb = 2, Mar = 3, Apr = 4, May = 5, Jun = 6,
                 Jul = 7, Aug = 8, Sep = 9, Oct = 10, Nov = 11, Dec = 12 }

-- "Sun, 22 Nov 2026 14:41:15 GMT" (RFC 7231 IMF-fixdate) -> seconds, or nil.
function M.parse_http_date(s)
  local d, mon, y, h, mi, sec = tostring(s):match("^%a+, (%d%d?) (%a%a%a) (%d%d%d%d) (%d%d):(%d%d):(%d%d) GMT$")
  if not d or not MONTHS[mon] then return nil end
  return checked(tonumber(y), MONTHS[mon], tonumber(d), tonumber(h), tonumber(mi), tonumber(sec))
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

-- The times the signers can write (1970 to the end of 9999).
M.MIN, M.MAX = 0, 253402300800

-- A server's Date is believed only between these (2000 to 2100): one that
-- says 1969 or the year 3000 is broken, and learning from it would make
-- every later call unsignable or refused.
local PLAUSIBLE_FROM, PLAUSIBLE_TO = 946684800, 4102444800

-- now(client) -> the time to sign with: the client's clock plus the offset
-- a server taught it | nil, reason (a clock that returns no usable time:
-- the caller's config error, never a raise in the signer).
local wall = core.now

function M.now(client)
  local clk = client.clock
  -- The system clock gives a number; an offset is learned only from a
  -- plausible Date: nothing to check.
  if clk == wall then return wall() + client.clock_offset end
  local raw = clk()
  if type(raw) == "number" then
    local t = raw + client.clock_offset
    if t >= M.MIN and t < M.MAX then return t end -- NaN fails both
  end
  return nil, "the client's clock must return seconds since the epoch (1970 to 9999), it returned " ..
              require("cloudapi.errors").show(raw)
end

-- learn(client, headers) -> true when the response's Date header gave an
-- offset; the client keeps it for later calls. An implausible Date is
-- ignored.
function M.learn(client, headers)
  local server = headers and M.parse_http_date(headers["date"])
  if not server or server < PLAUSIBLE_FROM or server >= PLAUSIBLE_TO then return false end
  local mine = client.clock()
  if type(mine) ~= "number" or mine ~= mine or mine == math.huge or mine == -math.huge then return false end
  -- The Date header has whole seconds; half a second centers the error.
  client.clock_offset = server + 0.5 - mine
  return true
end

return M
