-- Huawei API gateway authentication: an AK/SK signature (SDK-HMAC-SHA256 or
-- V11-HMAC-SHA256 with a signed X-Sdk-Date, verified by sign.lua) or an
-- IAM token (X-Auth-Token). authenticate(ctx) returns the principal
-- { kind, domain, project? , ak? } or nil, err (HTTP 401, APIGW.*).

local hw_sign   = require "emulator.huawei.sign"
local hw_iam    = require "emulator.huawei.iam"
local timestamp = require "emulator.common.timestamp"
local crypto    = require "emulator.common.crypto"
local request   = require "emulator.huawei.request"

local M = {}

local MAX_SKEW = 15 * 60 -- seconds either side of server time

local gw = request.fail
local function iam_info(msg) return "Incorrect IAM authentication information: " .. msg end

local function sdk_date_epoch(s)
  local y, mo, d, h, mi, se = s:match("^(%d%d%d%d)(%d%d)(%d%d)T(%d%d)(%d%d)(%d%d)Z$")
  if not y then return nil end
  return timestamp.parse(string.format("%s-%s-%sT%s:%s:%sZ", y, mo, d, h, mi, se))
end

local function aksk(ctx, authz)
  if type(authz) ~= "string" then return gw(401, "APIGW.0301", iam_info("several Authorization headers")) end
  local a, perr = hw_sign.parse_authorization(authz)
  if not a then return gw(401, "APIGW.0301", iam_info(perr)) end
  local date_signed = false
  for _, n in ipairs(a.signed_headers) do if n == "x-sdk-date" then date_signed = true end end
  if not date_signed then
    return gw(401, "APIGW.0301", iam_info("x-sdk-date must be one of the SignedHeaders (got '" .. a.signed_raw .. "')"))
  end
  local date = ctx.headers["x-sdk-date"]
  if type(date) ~= "string" then
    return gw(401, "APIGW.0301", iam_info("the X-Sdk-Date header is missing or repeated"))
  end
  local t = sdk_date_epoch(date)
  if not t then
    return gw(401, "APIGW.0301", iam_info("x-sdk-date '" .. date .. "' is not in the format YYYYMMDDTHHMMSSZ"))
  end
  if math.abs(t - ngx.time()) > MAX_SKEW then
    return gw(401, "APIGW.0303", iam_info("x-sdk-date expired"))
  end
  local key = hw_iam.KEYS[a.access]
  if not key then
    return gw(401, "APIGW.0301", iam_info("unknown access key (AK) '" .. a.access .. "'"))
  end
  if a.credential and a.credential.date ~= date:sub(1, 8) then
    return gw(401, "APIGW.0301", iam_info("the Credential date " .. a.credential.date ..
              " does not match the x-sdk-date day " .. date:sub(1, 8)))
  end
  if key.security_token then
    local st = ctx.headers["x-security-token"]
    if st == nil then
      return gw(401, "APIGW.0301",
                iam_info("AK '" .. a.access .. "' is temporary: the X-Security-Token header is required"))
    end
    if st ~= key.security_token then
      return gw(401, "APIGW.0301", iam_info("the X-Security-Token does not belong to AK '" .. a.access .. "'"))
    end
    if key.expires and ngx.now() >= key.expires then
      return gw(401, "APIGW.0301", iam_info("the security token of AK '" .. a.access .. "' has expired"))
    end
  end
  local payload_hash = ctx.headers["x-sdk-content-sha256"]
  if type(payload_hash) ~= "string" then payload_hash = crypto.sha256_hex(ctx.body) end
  local canonical, missing = hw_sign.canonical_request({
    method = ctx.method, path = ctx.raw_path, query = ctx.raw_query,
    headers = ctx.headers, signed = a.signed_headers, payload_hash = payload_hash,
  })
  if not canonical then
    return gw(401, "APIGW.0301", iam_info("signed header '" .. missing .. "' is not present in the request"))
  end
  local expected = hw_sign.sign(canonical, {
    algorithm = a.algorithm, ak = a.access, sk = key.sk, sdk_date = date,
    info = a.credential and a.credential.info,
  }, crypto)
  if a.signature ~= expected then
    return gw(401, "APIGW.0301", iam_info("verify aksk signature fail, canonicalRequest: " .. canonical))
  end
  return { kind = "aksk", ak = a.access, domain = key.domain }
end

local function token_auth(_, tok)
  if type(tok) ~= "string" then return gw(401, "APIGW.0301", iam_info("several X-Auth-Token headers")) end
  local state, rec = hw_iam.check(tok, ngx.now())
  if state == "unknown" then return gw(401, "APIGW.0301", iam_info("token invalid")) end
  if state == "expired" then return gw(401, "APIGW.0307", "The token must be updated.") end
  return { kind = "token", domain = rec.domain, project = rec.project }
end

function M.authenticate(ctx)
  local authz = ctx.headers["authorization"]
  if authz ~= nil then return aksk(ctx, authz) end
  local tok = ctx.headers["x-auth-token"]
  if tok ~= nil then return token_auth(ctx, tok) end
  return gw(401, "APIGW.0301",
            iam_info("neither an Authorization (AK/SK signature) nor an X-Auth-Token header is present"))
end

return M
