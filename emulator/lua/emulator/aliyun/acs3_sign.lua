-- Alibaba Cloud V3 signature (ACS3-HMAC-SHA256): canonical request, string
-- to sign and signature, written independently of the project's C core.
-- Loadable outside nginx: the primitives come from a `crypto` table
-- { sha256_hex(data), hmac_sha256(key, msg) -> raw }, defaulting to
-- emulator.common.crypto (LuaJIT FFI).

local M = {}

local byte, char, format, gsub = string.byte, string.char, string.format, string.gsub
local concat, sort = table.concat, table.sort

M.ALGORITHM = "ACS3-HMAC-SHA256"

local function enc_byte(c) return format("%%%02X", byte(c)) end
function M.encode(s) return (gsub(s, "[^A-Za-z0-9%-_%.~]", enc_byte)) end

local function dec_hex(h) return char(tonumber(h, 16)) end
local function decode(s) return (gsub(s, "%%(%x%x)", dec_hex)) end

local function pair_less(a, b)
  if a[1] ~= b[1] then return a[1] < b[1] end
  return a[2] < b[2]
end

-- Raw query -> its canonical form: pairs decoded, sorted by raw key bytes
-- (then value), each side encoded again; "k" alone counts as "k=".
function M.canonical_query(raw)
  local list = {}
  for piece in (raw or ""):gmatch("[^&]+") do
    local k, v = piece:match("^([^=]*)=?(.*)$")
    if k ~= "" then list[#list + 1] = { decode(k), decode(v) } end
  end
  sort(list, pair_less)
  for i, kv in ipairs(list) do list[i] = M.encode(kv[1]) .. "=" .. M.encode(kv[2]) end
  return concat(list, "&")
end

local function trim(s) return (s:gsub("^[ \t]+", ""):gsub("[ \t]+$", "")) end

-- One signed header's canonical value: a repeated header's values are
-- trimmed, sorted and joined with ','.
function M.header_value(v)
  if type(v) ~= "table" then return trim(v) end
  local vals = {}
  for i, x in ipairs(v) do vals[i] = trim(x) end
  sort(vals)
  return concat(vals, ",")
end

-- "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex" ->
-- { credential, signed = { "a", "b" }, signature } | nil, reason
function M.parse_authorization(value)
  local prefix = M.ALGORITHM .. " "
  local rest = value:sub(1, #prefix) == prefix and value:sub(#prefix + 1) or nil
  if not rest then return nil, "the Authorization header does not start with " .. M.ALGORITHM end
  local ak, signed, sig = rest:match("^Credential=([^,]+),SignedHeaders=([^,]+),Signature=(%x+)$")
  if not ak then
    return nil, "the Authorization header must be " .. M.ALGORITHM ..
                " Credential=<AccessKeyId>,SignedHeaders=<a;b>,Signature=<hex>"
  end
  local names = {}
  for name in (signed .. ";"):gmatch("([^;]*);") do
    if name == "" or name ~= name:lower() then return nil, "SignedHeaders must be lowercase names joined by ';'" end
    names[#names + 1] = name
  end
  return { credential = ak, signed = names, signature = sig }
end

-- canonical_request(method, raw_path, raw_query, headers, signed, payload_hash)
-- headers: lowercase name -> value (a list when repeated); signed: the
-- lowercase names the client listed. Returns the canonical request.
function M.canonical_request(method, raw_path, raw_query, headers, signed, payload_hash)
  local lines = { method, raw_path ~= "" and raw_path or "/", M.canonical_query(raw_query) }
  local names = {}
  for i, n in ipairs(signed) do names[i] = n end
  sort(names)
  for _, n in ipairs(names) do lines[#lines + 1] = n .. ":" .. M.header_value(headers[n] or "") end
  lines[#lines + 1] = ""
  lines[#lines + 1] = concat(names, ";")
  lines[#lines + 1] = payload_hash
  return concat(lines, "\n")
end

-- signature(secret, canonical [, crypto]) -> hex signature, string to sign
function M.signature(secret, canonical, crypto)
  crypto = crypto or require("emulator.common.crypto")
  local sts = M.ALGORITHM .. "\n" .. crypto.sha256_hex(canonical)
  local raw = crypto.hmac_sha256(secret, sts)
  return (gsub(raw, ".", function(c) return format("%02x", byte(c)) end)), sts
end

return M
