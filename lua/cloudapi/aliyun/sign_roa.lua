-- The sign step of Alibaba Cloud ROA (REST) requests under the "acs"
-- signature (Authorization: acs AK:signature, HMAC-SHA1): the headers it
-- signs (Date, Content-MD5, x-acs-signature-method/-version/-nonce,
-- x-acs-version, and with STS x-acs-security-token and x-acs-accesskey-id)
-- and the signature the C core computes.
local core = require "cloudapi.core"
local clock = require "cloudapi.clock"

local M = {}

local roa_sign, content_md5, canonical_query = core.roa_sign, core.content_md5, core.canonical_query
local EMPTY_MD5 = "1B2M2Y8AsgTpgAmY7PhCfg==" -- Content-MD5 of no body

-- Headers sign() sets; a caller setting one is a mistake.
M.RESERVED_HEADERS = {
  authorization = true, host = true, date = true, ["content-md5"] = true, ["content-length"] = true,
  ["x-acs-signature-method"] = true, ["x-acs-signature-version"] = true,
  ["x-acs-signature-nonce"] = true, ["x-acs-version"] = true,
  ["x-acs-security-token"] = true, ["x-acs-accesskey-id"] = true,
}

-- The Date header (RFC 7231) of a time in seconds.
M.date = clock.http_date

-- sign(h, creds, method, host, path, query, body, action, version, nonce, date)
-- -> the query to send, nil, string to sign | nil, reason (the same shape
-- as sign_acs3.sign; host and action are not signed by acs)
function M.sign(h, creds, method, _, path, query, body, _, version, nonce, date)
  h.Date = date
  h["Content-MD5"] = (body == nil or body == "") and EMPTY_MD5 or content_md5(body)
  h["x-acs-signature-method"] = "HMAC-SHA1"
  h["x-acs-signature-version"] = "1.0"
  h["x-acs-signature-nonce"] = nonce
  h["x-acs-version"] = version
  local token = creds.security_token
  if token and token ~= "" then
    h["x-acs-security-token"] = token
    h["x-acs-accesskey-id"] = creds.access_key_id
  end
  local ok, auth, sts = pcall(roa_sign, {
    method = method, path = path, query = query, headers = h,
    ak = creds.access_key_id, secret = creds.access_key_secret,
  })
  if not ok then return nil, "cannot sign: " .. tostring(auth) end
  h.Authorization = auth
  return canonical_query(query), nil, sts
end

return M
