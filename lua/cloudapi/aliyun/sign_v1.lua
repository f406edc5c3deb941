-- The build and sign steps of an Alibaba RPC request under signature v1
-- (HMAC-SHA1): the caller's parameters plus the client's common ones
-- (Action, Version, Format, AccessKeyId, SecurityToken, RegionId), signed
-- by the C core, which adds the signature's own parameters
-- (SignatureMethod, SignatureVersion, SignatureNonce, Timestamp) itself.
-- GET sends them in the query, POST as a form body.
local core = require "cloudapi.core"
local params = require "cloudapi.aliyun.params"
local errors = require "cloudapi.errors"

local M = {}

-- Parameters the client owns; a caller setting one is a mistake.
M.RESERVED = {
  Action = true, Version = true, Format = true, AccessKeyId = true,
  Signature = true, SignatureMethod = true, SignatureVersion = true,
  SignatureNonce = true, Timestamp = true, SecurityToken = true,
}
local RESERVED = M.RESERVED
local NONE = {}

local rpc_sign_args = core.rpc_sign_args

-- sign(self, prefix, args, creds, action, nonce, time, want_sts)
-- -> prefix .. signed query, string to sign | nil (args the C core cannot
-- flatten: the caller takes the general path). nonce nil: the core draws
-- one; time: seconds since the epoch or the timestamp string.
local function sign(self, prefix, args, reserved, creds, action, nonce, time, want_sts)
  local m, secret, id, token = self.method, creds.access_key_secret, creds.access_key_id, creds.security_token
  local region = args.RegionId == nil and self.region or nil
  if token and token ~= "" then
    if region then
      return rpc_sign_args(m, secret, args, reserved, prefix, want_sts, time, nonce, "Action", action,
        "Version", self.version, "Format", self.format, "AccessKeyId", id, "SecurityToken", token,
        "RegionId", region)
    end
    return rpc_sign_args(m, secret, args, reserved, prefix, want_sts, time, nonce, "Action", action,
      "Version", self.version, "Format", self.format, "AccessKeyId", id, "SecurityToken", token)
  end
  if region then
    return rpc_sign_args(m, secret, args, reserved, prefix, want_sts, time, nonce, "Action", action,
      "Version", self.version, "Format", self.format, "AccessKeyId", id, "RegionId", region)
  end
  return rpc_sign_args(m, secret, args, reserved, prefix, want_sts, time, nonce, "Action", action,
    "Version", self.version, "Format", self.format, "AccessKeyId", id)
end

-- Header tables of requests a call makes and never hands out: shared.
local CALL_HEADERS = {}

local function call_headers(ua)
  local h = CALL_HEADERS[ua]
  if not h then
    h = { GET = { ["User-Agent"] = ua },
          POST = { ["User-Agent"] = ua, ["Content-Type"] = "application/x-www-form-urlencoded" } }
    CALL_HEADERS[ua] = h
  end
  return h
end

-- with_headers(base, extra) -> base, with the caller's checked headers
-- (extra, may be nil) added; theirs win, a User-Agent too.
function M.with_headers(base, extra)
  if not extra then return base end
  local h = {}
  for k, v in pairs(base) do h[k] = v end
  for k, v in pairs(extra) do
    if k:lower() == "user-agent" then h["User-Agent"] = nil end
    h[k] = v
  end
  return h
end

-- build(self, creds, action, args, nonce, time, want_sts [, timeout,
--       remaining, idempotent, extra]) -> req | nil, err
-- With a timeout the request also carries the fields a transport reads (a
-- call hands it over as is: one table, sized once); without, it is a
-- prepared request whose headers the caller may change.
function M.build(self, creds, action, args, nonce, time, want_sts, timeout, remaining, idempotent, extra)
  local get = self.method == "GET"
  local prefix = get and self.get_prefix or ""
  local signed, sts
  if args == nil or type(args) == "table" then
    signed, sts = sign(self, prefix, args or NONE, RESERVED, creds, action, nonce, time, want_sts)
  end
  if not signed then
    -- The general path: flatten in Lua (it names what cannot be sent),
    -- then sign the flat strings the same way.
    local flat, why = params.flatten(args, RESERVED)
    if not flat then return nil, errors.config(why) end
    signed, sts = sign(self, prefix, flat, NONE, creds, action, nonce, time, want_sts)
    if not signed then return nil, errors.config("cannot sign these parameters") end
  end
  local req
  if timeout then -- eight fields for a GET: the smallest hash that holds them
    local headers = self.call_headers or call_headers(self.user_agent)
    self.call_headers = headers
    if get then
      req = { method = "GET", url = signed, action = action, args = args, headers = headers.GET,
              timeout = timeout, total_timeout = remaining, idempotent = idempotent }
    else
      req = { method = "POST", url = self.post_url, body = signed, action = action, args = args,
              headers = headers.POST, timeout = timeout, total_timeout = remaining, idempotent = idempotent }
    end
  elseif get then
    req = { method = "GET", url = signed, action = action, args = args,
            headers = { ["User-Agent"] = self.user_agent } }
  else
    req = { method = "POST", url = self.post_url, body = signed, action = action, args = args,
            headers = { ["User-Agent"] = self.user_agent, ["Content-Type"] = "application/x-www-form-urlencoded" } }
  end
  -- args, with the nonce and time in the query, is enough to sign it again.
  if sts then req.string_to_sign = sts end
  if extra then req.headers = M.with_headers(req.headers, extra) end
  return req
end

-- prepared(self, req) -> req as prepare returns it
local Request = require("cloudapi.client").Request
function M.prepared(_, req)
  return setmetatable(req, Request)
end

local function unescape(s)
  return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

-- string_to_sign(self, creds, req) -> what we signed for req (calls do not
-- keep it: sign the same request again, same nonce and time, to see it)
function M.string_to_sign(self, creds, req)
  if req.string_to_sign then return req.string_to_sign end
  local signed = req.body or req.url
  local nonce = signed:match("[?&]SignatureNonce=([^&]*)")
  local stamp = signed:match("[?&]Timestamp=([^&]*)")
  if not (nonce and stamp) then return nil end
  local again = M.build(self, creds, req.action, req.args, unescape(nonce), unescape(stamp), true)
  return again and again.string_to_sign
end

return M
