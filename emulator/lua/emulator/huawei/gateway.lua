-- Huawei Cloud REST front door, the API gateway (paths /v1/... and /v3/...):
-- route, then gateway authentication (auth.lua: AK/SK signature or
-- X-Auth-Token), then the handler (iam_api.lua, vpcep.lua). Error bodies
-- follow the real services:
--   gateway (APIGW.*) and VPCEP (EndPoint.*): {"error_code","error_msg","request_id"}
--   IAM (/v3/auth/tokens):                   {"error":{"code","message","title"}}
-- Every answer carries X-Request-Id.

local render   = require "emulator.common.render"
local faults   = require "emulator.common.faults"
local reqlog   = require "emulator.common.reqlog"
local auth     = require "emulator.huawei.auth"
local request  = require "emulator.huawei.request"
local iam_api  = require "emulator.huawei.iam_api"
local vpcep    = require "emulator.huawei.vpcep"
local vpc      = require "emulator.huawei.vpc"

local obj = render.obj

local M = {}

local CTYPE = "application/json"

---------------------------------------------------------------- counters
local counters
function M.reset()
  counters = { requests = 0, errors = 0, by_operation = {}, by_code = {} }
end
M.reset()
function M.counts() return counters end

local function count(tbl, key) tbl[key] = (tbl[key] or 0) + 1 end

---------------------------------------------------------------- helpers
local function request_id()
  local r = math.random
  return string.format("%08x%08x%08x%08x", r(0, 0x7fffffff), r(0, 0x7fffffff), r(0, 0x7fffffff), r(0, 0x7fffffff))
end

local function send(ctx, status, body, headers)
  faults.before_send(ctx.fault) -- a stall fault waits here, after the work is done
  reqlog.sent_status(status)
  ngx.status = status
  ngx.header["X-Request-Id"] = ctx.request_id
  for k, v in pairs(headers or {}) do ngx.header[k] = v end
  if body == nil then
    ngx.header["Content-Type"] = nil
    return ngx.exit(status)
  end
  local text = render.json(body)
  if ctx.fault and ctx.fault.kind == "truncate" then
    return faults.send_truncated(status, CTYPE, ctx.request_id, text, "X-Request-Id")
  end
  ngx.header["Content-Type"] = CTYPE
  ngx.header["Content-Length"] = #text
  ngx.print(text)
end

local function send_error(ctx, e)
  counters.errors = counters.errors + 1
  count(counters.by_code, e.code)
  reqlog.set({ code = e.code })
  if e.iam then
    return send(ctx, e.status, obj("error", obj("code", e.status, "message", e.message, "title", e.title)), e.headers)
  end
  return send(ctx, e.status, obj("error_code", e.code, "error_msg", e.message, "request_id", ctx.request_id), e.headers)
end

---------------------------------------------------------------- routes
-- { method, path pattern (captures: project id, resource id), operation name
--   (stats, request log), handler(ctx, ...), noauth = no gateway authentication }
local SERVICES, SERVICE = "^/v1/([^/]+)/vpc%-endpoint%-services$", "^/v1/([^/]+)/vpc%-endpoint%-services/([^/]+)$"
local ENDPOINTS, ENDPOINT = "^/v1/([^/]+)/vpc%-endpoints$", "^/v1/([^/]+)/vpc%-endpoints/([^/]+)$"
local ROUTES = {
  { "POST",   "^/v3/auth/tokens$", "KeystoneCreateUserTokenByPassword", iam_api.issue_token, noauth = true },
  { "GET",    "^/v3/projects$", "KeystoneListProjects", iam_api.list_projects },
  { "GET",    SERVICES, "ListEndpointServices", vpcep.route(vpcep.list_services) },
  { "POST",   SERVICES, "CreateEndpointService", vpcep.route(vpcep.create_service, true) },
  { "GET",    SERVICE, "ListServiceDetails", vpcep.route(vpcep.get_service) },
  { "PUT",    SERVICE, "UpdateEndpointService", vpcep.route(vpcep.update_service, true) },
  { "DELETE", SERVICE, "DeleteEndpointService", vpcep.route(vpcep.delete_service) },
  { "GET",    ENDPOINTS, "ListEndpoints", vpcep.route(vpcep.list_endpoints) },
  { "POST",   ENDPOINTS, "CreateEndpoint", vpcep.route(vpcep.create_endpoint, true) },
  { "GET",    ENDPOINT, "ListEndpointInfoDetails", vpcep.route(vpcep.get_endpoint) },
  { "DELETE", ENDPOINT, "DeleteEndpoint", vpcep.route(vpcep.delete_endpoint) },
  { "GET",    "^/v3/([^/]+)/vpc/vpcs$", "ListVpcs", vpcep.route(vpc.list_vpcs) },
}

local function match_route(method, path)
  -- HEAD is GET without a body; nginx drops the body for us.
  if method == "HEAD" then method = "GET" end
  for _, r in ipairs(ROUTES) do
    if r[1] == method then
      local a, b = path:match(r[2]) -- no capture: a is the whole path
      if a then return r, a, b end
    end
  end
end

local function process(ctx)
  local path = ngx.var.uri
  if #path > 1 then path = path:gsub("/+$", "") end
  local route, a, b = match_route(ctx.method, path)
  if not route then
    return request.fail(404, "APIGW.0101", "The API does not exist or has not been published in the environment: "
              .. ctx.method .. " " .. path)
  end
  count(counters.by_operation, route[3])
  ctx.headers = request.plain_headers()
  ctx.raw_path, ctx.raw_query = request.raw_path(), ngx.var.args or ""
  ctx.body = request.read_body()
  if not route.noauth then
    local principal, err = auth.authenticate(ctx)
    if not principal then return nil, err end
    ctx.principal = principal
  end
  return route[4](ctx, a, b)
end

-- Fault injection (faults.lua) in this API's error shapes (an error fault
-- is rendered flat by send_error: {"error_code","error_msg","request_id"}).
local function fault_error(f)
  if f.kind == "throttle" then
    local h = faults.headers(f)
    if f.retry_after then h["Retry-After"] = string.format("%d", f.retry_after) end
    return { status = 429, code = "APIGW.0308",
             message = "The throttling threshold has been reached: policy user over ratelimit, limit:20, time:1 second",
             headers = h }
  end
  return faults.apply(f)
end

-- Request log fields known before any check (also for faulted requests).
local function log_request(ctx)
  local path = ngx.var.uri
  if #path > 1 then path = path:gsub("/+$", "") end
  local route = match_route(ctx.method, path)
  local date = ngx.req.get_headers(0)["x-sdk-date"]
  if type(date) == "table" then date = date[1] end
  reqlog.set({ request_id = ctx.request_id, operation = route and route[3], sdk_date = date })
end

function M.handle()
  counters.requests = counters.requests + 1
  local ctx = { request_id = request_id(), method = ngx.req.get_method(), now = ngx.now() }
  log_request(ctx)
  -- The paging faults wait for a request that continues a listing.
  local marker, offset = ngx.var.arg_marker, tonumber(ngx.var.arg_offset or "")
  ctx.fault = faults.take("huawei", (marker ~= nil and marker ~= "") or (offset ~= nil and offset > 0))
  if ctx.fault then
    local e = fault_error(ctx.fault)
    if e then return send_error(ctx, e) end
  end
  local ok, status, body, headers = xpcall(process, debug.traceback, ctx)
  if not ok then
    ngx.log(ngx.ERR, "emulator: ", status)
    return send_error(ctx, { status = 500, code = "APIGW.0103",
                             message = "The backend failed: " .. tostring(status):match("[^\n]*") })
  end
  if not status then return send_error(ctx, body) end
  return send(ctx, status, body, headers)
end

return M
