-- Alibaba Cloud RPC front door: parses the request, runs the common checks
-- in the documented order (signature v1 in the parameters, or
-- ACS3-HMAC-SHA256 in the headers: header_auth.lua), dispatches to the
-- product chosen by Version and renders the answer (JSON or XML) or the
-- error body.

local form        = require "emulator.common.form"
local render      = require "emulator.common.render"
local rpc_sign    = require "emulator.aliyun.rpc_sign"
local timestamp   = require "emulator.common.timestamp"
local accounts    = require "emulator.aliyun.accounts"
local nonces      = require "emulator.aliyun.nonces"
local idempotency = require "emulator.aliyun.idempotency"
local stats       = require "emulator.common.stats"
local faults      = require "emulator.common.faults"
local reqlog      = require "emulator.common.reqlog"
local paging      = require "emulator.aliyun.paging"
local body_of     = require "emulator.common.body"
local reply       = require "emulator.common.reply"
local header_auth = require "emulator.aliyun.header_auth"

local M = {}

local PRODUCTS = {
  ["2014-05-26"] = require "emulator.aliyun.ecs",
  ["2016-04-28"] = require "emulator.aliyun.vpc",
  ["2015-04-01"] = require "emulator.aliyun.sts",
}

-- Checked in this order, so a client sees the first thing it got wrong.
local COMMON_REQUIRED = {
  "Action", "AccessKeyId", "Signature", "SignatureNonce", "Timestamp",
  "SignatureMethod", "SignatureVersion", "Version",
}

local MAX_SKEW = 15 * 60 -- seconds either side of server time

local function fail(status, code, message)
  return nil, { status = status, code = code, message = message }
end

local function missing(name)
  return fail(400, "Missing" .. name, name .. " is mandatory for this action.")
end

local function request_id()
  local r = math.random
  return string.format("%08X-%04X-%04X-%04X-%04X%08X",
    r(0, 0x7fffffff), r(0, 0xffff), r(0, 0xffff), r(0, 0xffff), r(0, 0xffff), r(0, 0x7fffffff))
end

-- Query params, overridden by form-body params on a urlencoded POST.
local function read_params()
  local params = form.decode(ngx.var.args)
  if ngx.req.get_method() ~= "POST" then return params end
  local ctype = (ngx.var.content_type or ""):lower()
  if not ctype:find("application/x-www-form-urlencoded", 1, true) then return params end
  return form.decode(body_of.read(), params)
end

-- Signature, timestamp, credential and nonce checks. Returns true or nil, err.
local function authenticate(params, method)
  for _, name in ipairs(COMMON_REQUIRED) do
    if params[name] == nil or params[name] == "" then return missing(name) end
  end
  if not PRODUCTS[params.Version] then
    return fail(400, "InvalidVersion", "Specified parameter Version is not valid.")
  end
  if params.SignatureMethod ~= "HMAC-SHA1" then
    return fail(400, "InvalidSignatureMethod", "Specified signature method is not supported.")
  end
  if params.SignatureVersion ~= "1.0" then
    return fail(400, "InvalidSignatureVersion", "Specified signature version is not supported.")
  end
  local account = accounts[params.AccessKeyId]
  if not account then
    return fail(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
  end
  local t = timestamp.parse(params.Timestamp)
  if not t then
    return fail(400, "InvalidTimeStamp.Format",
                "Specified time stamp or date value is not well formatted.")
  end
  if math.abs(t - ngx.time()) > MAX_SKEW then
    return fail(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
  end
  if account.token then
    if params.SecurityToken == nil or params.SecurityToken == "" then
      return missing("SecurityToken")
    end
    if params.SecurityToken ~= account.token then
      return fail(400, "InvalidSecurityToken.Mismatch",
                  "Specified SecurityToken mismatch with the AccessKey.")
    end
  end
  if account.expires and ngx.now() >= account.expires then -- a key the emulator issued (common/temp_keys.lua)
    return fail(400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired.")
  end
  local expected, sts = rpc_sign.signature(method, params, account.secret)
  if params.Signature ~= expected then
    return fail(400, "SignatureDoesNotMatch",
      "Specified signature is not matched with our calculation. server string to sign is:" .. sts)
  end
  if not nonces.use(params.AccessKeyId, params.SignatureNonce) then
    return fail(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
  end
  return true
end

-- ACS3-HMAC-SHA256: the headers carry Action, Version, the key, the time
-- and the nonce; the parameters are the API's only. Any other scheme in
-- the Authorization header is refused by name.
local function authenticate_acs3(r, params)
  local scheme = header_auth.scheme(r.headers.authorization)
  if scheme ~= "ACS3-HMAC-SHA256" then
    return header_auth.unsupported(scheme, "ACS3-HMAC-SHA256, or signature v1 in the parameters")
  end
  local version = r.headers["x-acs-version"]
  if type(version) == "string" and not PRODUCTS[version] then
    return fail(400, "InvalidVersion", "Specified parameter Version is not valid.")
  end
  local info, err = header_auth.acs3(r, { "x-acs-action" })
  if not info then return nil, err end
  params.Action, params.Version, params.AccessKeyId = info.action, info.version, info.ak
  return true
end

-- Everything after authentication. Returns result (ordered object) or nil, err.
local function execute(params, fault)
  local product = PRODUCTS[params.Version]
  local action = product.actions[params.Action]
  local token = params.ClientToken
  if token == "" then token = nil end
  if token and not idempotency.valid_token(token) then
    return fail(400, "InvalidClientToken.Malformed",
                "The specified parameter ClientToken is not valid: at most 64 ASCII characters.")
  end
  if not action then -- as the real API answers an action it does not have
    return fail(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
  end
  stats.action(params.Action)
  for _, name in ipairs(action.required) do
    if params[name] == nil or params[name] == "" then return missing(name) end
  end
  local handle
  if token then
    local state, found = idempotency.lookup(params.AccessKeyId, params.Action, token, params)
    if state == "replay" then return found end
    if state == "mismatch" then
      return fail(403, "InvalidIdempotenceParameter.Mismatch",
                  "The specified parameters are different from before.")
    end
    handle = found
  end
  -- An anonymous action (STS AssumeRoleWithOIDC) has no key, so no account.
  local key = params.AccessKeyId and accounts[params.AccessKeyId]
  local account = key and (key.account or params.AccessKeyId) or "anonymous"
  local result, err = action.handler(params, { account = account, fault = fault })
  if result and handle then idempotency.remember(handle, result) end
  return result, err
end

local function send(ctx, status, root, body_obj, headers)
  if ctx.xml then return reply.send(ctx, status, render.xml(root, body_obj), "text/xml;charset=utf-8", headers) end
  return reply.send(ctx, status, render.json(body_obj), "application/json;charset=utf-8", headers)
end

function M.send_error(ctx, err)
  stats.error(err.code)
  reqlog.set({ code = err.code })
  local product = ctx.product
  local rec = "https://api.aliyun.com/troubleshoot?q=" .. err.code ..
              "&product=" .. (product and product.name or "Pop") .. "&requestId=" .. ctx.request_id
  return send(ctx, err.status, "Error", render.obj(
    "RequestId", ctx.request_id, "HostId", product and product.host or "pop.aliyuncs.com",
    "Code", err.code, "Message", err.message, "Recommend", rec), err.headers)
end

function M.handle()
  stats.request()
  local ctx = { request_id = request_id() }
  local method = ngx.req.get_method()
  local params = read_params()
  -- Signed in the headers (ACS3): nothing of v1 in the parameters counts.
  local hreq = ngx.var.http_authorization and header_auth.request()
  local h = hreq and hreq.headers or {}
  local function pick(header, param)
    if hreq then return type(h[header]) == "string" and h[header] or nil end
    return params[param]
  end
  reqlog.set({ request_id = ctx.request_id, action = pick("x-acs-action", "Action"),
               nonce = pick("x-acs-signature-nonce", "SignatureNonce"),
               timestamp = pick("x-acs-date", "Timestamp"), client_token = params.ClientToken })
  if method ~= "GET" and method ~= "POST" then
    return M.send_error(ctx, { status = 405, code = "UnsupportedHTTPMethod",
                               message = "Only GET and POST are supported." })
  end
  ctx.xml = not hreq and (params.Format or ""):upper() == "XML"
  ctx.product = PRODUCTS[pick("x-acs-version", "Version") or ""]
  -- Test-controlled faults come before any check (see faults.lua).
  ctx.fault = faults.take("rpc", paging.continues(params))
  if ctx.fault then
    local err = faults.apply(ctx.fault)
    if err then return M.send_error(ctx, err) end
  end
  -- A product's anonymous actions (STS AssumeRoleWithOIDC) carry no signature.
  local anonymous = ctx.product and ctx.product.anonymous and ctx.product.anonymous[params.Action]
  local ok, result, err = xpcall(function()
    local authed, aerr
    if hreq then authed, aerr = authenticate_acs3(hreq, params)
    elseif not anonymous then authed, aerr = authenticate(params, method)
    else authed = true end
    if not authed then return nil, aerr end
    return execute(params, ctx.fault)
  end, debug.traceback)
  if not ok then
    ngx.log(ngx.ERR, "emulator: ", result)
    return M.send_error(ctx, { status = 500, code = "InternalError",
                               message = "The request processing has failed due to some unknown error." })
  end
  if not result then return M.send_error(ctx, err) end
  return send(ctx, 200, params.Action .. "Response", render.prepend(result, "RequestId", ctx.request_id))
end

return M
