-- Authentication of the Alibaba requests signed in headers, with the same
-- rules as signature v1 (a known AccessKeyId, a time within 15 minutes of
-- the server's, each nonce used once, a temporary key's exact STS token):
--   ACS3-HMAC-SHA256  RPC ("/", query or form body) and ROA (acs3_sign.lua)
--   acs               ROA only (roa_sign.lua)
-- Errors are RPC-shaped tables { status, code, message } the front doors render.

local acs3_sign = require "emulator.aliyun.acs3_sign"
local roa_sign  = require "emulator.aliyun.roa_sign"
local accounts  = require "emulator.aliyun.accounts"
local nonces    = require "emulator.aliyun.nonces"
local timestamp = require "emulator.common.timestamp"
local body      = require "emulator.common.body"

local M = {}

M.MAX_SKEW = 15 * 60 -- seconds either side of server time

local function fail(status, code, message)
  return nil, { status = status, code = code, message = message }
end

-- The scheme word of an Authorization header ("ACS3-HMAC-SHA256", "acs", ...).
function M.scheme(authz)
  return authz and (authz:match("^(%S+)") or "")
end

-- What the verifiers read of the current request: the path and query as
-- sent, headers by lowercase name (a list when repeated), the body.
function M.request()
  local headers = {}
  for k, v in pairs(ngx.req.get_headers(0, true)) do
    local name, old = k:lower(), headers[k:lower()]
    if type(v) == "table" then v = { unpack(v) } end
    if old == nil then headers[name] = v
    else
      if type(old) ~= "table" then old = { old } end
      for _, x in ipairs(type(v) == "table" and v or { v }) do old[#old + 1] = x end
      headers[name] = old
    end
  end
  local uri = (ngx.var.request_uri or "/"):gsub("^[%a][%w+.-]*://[^/]*", "")
  return { method = ngx.req.get_method(), raw_path = uri:match("^[^?#]*"), raw_query = ngx.var.args or "",
           headers = headers, body = body.read() }
end

function M.unsupported(scheme, accepted)
  return fail(400, "UnsupportedSignatureType", "The signature type '" .. scheme ..
              "' in the Authorization header is not supported here: use " .. accepted .. ".")
end

local function single(headers, name)
  local v = headers[name]
  if type(v) == "table" then return nil end
  return v
end

-- The common checks once the signature's own fields are read.
local function account_time_token(ak, when, parse, headers)
  local account = accounts[ak]
  if not account then return fail(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.") end
  local t = parse(when)
  if not t then
    return fail(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.")
  end
  if math.abs(t - ngx.time()) > M.MAX_SKEW then
    return fail(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
  end
  if account.token then
    local token = single(headers, "x-acs-security-token")
    if token == nil or token == "" then
      return fail(400, "MissingSecurityToken",
                  "SecurityToken (x-acs-security-token) is mandatory for this access key.")
    end
    if token ~= account.token then
      return fail(400, "InvalidSecurityToken.Mismatch", "Specified SecurityToken mismatch with the AccessKey.")
    end
  end
  if account.expires and ngx.now() >= account.expires then -- a key the emulator issued (common/temp_keys.lua)
    return fail(400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired.")
  end
  return account
end

local function use_nonce(ak, nonce)
  if not nonces.use(ak, nonce) then
    return fail(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
  end
  return true
end

-- acs3(r, required) -> { ak, action, version, nonce, date } | nil, err
-- required: the x-acs-* headers that must be present and signed besides
-- the signature's own (x-acs-action for RPC).
local ACS3_OWN = { "host", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256" }
function M.acs3(r, required, crypto)
  crypto = crypto or require("emulator.common.crypto")
  local auth, why = acs3_sign.parse_authorization(single(r.headers, "authorization") or "")
  if not auth then return fail(400, "IncompleteSignature", why) end
  local signed = {}
  for _, n in ipairs(auth.signed) do signed[n] = true end
  for _, list in ipairs({ ACS3_OWN, required or {} }) do
    for _, n in ipairs(list) do
      if not single(r.headers, n) or r.headers[n] == "" or not signed[n] then
        return fail(400, "IncompleteSignature",
                    "The " .. n .. " header is required and must be signed (SignedHeaders).")
      end
    end
  end
  for n in pairs(signed) do
    if r.headers[n] == nil then
      return fail(400, "IncompleteSignature", "The signed header " .. n .. " is not in the request.")
    end
  end
  local h = r.headers
  local account, err = account_time_token(auth.credential, h["x-acs-date"], timestamp.parse, h)
  if not account then return nil, err end
  if h["x-acs-content-sha256"] ~= crypto.sha256_hex(r.body) then
    return fail(400, "InvalidContentSha256", "The x-acs-content-sha256 header is not the SHA-256 of the body.")
  end
  local canonical = acs3_sign.canonical_request(r.method, r.raw_path, r.raw_query, h, auth.signed,
                                                h["x-acs-content-sha256"])
  if acs3_sign.signature(account.secret, canonical, crypto) ~= auth.signature then
    return fail(400, "SignatureDoesNotMatch",
                "Specified signature does not match our calculation. server canonical request is:" .. canonical)
  end
  local ok, nerr = use_nonce(auth.credential, h["x-acs-signature-nonce"])
  if not ok then return nil, nerr end
  return { ak = auth.credential, action = h["x-acs-action"], version = h["x-acs-version"],
           nonce = h["x-acs-signature-nonce"], date = h["x-acs-date"] }
end

local ACS_REQUIRED = { "date", "x-acs-signature-nonce", "x-acs-signature-method", "x-acs-signature-version",
                       "x-acs-version" }

-- acs(r) -> { ak, version, nonce, date } | nil, err: the ROA signature.
function M.acs(r)
  local h = r.headers
  local ak, sig = (single(h, "authorization") or ""):match("^acs ([^:%s]+):(%S+)$")
  if not ak then
    return fail(400, "IncompleteSignature", "The Authorization header must be acs <AccessKeyId>:<signature>.")
  end
  for _, n in ipairs(ACS_REQUIRED) do
    if not single(h, n) or h[n] == "" then
      return fail(400, "IncompleteSignature", "The " .. n .. " header is required.")
    end
  end
  if h["x-acs-signature-method"] ~= "HMAC-SHA1" then
    return fail(400, "InvalidSignatureMethod", "Specified signature method is not supported.")
  end
  if h["x-acs-signature-version"] ~= "1.0" then
    return fail(400, "InvalidSignatureVersion", "Specified signature version is not supported.")
  end
  local account, err = account_time_token(ak, h.date, timestamp.parse_http, h)
  if not account then return nil, err end
  local md5 = single(h, "content-md5")
  if md5 and md5 ~= ngx.encode_base64(ngx.md5_bin(r.body)) then
    return fail(400, "InvalidContentMD5", "The Content-MD5 header is not the MD5 of the body.")
  end
  local sts = roa_sign.string_to_sign(r.method, r.raw_path, r.raw_query, h)
  if roa_sign.signature(account.secret, sts) ~= sig then
    return fail(400, "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation. server string to sign is:" .. sts)
  end
  local ok, nerr = use_nonce(ak, h["x-acs-signature-nonce"])
  if not ok then return nil, nerr end
  return { ak = ak, version = h["x-acs-version"], nonce = h["x-acs-signature-nonce"], date = h.date }
end

return M
