-- Alibaba Cloud ROA signature ("Authorization: acs AK:signature"), written
-- independently of the project's C core. Loadable outside nginx: HMAC-SHA1
-- and base64 are injectable (default: nginx's).
--   StringToSign = METHOD \n Accept \n Content-MD5 \n Content-Type \n Date \n
--                  x-acs-name:value \n ... (lowercase names, sorted)
--                  resource: raw path [? k=v&... sorted, values decoded, not encoded]

local M = {}

local char, gsub, concat, sort = string.char, string.gsub, table.concat, table.sort

local function dec_hex(h) return char(tonumber(h, 16)) end
local function decode(s) return (gsub(s, "%%(%x%x)", dec_hex)) end

local function trim(s) return (s:gsub("^[ \t]+", ""):gsub("[ \t]+$", "")) end

-- The resource line: the path as sent, then the decoded query sorted by key.
function M.resource(raw_path, raw_query)
  local list = {}
  for piece in (raw_query or ""):gmatch("[^&]+") do
    local k, v = piece:match("^([^=]*)=?(.*)$")
    if k ~= "" then list[#list + 1] = { decode(k), decode(v) } end
  end
  if #list == 0 then return raw_path end
  sort(list, function(a, b) if a[1] ~= b[1] then return a[1] < b[1] end return a[2] < b[2] end)
  for i, kv in ipairs(list) do list[i] = kv[1] .. "=" .. kv[2] end
  return raw_path .. "?" .. concat(list, "&")
end

local function one(v) -- a repeated header: its last value, as a map keeps it
  if type(v) == "table" then return v[#v] end
  return v
end

-- string_to_sign(method, raw_path, raw_query, headers): headers by
-- lowercase name (a list when repeated).
function M.string_to_sign(method, raw_path, raw_query, headers)
  local lines = { method }
  for _, n in ipairs({ "accept", "content-md5", "content-type", "date" }) do
    lines[#lines + 1] = headers[n] and trim(one(headers[n])) or ""
  end
  local acs = {}
  for n in pairs(headers) do
    if n:sub(1, 6) == "x-acs-" then acs[#acs + 1] = n end
  end
  sort(acs)
  for _, n in ipairs(acs) do lines[#lines + 1] = n .. ":" .. trim(one(headers[n])) end
  lines[#lines + 1] = M.resource(raw_path, raw_query)
  return concat(lines, "\n")
end

-- signature(secret, sts [, hmac_sha1, b64]) -> base64 signature
function M.signature(secret, sts, hmac_sha1, b64)
  hmac_sha1 = hmac_sha1 or ngx.hmac_sha1
  b64 = b64 or ngx.encode_base64
  return b64(hmac_sha1(secret, sts))
end

return M
