-- Huawei Cloud REST front door (paths /v1/... and /v3/...): route, then
-- gateway authentication (AK/SK signature or X-Auth-Token), then the
-- handler. Error bodies follow the real services:
--   gateway (APIGW.*) and VPCEP (EndPoint.*): {"error_code","error_msg","request_id"}
--   IAM (/v3/auth/tokens):                   {"error":{"code","message","title"}}
-- Every answer carries X-Request-Id.

local cjson     = require "cjson.safe"
local render    = require "emulator.render"
local hw_sign   = require "emulator.hw_sign"
local hw_iam    = require "emulator.hw_iam"
local vpcep     = require "emulator.vpcep"
local timestamp = require "emulator.timestamp"
local faults    = require "emulator.faults"
local crypto    = require "emulator.crypto"
local reqlog    = require "emulator.reqlog"

local obj, list = render.obj, render.list

local M = {}

local MAX_SKEW = 15 * 60 -- seconds either side of server time
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

-- Flat (gateway / VPCEP) error; `iam` = nested IAM form.
local function fail(status, code, message)
  return nil, { status = status, code = code, message = message }
end
local function iam_fail(status, message)
  local titles = { [400] = "Bad Request", [401] = "Unauthorized", [403] = "Forbidden", [404] = "Not Found" }
  return nil, { status = status, code = tostring(status), message = message, iam = true,
                title = titles[status] or "Error" }
end
local function gw(status, code, message) return fail(status, code, message) end
local function iam_info(msg) return "Incorrect IAM authentication information: " .. msg end

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

local function read_body()
  ngx.req.read_body()
  local body = ngx.req.get_body_data()
  if not body then
    local path = ngx.req.get_body_file()
    if path then
      local f = io.open(path, "rb")
      if f then body = f:read("*a"); f:close() end
    end
  end
  return body or ""
end

-- Raw (still percent-encoded) path of the request line.
local function raw_path()
  local uri = ngx.var.request_uri or "/"
  uri = uri:gsub("^[%a][%w+.-]*://[^/]*", "") -- absolute-form request target
  return (uri:match("^[^?#]*"))
end

-- Query args (percent-decoded); a repeated key becomes a list.
local function args_of(raw)
  local args = {}
  for _, kv in ipairs(hw_sign.parse_query(raw)) do
    local k, v = kv[1], kv[2]
    local old = args[k]
    if old == nil then args[k] = v
    elseif type(old) == "table" then old[#old + 1] = v
    else args[k] = { old, v } end
  end
  return args
end

local function json_object(text)
  local v = cjson.decode(text)
  if type(v) ~= "table" then return nil end
  if #v > 0 then return nil end -- a JSON array
  for k, x in pairs(v) do
    if x == cjson.null then v[k] = nil end
  end
  return v
end

---------------------------------------------------------------- authentication
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
      return gw(401, "APIGW.0301", iam_info("AK '" .. a.access .. "' is temporary: the X-Security-Token header is required"))
    end
    if st ~= key.security_token then
      return gw(401, "APIGW.0301", iam_info("the X-Security-Token does not belong to AK '" .. a.access .. "'"))
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

local function token_auth(ctx, tok)
  if type(tok) ~= "string" then return gw(401, "APIGW.0301", iam_info("several X-Auth-Token headers")) end
  local state, rec = hw_iam.check(tok, ngx.now())
  if state == "unknown" then return gw(401, "APIGW.0301", iam_info("token invalid")) end
  if state == "expired" then return gw(401, "APIGW.0307", "The token must be updated.") end
  return { kind = "token", domain = rec.domain, project = rec.project }
end

local function authenticate(ctx)
  local authz = ctx.headers["authorization"]
  if authz ~= nil then return aksk(ctx, authz) end
  local tok = ctx.headers["x-auth-token"]
  if tok ~= nil then return token_auth(ctx, tok) end
  return gw(401, "APIGW.0301", iam_info("neither an Authorization (AK/SK signature) nor an X-Auth-Token header is present"))
end

---------------------------------------------------------------- IAM
local function iso6(t)
  local s = math.floor(t)
  return os.date("!%Y-%m-%dT%H:%M:%S", s) .. string.format(".%03d000Z", math.floor((t - s) * 1000))
end

local function domain_obj(d) return obj("name", d.name, "id", d.id) end

local function str(v) return type(v) == "string" and v ~= "" end

local function issue_token(ctx)
  local b = json_object(ctx.body)
  if not b then return iam_fail(400, "The request body must be a JSON object.") end
  local auth = b.auth
  if type(auth) ~= "table" then return iam_fail(400, "Invalid request body: auth is required.") end
  local identity = auth.identity
  if type(identity) ~= "table" then return iam_fail(400, "Invalid request body: auth.identity is required.") end
  local methods, has_pw = identity.methods, false
  if type(methods) ~= "table" then return iam_fail(400, "Invalid request body: auth.identity.methods must be a list.") end
  for _, m in ipairs(methods) do if m == "password" then has_pw = true end end
  if not has_pw then
    return iam_fail(400, 'Invalid request body: auth.identity.methods must contain "password" (the only method of this emulator).')
  end
  local pw = identity.password
  local user = type(pw) == "table" and pw.user
  if type(user) ~= "table" then return iam_fail(400, "Invalid request body: auth.identity.password.user is required.") end
  if not str(user.name) then return iam_fail(400, "Invalid request body: auth.identity.password.user.name is required.") end
  if not str(user.password) then return iam_fail(400, "Invalid request body: auth.identity.password.user.password is required.") end
  local ud = user.domain
  if type(ud) ~= "table" or not (str(ud.name) or str(ud.id)) then
    return iam_fail(400, "Invalid request body: auth.identity.password.user.domain.name (or .id) is required.")
  end
  local scope = auth.scope
  if scope ~= nil and scope ~= cjson.null and type(scope) ~= "table" then
    return iam_fail(400, "Invalid request body: auth.scope must be an object.")
  end
  -- credentials
  local domain = str(ud.name) and hw_iam.DOMAINS[ud.name] or nil
  if not str(ud.name) then
    for _, d in pairs(hw_iam.DOMAINS) do if d.id == ud.id then domain = d end end
  end
  if str(ud.name) and str(ud.id) and domain and domain.id ~= ud.id then domain = nil end
  local u = domain and hw_iam.USERS[domain.name][user.name]
  if not u or u.password ~= user.password then
    return iam_fail(401, "The username or password is wrong.")
  end
  -- scope
  local rec = { user = u, domain = domain, methods = { "password" } }
  if type(scope) == "table" then
    if type(scope.project) == "table" then
      local sp = scope.project
      if str(sp.id) then
        local p = hw_iam.PROJECT_BY_ID[sp.id]
        if not p or p.domain ~= domain then
          return iam_fail(400, "Invalid scope: project id " .. sp.id .. " is not a project of domain " .. domain.name .. ".")
        end
        rec.project = p
      elseif str(sp.name) then
        local found = hw_iam.projects_named(sp.name)
        if #found == 0 then
          return iam_fail(400, "Invalid scope: project " .. sp.name .. " does not exist in domain " .. domain.name .. ".")
        end
        if #found > 1 then
          return iam_fail(400, "Invalid scope: several projects are named " .. sp.name .. "; scope by project id.")
        end
        rec.project = found[1]
      else
        return iam_fail(400, "Invalid request body: auth.scope.project needs a name or an id.")
      end
    elseif type(scope.domain) == "table" then
      local sd = scope.domain
      if not (str(sd.name) or str(sd.id)) then
        return iam_fail(400, "Invalid request body: auth.scope.domain needs a name or an id.")
      end
      if (str(sd.name) and sd.name ~= domain.name) or (str(sd.id) and sd.id ~= domain.id) then
        return iam_fail(400, "Invalid scope: the user does not belong to the domain of the scope.")
      end
      rec.scope_domain = domain
    else
      return iam_fail(400, "Invalid request body: auth.scope must hold a project or a domain.")
    end
  end
  local tok = hw_iam.issue(rec, ngx.now())
  local p = rec.project
  return 201, obj("token", obj(
    "expires_at", iso6(rec.expires), "issued_at", iso6(rec.issued), "methods", list({ "password" }),
    "user", obj("name", u.name, "id", u.id, "domain", domain_obj(domain), "password_expires_at", ""),
    "project", p and obj("name", p.name, "id", p.id, "domain", domain_obj(p.domain)) or nil,
    "domain", rec.scope_domain and domain_obj(rec.scope_domain) or nil,
    "roles", list({ obj("name", "te_admin", "id", "0") }), "catalog", list())),
    { ["X-Subject-Token"] = tok }
end

local function list_projects(ctx)
  local args = args_of(ctx.raw_query)
  if type(args.name) == "table" or type(args.domain_id) == "table" then
    return iam_fail(400, "Invalid query: a parameter is repeated.")
  end
  hw_iam.project_lookup()
  local base = "http://" .. (ngx.var.http_host or "127.0.0.1") .. "/v3/projects"
  local l = list()
  for _, p in ipairs(hw_iam.projects_named(args.name)) do
    if p.domain == ctx.principal.domain and (args.domain_id == nil or args.domain_id == p.domain.id) then
      l[#l + 1] = obj("id", p.id, "name", p.name, "domain_id", p.domain.id, "parent_id", p.domain.id,
                      "enabled", true, "is_domain", false, "description", "",
                      "links", obj("self", base .. "/" .. p.id))
    end
  end
  local self = base .. ((ctx.raw_query ~= "") and ("?" .. ctx.raw_query) or "")
  return 200, obj("projects", l, "links", obj("self", self, "previous", render.null, "next", render.null))
end

---------------------------------------------------------------- VPCEP glue
-- Wraps a vpcep handler: project checks, JSON body for POST/PUT.
local function vpcep_route(handler, with_body)
  return function(ctx, pid, id)
    local project = hw_iam.PROJECT_BY_ID[pid]
    if not project then
      return fail(400, "EndPoint.0014", "Invalid project ID: " .. pid .. " is not a project of this emulator.")
    end
    local hdr = ctx.headers["x-project-id"]
    if hdr ~= nil and hdr ~= pid then
      return fail(400, "EndPoint.0014", "Invalid project ID: the X-Project-Id header (" .. tostring(hdr) ..
                  ") does not match the project id in the path (" .. pid .. ").")
    end
    local pr = ctx.principal
    if pr.domain ~= project.domain then
      return fail(403, "EndPoint.0004", "Authentication information is incorrect or you have no permissions: project "
                  .. pid .. " belongs to another domain.")
    end
    if pr.project and pr.project ~= project then
      return fail(403, "EndPoint.0004", "Authentication information is incorrect or you have no permissions: the token is scoped to project "
                  .. pr.project.id .. " (" .. pr.project.name .. "), not " .. pid .. ".")
    end
    local body
    if with_body then
      body = json_object(ctx.body)
      if not body then return fail(400, "EndPoint.0002", "Parameter error: the request body must be a JSON object.") end
    end
    return handler({ project = project, id = id, body = body, args = args_of(ctx.raw_query), now = ctx.now })
  end
end

---------------------------------------------------------------- routes
local ROUTES = {
  { "POST",   "^/v3/auth/tokens$", "KeystoneCreateUserTokenByPassword", issue_token, noauth = true },
  { "GET",    "^/v3/projects$", "KeystoneListProjects", list_projects },
  { "GET",    "^/v1/([^/]+)/vpc%-endpoint%-services$", "ListEndpointServices", vpcep_route(vpcep.list_services) },
  { "POST",   "^/v1/([^/]+)/vpc%-endpoint%-services$", "CreateEndpointService", vpcep_route(vpcep.create_service, true) },
  { "GET",    "^/v1/([^/]+)/vpc%-endpoint%-services/([^/]+)$", "ListServiceDetails", vpcep_route(vpcep.get_service) },
  { "PUT",    "^/v1/([^/]+)/vpc%-endpoint%-services/([^/]+)$", "UpdateEndpointService", vpcep_route(vpcep.update_service, true) },
  { "DELETE", "^/v1/([^/]+)/vpc%-endpoint%-services/([^/]+)$", "DeleteEndpointService", vpcep_route(vpcep.delete_service) },
  { "GET",    "^/v1/([^/]+)/vpc%-endpoints$", "ListEndpoints", vpcep_route(vpcep.list_endpoints) },
  { "POST",   "^/v1/([^/]+)/vpc%-endpoints$", "CreateEndpoint", vpcep_route(vpcep.create_endpoint, true) },
  { "GET",    "^/v1/([^/]+)/vpc%-endpoints/([^/]+)$", "ListEndpointInfoDetails", vpcep_route(vpcep.get_endpoint) },
  { "DELETE", "^/v1/([^/]+)/vpc%-endpoints/([^/]+)$", "DeleteEndpoint", vpcep_route(vpcep.delete_endpoint) },
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

-- Lowercase name -> value (a list when repeated), without ngx's
-- underscore-folding metatable.
local function plain_headers()
  local h = {}
  for k, v in pairs(ngx.req.get_headers(0)) do h[k:lower()] = v end
  return h
end

local function process(ctx)
  local path = ngx.var.uri
  if #path > 1 then path = path:gsub("/+$", "") end
  local route, a, b = match_route(ctx.method, path)
  if not route then
    return gw(404, "APIGW.0101", "The API does not exist or has not been published in the environment: "
              .. ctx.method .. " " .. path)
  end
  count(counters.by_operation, route[3])
  ctx.headers = plain_headers()
  ctx.raw_path, ctx.raw_query = raw_path(), ngx.var.args or ""
  ctx.body = read_body()
  if not route.noauth then
    local principal, err = authenticate(ctx)
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
  ctx.fault = faults.take("huawei")
  if ctx.fault then
    local e = fault_error(ctx.fault)
    if e then return send_error(ctx, e) end
  end
  local ok, status, body, headers = xpcall(process, debug.traceback, ctx)
  if not ok then
    ngx.log(ngx.ERR, "emulator: ", status)
    return send_error(ctx, { status = 500, code = "APIGW.0103", message = "The backend failed: " .. tostring(status):match("[^\n]*") })
  end
  if not status then return send_error(ctx, body) end
  return send(ctx, status, body, headers)
end

return M
