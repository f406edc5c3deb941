-- Strict parsing of the RPC Timestamp and ACS3 x-acs-date
-- (YYYY-MM-DDThh:mm:ssZ, UTC) and of the ROA Date header into epoch
-- seconds, with plain arithmetic so no locale or TZ setting can interfere.

local M = {}

-- Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = math.floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

local mdays = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }

-- Returns epoch seconds, or nil when `s` is not well formed.
function M.parse(s)
  local y, mo, d, h, mi, se = s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)T(%d%d):(%d%d):(%d%d)Z$")
  if not y then return nil end
  y, mo, d, h, mi, se = tonumber(y), tonumber(mo), tonumber(d), tonumber(h), tonumber(mi), tonumber(se)
  if mo < 1 or mo > 12 or d < 1 or d > mdays[mo] or h > 23 or mi > 59 or se > 60 then return nil end
  if mo == 2 and d == 29 and not (y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0)) then return nil end
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se
end

local MONTHS = { Jan = 1, Feb = 2, Mar = 3, Apr = 4, May = 5, Jun = 6,
                 Jul = 7, Aug = 8, Sep = 9, Oct = 10, Nov = 11, Dec = 12 }
local DAYS = { Sun = true, Mon = true, Tue = true, Wed = true, Thu = true, Fri = true, Sat = true }

-- RFC 7231 IMF-fixdate ("Wed, 01 May 2024 12:00:00 GMT", the ROA Date
-- header) -> epoch seconds, or nil when `s` is not well formed.
function M.parse_http(s)
  local wd, d, mon, y, h, mi, se = s:match("^(%a%a%a), (%d%d) (%a%a%a) (%d%d%d%d) (%d%d):(%d%d):(%d%d) GMT$")
  if not wd or not DAYS[wd] or not MONTHS[mon] then return nil end
  return M.parse(string.format("%s-%02d-%sT%s:%s:%sZ", y, MONTHS[mon], d, h, mi, se))
end

return M
