-- Huawei Cloud APIG signatures (SDK-HMAC-SHA256 and the derived-key
-- V11-HMAC-SHA256), written independently of the project's C core.
-- Loadable outside nginx (plain Lua 5.1-5.4): the primitives come from a
-- `crypto` table { hmac_sha256(key, msg) -> raw bytes, sha256_hex(data) ->
-- lowercase hex }, defaulting to emulator.crypto (LuaJIT FFI) when omitted.

local M = {}

local byte, char, format = string.byte, string.char, string.format
local gsub, sub, find = string.gsub, string.sub, string.find
local concat, sort, tonumber = table.concat, table.sort, tonumber

local function default_crypto(c)
  return c or require("emulator.common.crypto")
end

function M.hex(raw)
  return (gsub(raw, ".", function(c) return format("%02x", byte(c)) end))
end

---------------------------------------------------------------- encoding
-- RFC 3986: only A-Z a-z 0-9 - _ . ~ stay literal, every other byte is %XX.
local function enc_byte(c) return format("%%%02X", byte(c)) end
function M.encode(s)
  return (gsub(s, "[^A-Za-z0-9%-_%.~]", enc_byte))
end

-- Percent-decoding only ('+' stays '+'); a malformed '%' stays literal.
local function dec_hex(h) return char(tonumber(h, 16)) end
function M.decode(s)
  return (gsub(s, "%%(%x%x)", dec_hex))
end

---------------------------------------------------------------- canonical parts
-- "/a%20b/c" -> "/a%20b/c/": each segment decoded then re-encoded, and a
-- trailing "/" appended when missing.
function M.canonical_uri(path)
  if path == nil or path == "" then path = "/" end
  local segs = {}
  for seg in (path .. "/"):gmatch("([^/]*)/") do
    segs[#segs + 1] = M.encode(M.decode(seg))
  end
  local uri = concat(segs, "/")
  if sub(uri, -1) ~= "/" then uri = uri .. "/" end
  return uri
end

-- Raw query -> list of { key, value } (percent-decoded). A key without "="
-- gets the value ""; pieces with an empty key are dropped.
function M.parse_query(raw)
  local pairs_ = {}
  if not raw or raw == "" then return pairs_ end
  for piece in raw:gmatch("[^&]+") do
    local eq = find(piece, "=", 1, true)
    local k, v
    if eq then k, v = sub(piece, 1, eq - 1), sub(piece, eq + 1) else k, v = piece, "" end
    if k ~= "" then pairs_[#pairs_ + 1] = { M.decode(k), M.decode(v) } end
  end
  return pairs_
end

-- List of { key, value } -> "k1=v1&k2=v2", sorted by key bytes then value
-- bytes; an empty value keeps its "=".
function M.canonical_query_pairs(list)
  local items = {}
  for i, kv in ipairs(list) do items[i] = { kv[1], kv[2] } end
  sort(items, function(a, b)
    if a[1] ~= b[1] then return a[1] < b[1] end
    return a[2] < b[2]
  end)
  local parts = {}
  for i, kv in ipairs(items) do parts[i] = M.encode(kv[1]) .. "=" .. M.encode(kv[2]) end
  return concat(parts, "&")
end

function M.canonical_query(raw)
  return M.canonical_query_pairs(M.parse_query(raw))
end

local function trim(s) return (gsub(gsub(s, "^[ \t]+", ""), "[ \t]+$", "")) end

-- names: list of lowercase header names (as in SignedHeaders);
-- headers: lowercase name -> value (a list of values is joined with ",").
-- Returns the header block ("name:value\n" each) or nil, missing name.
function M.canonical_headers(names, headers)
  local lines = {}
  for i, name in ipairs(names) do
    local v = headers[name]
    if v == nil then return nil, name end
    if type(v) == "table" then v = concat(v, ",") end
    lines[i] = name .. ":" .. trim(v) .. "\n"
  end
  return concat(lines)
end

-- req = { method, path (raw, still percent-encoded), query (raw, no "?"),
--         headers (lowercase name -> value), signed (list of names),
--         payload_hash }
-- Returns the canonical request, or nil, "missing header <name>".
function M.canonical_request(req)
  local block, missing = M.canonical_headers(req.signed, req.headers)
  if not block then return nil, missing end
  return concat({
    req.method, M.canonical_uri(req.path), M.canonical_query(req.query),
    block, concat(req.signed, ";"), req.payload_hash,
  }, "\n")
end

---------------------------------------------------------------- Authorization
local ALGORITHMS = { ["SDK-HMAC-SHA256"] = true, ["V11-HMAC-SHA256"] = true }

-- Parses the Authorization header. Returns
--   { algorithm, access, credential = { ak, date, region, service, info }?,
--     signed_headers = { names }, signed_raw, signature }
-- or nil, message.
function M.parse_authorization(value)
  local alg, rest = (value or ""):match("^%s*(%S+)%s+(.-)%s*$")
  if not alg then return nil, "the Authorization header is malformed" end
  if not ALGORITHMS[alg] then
    return nil, "unsupported signing algorithm " .. alg .. " (expected SDK-HMAC-SHA256 or V11-HMAC-SHA256)"
  end
  local fields = {}
  for part in (rest .. ","):gmatch("([^,]*),") do
    part = trim(part)
    if part ~= "" then
      local k, v = part:match("^([%w%-]+)=(.*)$")
      if not k then return nil, "the Authorization header is malformed near '" .. part .. "'" end
      if fields[k] then return nil, "the Authorization header repeats " .. k end
      fields[k] = v
    end
  end
  local a = { algorithm = alg, signed_raw = fields.SignedHeaders, signature = fields.Signature }
  if alg == "SDK-HMAC-SHA256" then
    if not fields.Access or fields.Access == "" then return nil, "Access is missing from the Authorization header" end
    a.access = fields.Access
  else
    local cred = fields.Credential
    if not cred then return nil, "Credential is missing from the Authorization header" end
    local ak, date, region, service = cred:match("^([^/]+)/(%d%d%d%d%d%d%d%d)/([^/]+)/([^/]+)$")
    if not ak then
      return nil, "Credential must be <AK>/<YYYYMMDD>/<region>/<service>, got '" .. cred .. "'"
    end
    a.access = ak
    a.credential = { ak = ak, date = date, region = region, service = service,
                     info = date .. "/" .. region .. "/" .. service }
  end
  if not a.signed_raw or a.signed_raw == "" then
    return nil, "SignedHeaders is missing from the Authorization header"
  end
  if not a.signature or not a.signature:match("^%x+$") then
    return nil, "Signature is missing from the Authorization header or is not hex"
  end
  a.signed_headers = {}
  for name in (a.signed_raw .. ";"):gmatch("([^;]*);") do
    if not name:match("^[a-z0-9!#$%%&'*+.^_`|~-]+$") then
      return nil, "SignedHeaders must be lowercase header names separated by ';', got '" .. a.signed_raw .. "'"
    end
    a.signed_headers[#a.signed_headers + 1] = name
  end
  for i = 2, #a.signed_headers do
    if a.signed_headers[i - 1] >= a.signed_headers[i] then
      return nil, "SignedHeaders must be sorted and without duplicates, got '" .. a.signed_raw .. "'"
    end
  end
  return a
end

---------------------------------------------------------------- signing
-- V11 signing key: 64-char lowercase hex of HMAC(HMAC(AK, SK), info .. "\1").
function M.v11_key(ak, sk, info, crypto)
  crypto = default_crypto(crypto)
  local prk = crypto.hmac_sha256(ak, sk)
  return M.hex(crypto.hmac_sha256(prk, info .. "\1"))
end

function M.string_to_sign(algorithm, sdk_date, canonical, info, crypto)
  crypto = default_crypto(crypto)
  local h = crypto.sha256_hex(canonical)
  if algorithm == "V11-HMAC-SHA256" then
    return "V11-HMAC-SHA256\n" .. sdk_date .. "\n" .. info .. "\n" .. h
  end
  return "SDK-HMAC-SHA256\n" .. sdk_date .. "\n" .. h
end

-- Signature (lowercase hex) of a canonical request.
--   opts = { algorithm = "SDK-HMAC-SHA256"|"V11-HMAC-SHA256", ak, sk,
--            sdk_date, info (V11 only: "YYYYMMDD/region/service") }
-- Returns signature, string to sign.
function M.sign(canonical, opts, crypto)
  crypto = default_crypto(crypto)
  local alg = opts.algorithm or "SDK-HMAC-SHA256"
  local sts = M.string_to_sign(alg, opts.sdk_date, canonical, opts.info, crypto)
  local key = opts.sk
  if alg == "V11-HMAC-SHA256" then key = M.v11_key(opts.ak, opts.sk, opts.info, crypto) end
  return M.hex(crypto.hmac_sha256(key, sts)), sts
end

return M
