-- The sign step of Alibaba Cloud ROA (REST) requests under the "acs"
-- signature (Authorization: acs AK:signature, HMAC-SHA1): the headers it
-- signs (Date, Content-MD5, x-acs-signature-method/-version/-nonce,
-- x-acs-version, and with STS x-acs-security-token and x-acs-accesskey-id)
-- and the signature the C core computes.
local core = require "cloudapi.core"
local clock = require "cloudapi.clock"
local sts_headers = require("cloudapi.aliyun.sign_acs3").sts_headers

local M = {}

local roa_sign_args, roa_sign_query = core.roa_sign_args, core.roa_sign_query

-- Headers sign() sets; a caller setting one is a mistake.
M.RESERVED_HEADERS = {
  authorization = true, host = true, date = true, ["content-md5"] = true, ["content-length"] = true,
  ["x-acs-signature-method"] = true, ["x-acs-signature-version"] = true,
  ["x-acs-signature-nonce"] = true, ["x-acs-version"] = true,
  ["x-acs-security-token"] = true, ["x-acs-accesskey-id"] = true,
}

-- A date given as the string to send: RFC 7231's IMF-fixdate.
M.DATE_FORM = "an RFC 7231 date such as \"Wed, 01 May 2024 12:00:00 GMT\""
function M.date_ok(s)
  return clock.parse_http_date(s) ~= nil
end

-- The Date header (RFC 7231) of a time in seconds, made once per second.
local date_second, date_text = -1, nil
function M.date(t)
  local sec = math.floor(t)
  if sec ~= date_second then date_second, date_text = sec, clock.http_date(sec) end
  return date_text
end

-- sign(h, creds, method, host, path, query, body, action, version, nonce, date, want)
-- -> the query to send, nil, string to sign (when want) (the same shape as
-- sign_acs3.sign; host and action are not signed by acs). h: every
-- header of the request, completed here.
function M.sign(h, creds, method, _, path, query, body, _, version, nonce, date, want)
  h.Date = date
  h["x-acs-signature-method"] = "HMAC-SHA1"
  h["x-acs-signature-version"] = "1.0"
  h["x-acs-signature-nonce"] = nonce
  h["x-acs-version"] = version
  sts_headers(h, creds)
  -- Names and values are checked strings: the core raises only on a bug.
  local auth, q, md5, sts = roa_sign_args(method, path, query, h, body, creds.access_key_secret,
                                          creds.access_key_id, want)
  h["Content-MD5"], h.Authorization = md5, auth
  return q, nil, sts
end

local ACCEPT, EMPTY_MD5 = "application/json", "1B2M2Y8AsgTpgAmY7PhCfg==" -- Base64 MD5 of ""

-- fast(creds, method, base, path, query, version, nonce, date, user_agent, want)
-- -> headers, url (base .. path, and the query), string to sign (when
-- want) | nil: a request without a body or headers of the caller's, signed
-- in one C call with the headers sign() would set (the core adds Date,
-- Content-MD5, x-acs-signature-method, -version and -nonce; nonce nil: a
-- fresh one; date: seconds or the Date string). nil: a query the core
-- leaves to the general path (rest.query and sign()), such as a list or a
-- fraction.
function M.fast(creds, method, base, path, query, version, nonce, date, ua, want)
  local secret, id, token = creds.access_key_secret, creds.access_key_id, creds.security_token
  if token == "" then token = nil end
  local url, auth, sts
  if token then
    url, auth, nonce, date, sts = roa_sign_query(method, base, path, query, secret, id, want, nonce, date,
      "Accept", ACCEPT, "x-acs-version", version, "x-acs-security-token", token, "x-acs-accesskey-id", id)
  else
    url, auth, nonce, date, sts = roa_sign_query(method, base, path, query, secret, id, want, nonce, date,
      "Accept", ACCEPT, "x-acs-version", version)
  end
  if not url then return nil end
  return { Accept = ACCEPT, ["User-Agent"] = ua, Date = date, ["Content-MD5"] = EMPTY_MD5,
           ["x-acs-signature-method"] = "HMAC-SHA1", ["x-acs-signature-version"] = "1.0",
           ["x-acs-signature-nonce"] = nonce, ["x-acs-version"] = version,
           ["x-acs-security-token"] = token, ["x-acs-accesskey-id"] = token and id or nil,
           Authorization = auth }, url, sts
end

return M
