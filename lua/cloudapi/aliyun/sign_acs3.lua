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
local client = require "cloudapi.client"
local sign_v1 = require "cloudapi.aliyun.sign_v1"
local creds_spec = require "cloudapi.aliyun.credentials"
local decode = require "cloudapi.aliyun.decode"

local M = {}

local acs3_sign, sha256_hex = core.acs3_sign, core.sha256_hex
local FORM = "application/x-www-form-urlencoded"
local EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

-- Headers sign() sets; a caller setting one is a mistake.
M.RESERVED_HEADERS = {
  authorization = true, host = true, ["content-length"] = true, ["x-acs-action"] = true,
  ["x-acs-version"] = true, ["x-acs-date"] = true, ["x-acs-signature-nonce"] = true,
  ["x-acs-content-sha256"] = true, ["x-acs-security-token"] = true, ["x-acs-accesskey-id"] = true,
}

-- How a mismatch is diagnosed: as for v1 (decode.SIGNATURE), but the
-- server quotes its canonical request (the emulator does), which we make
-- again to compare.
local V1 = decode.SIGNATURE
M.SIGNATURE = { codes = V1.codes, quoted = "canonical request is:%s*(.-)%s*$", field = "canonical_request",
                names = setmetatable({ what = "canonical request", whats = "canonical requests" },
                                     { __index = V1.names }) }

-- sts_headers(h, creds): the headers a header-signed request (ACS3, and
-- ROA acs) carries for a temporary credential.
function M.sts_headers(h, creds)
  local token = creds.security_token
  if token and token ~= "" then
    h["x-acs-security-token"] = token
    h["x-acs-accesskey-id"] = creds.access_key_id
  end
end
local sts_headers = M.sts_headers

-- The x-acs-date of a time in seconds.
M.date = core.timestamp

-- A date given as the string to send: ISO 8601 UTC to the second.
M.DATE_FORM = "an ISO 8601 UTC time such as \"2024-05-01T12:00:00Z\""
function M.date_ok(s)
  return s:match("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$") ~= nil and
         require("cloudapi.clock").parse_iso8601(s) ~= nil
end

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
  sts_headers(h, creds)
  local ok, auth, q, canonical, sts = pcall(acs3_sign, {
    method = method, path = path, query = query, headers = h, payload_hash = hash,
    ak = creds.access_key_id, secret = creds.access_key_secret,
  })
  if not ok then return nil, "cannot sign: " .. tostring(auth) end
  h.Authorization = auth
  return q, canonical, sts
end

local RESERVED = sign_v1.RESERVED
local NONE = {}
local acs3_sign_args = core.acs3_sign_args

-- sign_args(self, creds, args, reserved, action, nonce, date, extra, want)
-- -> query or body, authorization, nonce, date, content hash (nil: of the
-- empty body) [, canonical request, string to sign when want] | nil (args
-- the C core cannot flatten: take the general path). nonce nil: a fresh
-- one; date: seconds or the x-acs-date string.
local function sign_args(self, creds, args, reserved, action, nonce, date, extra, want)
  local region = args.RegionId == nil and self.region or nil
  local token = creds.security_token
  local m, secret, id, host, version = self.method, creds.access_key_secret, creds.access_key_id, self.hostport,
                                       self.version
  if token and token ~= "" then
    if m == "POST" then
      return acs3_sign_args(m, secret, id, args, reserved, "RegionId", region, extra, want, nonce, date,
        "host", host, "x-acs-action", action, "x-acs-version", version, "x-acs-security-token", token,
        "x-acs-accesskey-id", id, "content-type", FORM)
    end
    return acs3_sign_args(m, secret, id, args, reserved, "RegionId", region, extra, want, nonce, date,
      "host", host, "x-acs-action", action, "x-acs-version", version, "x-acs-security-token", token,
      "x-acs-accesskey-id", id)
  end
  if m == "POST" then
    return acs3_sign_args(m, secret, id, args, reserved, "RegionId", region, extra, want, nonce, date,
      "host", host, "x-acs-action", action, "x-acs-version", version, "content-type", FORM)
  end
  return acs3_sign_args(m, secret, id, args, reserved, "RegionId", region, extra, want, nonce, date,
    "host", host, "x-acs-action", action, "x-acs-version", version)
end

local CLIENT, EXTRA = {}, {} -- private fields of a request: what signs it again

-- build(self, creds, action, args, nonce, time, want [, timeout,
--       remaining, idempotent, extra]) -> req | nil, err (as sign_v1.build)
-- time: seconds since the epoch or the x-acs-date string; extra: the
-- caller's checked headers. The canonical request and string to sign are
-- made only when wanted (a prepared request makes them when first read).
function M.build(self, creds, action, args, given_nonce, time, want, timeout, remaining, idempotent, extra)
  local signed, auth, nonce, date, hash, canonical, sts
  if args == nil or type(args) == "table" then
    signed, auth, nonce, date, hash, canonical, sts = sign_args(self, creds, args or NONE, RESERVED, action,
                                                                given_nonce, time, extra, want)
  end
  if not signed then
    -- The general path: flatten in Lua (it names what cannot be sent).
    local flat, why = params.flatten(args, RESERVED)
    if not flat then return nil, errors.config(why) end
    signed, auth, nonce, date, hash, canonical, sts = sign_args(self, creds, flat, NONE, action, given_nonce,
                                                                time, extra, want)
    if not signed then return nil, errors.config("cannot sign these parameters") end
  end
  local token = creds.security_token
  if token == "" then token = nil end
  local h = { ["User-Agent"] = self.user_agent, host = self.hostport, ["x-acs-action"] = action,
              ["x-acs-version"] = self.version, ["x-acs-date"] = date, ["x-acs-signature-nonce"] = nonce,
              ["x-acs-content-sha256"] = hash or EMPTY_SHA256, Authorization = auth,
              ["x-acs-security-token"] = token, ["x-acs-accesskey-id"] = token and creds.access_key_id or nil }
  if extra then h = sign_v1.with_headers(h, extra) end
  local req
  if self.method == "GET" then
    req = { method = "GET", url = signed ~= "" and (self.get_prefix .. signed) or self.post_url, headers = h,
            action = action, args = args, canonical_request = canonical, string_to_sign = sts,
            timeout = timeout, total_timeout = remaining, idempotent = idempotent }
  else
    h["Content-Type"] = FORM
    req = { method = "POST", url = self.post_url, body = signed, headers = h,
            action = action, args = args, canonical_request = canonical, string_to_sign = sts,
            timeout = timeout, total_timeout = remaining, idempotent = idempotent }
  end
  if extra then req[EXTRA] = extra end
  return req
end

-- What we signed for req: the same request signed again (same nonce and
-- date) with the details wanted.
local function again(self, creds, req)
  local h = req.headers
  return M.build(self, creds, req.action, req.args, h["x-acs-signature-nonce"], h["x-acs-date"], true,
                 nil, nil, nil, rawget(req, EXTRA))
end

-- string_to_sign(self, creds, req) -> the canonical request (the
-- diagnosis compares it with the server's)
function M.string_to_sign(self, creds, req)
  local r = again(self, creds, req)
  return r and r.canonical_request
end

-- A prepared request: canonical_request and string_to_sign made when
-- first read.
M.Request = {
  __name = client.Request.__name, __tostring = client.Request.__tostring,
  __index = function(req, k)
    if k ~= "canonical_request" and k ~= "string_to_sign" then return nil end
    local self = rawget(req, CLIENT)
    local creds = self and client.credentials(self, creds_spec.FIELDS)
    local r = creds and again(self, creds, req)
    if not r then return nil end
    rawset(req, "canonical_request", r.canonical_request)
    rawset(req, "string_to_sign", r.string_to_sign)
    return r[k]
  end,
}

-- prepared(self, req) -> req as prepare returns it
function M.prepared(self, req)
  req[CLIENT] = self
  return setmetatable(req, M.Request)
end

return M
