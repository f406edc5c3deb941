-- The sign step of Alibaba Cloud V3, ACS3-HMAC-SHA256, for both clients:
-- sign() adds the signature's headers (host, x-acs-action, x-acs-version,
-- x-acs-date, x-acs-signature-nonce, x-acs-content-sha256, and with STS
-- credentials x-acs-security-token and x-acs-accesskey-id) and the
-- Authorization the C core computes; build() is the RPC client's step in
-- place of sign_v1 (no v1 common parameters: GET sends the caller's
-- parameters in the query, POST in a form body).
local core = require "cloudapi.core"
local params = require "cloudapi.aliyun.params"
local errors = require "cloudapi.errors"
local sign_v1 = require "cloudapi.aliyun.sign_v1"

local M = {}

local acs3_sign, sha256_hex = core.acs3_sign, core.sha256_hex
local EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

-- Headers sign() sets; a caller setting one is a mistake.
M.RESERVED_HEADERS = {
  authorization = true, host = true, ["content-length"] = true, ["x-acs-action"] = true,
  ["x-acs-version"] = true, ["x-acs-date"] = true, ["x-acs-signature-nonce"] = true,
  ["x-acs-content-sha256"] = true, ["x-acs-security-token"] = true, ["x-acs-accesskey-id"] = true,
}

-- The server quotes its canonical request (the emulator does): compare
-- it with ours, which every ACS3 request keeps.
M.SIGNATURE = {
  codes = { SignatureDoesNotMatch = true, IncompleteSignature = true },
  quoted = "canonical request is:%s*(.-)%s*$",
  field = "canonical_request",
  names = { who = "server", what = "canonical request", whats = "canonical requests",
            secret = "AccessKeySecret", id = "AccessKeyId" },
}

-- The x-acs-date of a time in seconds.
M.date = core.timestamp

-- sign(h, creds, method, host, path, query, body, action, version, nonce, date)
-- -> canonical query, canonical request, string to sign | nil, reason
-- h: the request's headers, completed here; path as sent; query: flat
-- strings; date: YYYY-MM-DDThh:mm:ssZ.
function M.sign(h, creds, method, host, path, query, body, action, version, nonce, date)
  local hash = (body == nil or body == "") and EMPTY_SHA256 or sha256_hex(body)
  h.host = host
  h["x-acs-action"] = action
  h["x-acs-version"] = version
  h["x-acs-date"] = date
  h["x-acs-signature-nonce"] = nonce
  h["x-acs-content-sha256"] = hash
  local token = creds.security_token
  if token and token ~= "" then
    h["x-acs-security-token"] = token
    h["x-acs-accesskey-id"] = creds.access_key_id
  end
  local ok, auth, q, canonical, sts = pcall(acs3_sign, {
    method = method, path = path, query = query, headers = h, payload_hash = hash,
    ak = creds.access_key_id, secret = creds.access_key_secret,
  })
  if not ok then return nil, "cannot sign: " .. tostring(auth) end
  h.Authorization = auth
  return q, canonical, sts
end

local RESERVED = sign_v1.RESERVED

-- build(self, creds, action, args, nonce, time, want_sts [, timeout,
--       remaining, idempotent, extra]) -> req | nil, err (as sign_v1.build)
-- time: seconds since the epoch or the x-acs-date string; extra: the
-- caller's checked headers.
function M.build(self, creds, action, args, nonce, time, _, timeout, remaining, idempotent, extra)
  local flat, why = params.flatten(args, RESERVED)
  if not flat then return nil, errors.config(why) end
  if flat.RegionId == nil then flat.RegionId = self.region end
  local h = sign_v1.with_headers({ ["User-Agent"] = self.user_agent }, extra)
  local date = type(time) == "string" and time or core.timestamp(time)
  local url, body, canonical, sts
  if self.method == "GET" then
    local q
    q, canonical, sts = M.sign(h, creds, "GET", self.hostport, "/", flat, nil, action, self.version,
                               nonce or core.nonce(), date)
    if not q then return nil, errors.config(canonical) end
    url = q ~= "" and (self.post_url .. "?" .. q) or self.post_url
  else
    body = core.canonical_query(flat)
    h["Content-Type"] = "application/x-www-form-urlencoded"
    local q
    q, canonical, sts = M.sign(h, creds, "POST", self.hostport, "/", nil, body, action, self.version,
                               nonce or core.nonce(), date)
    if not q then return nil, errors.config(canonical) end
    url = self.post_url
  end
  return { method = self.method, url = url, body = body, headers = h, action = action, args = args,
           canonical_request = canonical, string_to_sign = sts,
           timeout = timeout, total_timeout = remaining, idempotent = idempotent }
end

-- What we signed: every ACS3 request keeps its canonical request.
function M.string_to_sign(_, _, req)
  return req.canonical_request
end

return M
