-- Huawei Cloud VPC Endpoint (VPCEP) v1: endpoint services and endpoints,
-- in memory per project. Every known project is seeded with SEED_COUNT
-- endpoint services so paging is visible. A created service is `creating`,
-- then `available`; an endpoint `creating`, then `accepted` (or
-- `pendingAcceptance`): common/lifecycle.lua. Lists are newest first (the real
-- API's default sort_key=created_at, sort_dir=desc).
-- Handlers return status, body (render object) or nil, err where
-- err = { status, code, message } (rendered flat: error_code/error_msg);
-- the checks of bodies and queries are in vpcep_input.lua. route(handler)
-- wraps a handler for gateway.lua: project checks, JSON body.

local render  = require "emulator.common.render"
local lifecycle = require "emulator.common.lifecycle"
local hw_iam  = require "emulator.huawei.iam"
local request = require "emulator.huawei.request"
local input   = require "emulator.huawei.vpcep_input"

local obj, list = render.obj, render.list
local bad, not_found, page = input.bad, input.not_found, input.page
local req_string, opt_string, opt_bool = input.req_string, input.opt_string, input.opt_bool
local check_ports, check_name = input.check_ports, input.check_name

local M = {}

M.SEED_COUNT = 25
local SEED_TIME = 1704067200 -- 2024-01-01T00:00:00Z

local services, endpoints -- project id -> { array in creation order, by id }
local seq = 0             -- never reset: ids stay unique for the server's life
local ip_seq = 0

local function iso(t) return os.date("!%Y-%m-%dT%H:%M:%SZ", math.floor(t)) end

local function uuid_from(a, b)
  return string.format("%08x-%04x-4%03x-8%03x-%012x", a, b % 0x10000, a % 0x1000, b % 0x1000, a * 0x100000 + b)
end

local function new_id()
  seq = seq + 1
  local r = math.random
  return string.format("%08x-%04x-4%03x-%04x-%08x%04x", r(0, 0x7fffffff), r(0, 0xffff), r(0, 0xfff),
                       0x8000 + r(0, 0x3fff), r(0, 0x7fffffff), seq % 0x10000)
end

local function full_name(project, name, id)
  if name and name ~= "" then return project.name .. "." .. name .. "." .. id end
  return project.name .. "." .. id
end

local function new_store() return { items = {}, by_id = {} } end

local function add(store, item)
  store.items[#store.items + 1] = item
  store.by_id[item.id] = item
end

local function remove(store, id)
  local item = store.by_id[id]
  if not item then return nil end
  store.by_id[id] = nil
  for i, it in ipairs(store.items) do
    if it == item then table.remove(store.items, i); break end
  end
  return item
end

function M.reset()
  services, endpoints = {}, {}
  for pi, p in ipairs(hw_iam.PROJECTS) do
    local s = new_store()
    for i = 1, M.SEED_COUNT do
      local id = uuid_from(pi, i)
      local t = iso(SEED_TIME + pi * 86400 + i * 60)
      local name = string.format("seed-svc-%02d", i)
      add(s, {
        id = id, project_id = p.id, short_name = name, service_name = full_name(p, name, id),
        port_id = uuid_from(pi + 0x100, i), vpc_id = uuid_from(pi + 0x200, 1),
        server_type = (i % 2 == 1) and "VM" or "LB", service_type = "interface",
        status = "available", approval_enabled = (i % 5 == 0), description = "",
        ports = { { client_port = 8000 + i, server_port = 80, protocol = "TCP" } },
        tcp_proxy = "close", created_at = t, updated_at = t, connections = 0,
      })
    end
    services[p.id] = s
    endpoints[p.id] = new_store()
  end
end
M.reset()

function M.counts()
  local ns, ne = 0, 0
  for _, s in pairs(services) do ns = ns + #s.items end
  for _, e in pairs(endpoints) do ne = ne + #e.items end
  return { services = ns, endpoints = ne }
end

---------------------------------------------------------------- gateway glue
-- Wraps a handler: project checks, JSON body for POST/PUT.
function M.route(handler, with_body)
  local fail, json_object, args_of = request.fail, request.json_object, request.args_of
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
      return fail(403, "EndPoint.0004", "Authentication information is incorrect or you have no permissions: " ..
                  "the token is scoped to project " .. pr.project.id .. " (" .. pr.project.name .. "), not " ..
                  pid .. ".")
    end
    local body
    if with_body then
      body = json_object(ctx.body)
      if not body then return fail(400, "EndPoint.0002", "Parameter error: the request body must be a JSON object.") end
    end
    return handler({ project = project, id = id, body = body, args = args_of(ctx.raw_query), now = ctx.now,
                     fault = ctx.fault, request_id = ctx.request_id })
  end
end

---------------------------------------------------------------- rendering
local function ports_obj(ports)
  local l = list()
  for i, p in ipairs(ports) do
    l[i] = obj("client_port", p.client_port, "server_port", p.server_port, "protocol", p.protocol)
  end
  return l
end

local function service_obj(s)
  return obj(
    "id", s.id, "port_id", s.port_id, "vpc_id", s.vpc_id, "service_name", s.service_name,
    "server_type", s.server_type, "service_type", s.service_type, "status", lifecycle.state(s.status),
    "approval_enabled", s.approval_enabled, "ports", ports_obj(s.ports), "tcp_proxy", s.tcp_proxy,
    "description", s.description, "connection_count", s.connections, "enable_policy", false,
    "tags", list(), "created_at", s.created_at, "updated_at", s.updated_at, "project_id", s.project_id)
end

local function endpoint_obj(e)
  return obj(
    "id", e.id, "endpoint_service_id", e.endpoint_service_id, "endpoint_service_name", e.endpoint_service_name,
    "service_type", e.service_type, "status", lifecycle.state(e.status), "marker_id", e.marker_id,
    "vpc_id", e.vpc_id,
    "subnet_id", e.subnet_id, "ip", e.ip, "enable_dns", e.enable_dns, "dns_names", list(),
    "description", e.description, "whitelist", list(), "enable_whitelist", false, "tags", list(),
    "created_at", e.created_at, "updated_at", e.updated_at, "project_id", e.project_id)
end

---------------------------------------------------------------- endpoint services
function M.list_services(r)
  local args = r.args
  for _, name in ipairs({ "endpoint_service_name", "id", "status" }) do
    if args[name] ~= nil and type(args[name]) ~= "string" then return bad(name .. " is repeated") end
  end
  local items, total = page(services[r.project.id].items, args, function(s)
    return (args.id == nil or s.id == args.id)
       and (args.status == nil or lifecycle.state(s.status) == args.status)
       and (args.endpoint_service_name == nil or s.service_name:find(args.endpoint_service_name, 1, true) ~= nil)
  end, r.fault)
  if not items then return nil, total end
  local l = list()
  for i, s in ipairs(items) do l[i] = service_obj(s) end
  return 200, obj("endpoint_services", l, "total_count", total)
end

local SERVER_TYPES = { VM = true, VIP = true, LB = true }
local SERVICE_TYPES = { interface = true, gateway = true }

function M.create_service(r)
  local b = r.body
  local ok, e
  for _, name in ipairs({ "vpc_id", "server_type" }) do
    ok, e = req_string(b, name); if not ok then return nil, e end
  end
  if not SERVER_TYPES[b.server_type] then return bad("server_type must be VM, VIP or LB") end
  ok, e = req_string(b, "port_id"); if not ok then return nil, e end
  if b.ports == nil then return bad("ports is required") end
  local ports; ports, e = check_ports(b.ports); if not ports then return nil, e end
  ok, e = check_name(b.service_name); if not ok then return nil, e end
  ok, e = opt_bool(b, "approval_enabled"); if not ok then return nil, e end
  ok, e = opt_string(b, "description"); if not ok then return nil, e end
  local stype = b.service_type == nil and "interface" or b.service_type
  if not SERVICE_TYPES[stype] then return bad("service_type must be interface or gateway") end
  local tcp_proxy = b.tcp_proxy == nil and "close" or b.tcp_proxy
  if tcp_proxy ~= "close" and tcp_proxy ~= "toa_open" and tcp_proxy ~= "proxy_open" and tcp_proxy ~= "open" then
    return bad("tcp_proxy must be close, toa_open, proxy_open or open")
  end
  local id, now = new_id(), iso(r.now)
  local s = {
    id = id, project_id = r.project.id, short_name = b.service_name,
    service_name = full_name(r.project, b.service_name, id),
    port_id = b.port_id, vpc_id = b.vpc_id, server_type = b.server_type, service_type = stype,
    status = lifecycle.change("creating", "available"), approval_enabled = b.approval_enabled == true,
    description = b.description or "",
    ports = ports, tcp_proxy = tcp_proxy, created_at = now, updated_at = now, connections = 0,
  }
  add(services[r.project.id], s)
  return 200, service_obj(s)
end

function M.get_service(r)
  local s = services[r.project.id].by_id[r.id]
  if not s then return not_found("endpoint service", r.id) end
  return 200, service_obj(s)
end

function M.update_service(r)
  local s = services[r.project.id].by_id[r.id]
  if not s then return not_found("endpoint service", r.id) end
  local b = r.body
  local ok, e = check_name(b.service_name); if not ok then return nil, e end
  ok, e = opt_bool(b, "approval_enabled"); if not ok then return nil, e end
  ok, e = opt_string(b, "description"); if not ok then return nil, e end
  ok, e = opt_string(b, "port_id", "^.+$", "a non-empty string"); if not ok then return nil, e end
  if b.tcp_proxy ~= nil and b.tcp_proxy ~= "close" and b.tcp_proxy ~= "toa_open"
     and b.tcp_proxy ~= "proxy_open" and b.tcp_proxy ~= "open" then
    return bad("tcp_proxy must be close, toa_open, proxy_open or open")
  end
  local ports
  if b.ports ~= nil then
    ports, e = check_ports(b.ports); if not ports then return nil, e end
  end
  -- all checked: apply
  if b.service_name ~= nil then
    s.short_name = b.service_name
    s.service_name = full_name(r.project, b.service_name, s.id)
  end
  if b.approval_enabled ~= nil then s.approval_enabled = b.approval_enabled end
  if b.description ~= nil then s.description = b.description end
  if b.port_id ~= nil then s.port_id = b.port_id end
  if b.tcp_proxy ~= nil then s.tcp_proxy = b.tcp_proxy end
  if ports then s.ports = ports end
  s.updated_at = iso(r.now)
  return 200, service_obj(s)
end

function M.delete_service(r)
  if not remove(services[r.project.id], r.id) then return not_found("endpoint service", r.id) end
  return 204
end

---------------------------------------------------------------- endpoints
function M.list_endpoints(r)
  local args = r.args
  for _, name in ipairs({ "endpoint_service_name", "id", "vpc_id" }) do
    if args[name] ~= nil and type(args[name]) ~= "string" then return bad(name .. " is repeated") end
  end
  local items, total = page(endpoints[r.project.id].items, args, function(e)
    return (args.id == nil or e.id == args.id)
       and (args.vpc_id == nil or e.vpc_id == args.vpc_id)
       and (args.endpoint_service_name == nil
            or e.endpoint_service_name:find(args.endpoint_service_name, 1, true) ~= nil)
  end, r.fault)
  if not items then return nil, total end
  local l = list()
  for i, e in ipairs(items) do l[i] = endpoint_obj(e) end
  return 200, obj("endpoints", l, "total_count", total)
end

function M.create_endpoint(r)
  local b = r.body
  local ok, e
  for _, name in ipairs({ "endpoint_service_id", "vpc_id" }) do
    ok, e = req_string(b, name); if not ok then return nil, e end
  end
  ok, e = opt_string(b, "subnet_id"); if not ok then return nil, e end
  ok, e = opt_string(b, "description"); if not ok then return nil, e end
  ok, e = opt_bool(b, "enable_dns"); if not ok then return nil, e end
  local svc = services[r.project.id].by_id[b.endpoint_service_id]
  if not svc then return not_found("endpoint service", b.endpoint_service_id) end
  local id, now = new_id(), iso(r.now)
  ip_seq = ip_seq + 1
  svc.connections = svc.connections + 1
  local ep = {
    id = id, project_id = r.project.id, endpoint_service_id = svc.id,
    endpoint_service_name = svc.service_name, service_type = svc.service_type,
    status = lifecycle.change("creating", svc.approval_enabled and "pendingAcceptance" or "accepted"),
    marker_id = 100000 + seq, vpc_id = b.vpc_id, subnet_id = b.subnet_id,
    ip = svc.service_type == "interface"
         and string.format("10.0.%d.%d", math.floor(ip_seq / 250) % 256, ip_seq % 250 + 2) or nil,
    enable_dns = b.enable_dns == true, description = b.description or "",
    created_at = now, updated_at = now,
  }
  add(endpoints[r.project.id], ep)
  return 200, endpoint_obj(ep)
end

function M.get_endpoint(r)
  local ep = endpoints[r.project.id].by_id[r.id]
  if not ep then return not_found("VPC endpoint", r.id) end
  return 200, endpoint_obj(ep)
end

function M.delete_endpoint(r)
  local ep = remove(endpoints[r.project.id], r.id)
  if not ep then return not_found("VPC endpoint", r.id) end
  local svc = services[r.project.id].by_id[ep.endpoint_service_id]
  if svc and svc.connections > 0 then svc.connections = svc.connections - 1 end
  return 204
end

return M
