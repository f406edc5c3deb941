-- Alibaba Cloud ROA (REST) front door, Container Service's paths: route,
-- faults, authentication (header_auth.lua: the "acs" signature or
-- ACS3-HMAC-SHA256, whose x-acs-action must name the route's API), the
-- Version, then the product's handler (cs.lua). Gateway errors have the
-- POP shape {"RequestId","HostId","Code","Message","Recommend"}; the
-- product's own errors CS's {"code","message","requestId","status"}.
-- Counted with the RPC requests (common/stats.lua: by_action, by_code).

local header_auth = require "emulator.aliyun.header_auth"
local cs          = require "emulator.aliyun.cs" -- the one ROA product served
local render      = require "emulator.common.render"
local obj = render.obj

local faults      = require "emulator.common.faults"
local reqlog      = require "emulator.common.reqlog"
local reply       = require "emulator.common.reply"
local stats       = require "emulator.common.stats"
local form        = require "emulator.common.form"

local M = {}

local function request_id()
  local r = math.random
  return string.format("%08X-%04X-%04X-%04X-%04X%08X",
    r(0, 0x7fffffff), r(0, 0xffff), r(0, 0xffff), r(0, 0xffff), r(0, 0xffff), r(0, 0x7fffffff))
end

local function send(ctx, status, body, headers)
  return reply.send(ctx, status, render.json(body), "application/json;charset=utf-8", headers)
end

local function send_error(ctx, e)
  stats.error(e.code)
  reqlog.set({ code = e.code })
  if e.cs then
    return send(ctx, e.status, obj("code", e.code, "message", e.message, "requestId", ctx.request_id,
                                   "status", e.status), e.headers)
  end
  return send(ctx, e.status, obj("RequestId", ctx.request_id, "HostId", "cs.aliyuncs.com", "Code", e.code,
    "Message", e.message, "Recommend", "https://api.aliyun.com/troubleshoot?q=" .. e.code .. "&product=CS"),
    e.headers)
end

local function route_of(method, path)
  for _, r in ipairs(cs.routes) do
    if r[1] == method then
      local cap = path:match(r[2])
      if cap then return r, cap ~= path and form.unescape(cap) or nil end
    end
  end
end

local function fail(status, code, message) return nil, { status = status, code = code, message = message } end

local function authenticate(r, route)
  local scheme = header_auth.scheme(r.headers.authorization)
  local info, err
  if scheme == nil then
    return fail(400, "IncompleteSignature", "The Authorization header is missing.")
  elseif scheme == "acs" then
    info, err = header_auth.acs(r)
  elseif scheme == "ACS3-HMAC-SHA256" then
    info, err = header_auth.acs3(r, { "x-acs-action" })
    if info and info.action ~= route[3] then
      return fail(400, "InvalidAction", "x-acs-action is " .. tostring(info.action) .. ", but " ..
                  route[1] .. " " .. r.raw_path .. " is " .. route[3] .. ".")
    end
  else
    return header_auth.unsupported(scheme, "acs or ACS3-HMAC-SHA256")
  end
  if not info then return nil, err end
  if info.version ~= cs.version then
    return fail(400, "InvalidVersion", "Specified parameter Version is not valid (CS is " .. cs.version .. ").")
  end
  return info
end

local function execute(r, route, id, ctx)
  local info, err = authenticate(r, route)
  if not info then return nil, err end
  local h = route[4]
  if h == "list" then return cs.list(info.ak, ctx.args, ctx.fault) end
  if h == "create" then return cs.create(info.ak, r.body, ctx.request_id) end
  if h == "get" then return cs.get(info.ak, id) end
  return cs.delete(info.ak, id, ctx.request_id)
end

function M.handle()
  stats.request()
  local ctx = { request_id = request_id() }
  local r = header_auth.request()
  local h = r.headers
  local route, id = route_of(r.method, r.raw_path)
  local function one(n) return type(h[n]) == "string" and h[n] or nil end
  reqlog.set({ request_id = ctx.request_id, operation = route and route[3], action = one("x-acs-action"),
               nonce = one("x-acs-signature-nonce"), timestamp = one("x-acs-date") or one("date") })
  if not route then
    return send_error(ctx, { status = 404, code = "InvalidAction.NotFound",
                             message = "Specified api " .. r.method .. " " .. r.raw_path .. " is not found." })
  end
  stats.action(route[3])
  if route[4] == "list" then ctx.args = form.decode(r.raw_query) end
  ctx.fault = faults.take("roa", ctx.args and cs.continues(ctx.args))
  if ctx.fault then
    local err = faults.apply(ctx.fault)
    if err then return send_error(ctx, err) end
  end
  local ok, result, status_or_err = xpcall(execute, debug.traceback, r, route, id, ctx)
  if not ok then
    ngx.log(ngx.ERR, "emulator: ", result)
    return send_error(ctx, { status = 500, code = "InternalError",
                             message = "The request processing has failed due to some unknown error." })
  end
  if not result then return send_error(ctx, status_or_err) end
  return send(ctx, status_or_err or 200, result)
end

return M
