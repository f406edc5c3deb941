-- Container Service for Kubernetes (ROA, Version 2015-12-15): clusters per
-- account, each `initial` until `running_after` seconds (as set when it was
-- created: POST /__emulator/cs; default 1 s) have passed, then `running`
-- (or `failed`, when the switch end_state says so: a creation that fails).
-- POST /clusters is idempotent through the body's client_token. Errors are
-- CS's shape: {"code","message","requestId","status"}. An empty_page
-- fault empties a page after the first (the total unchanged).

local render = require "emulator.common.render"
local cjson  = require "cjson.safe"

local obj, list = render.obj, render.list

local M = { name = "CS", version = "2015-12-15" }

local DEFAULT_RUNNING_AFTER = 1
local END_STATES = { running = true, failed = true }

local clusters, tokens, running_after, end_state, seq

function M.reset()
  clusters = {}   -- account -> { by_id = {}, order = { ids, oldest first } }
  tokens = {}     -- account .. "\0" .. client_token -> { fp =, cluster_id = }
  running_after = DEFAULT_RUNNING_AFTER
  end_state = "running"
end
M.reset()
seq = 0 -- never reset: ids stay unique for the server's life

function M.counts()
  local n = 0
  for _, acct in pairs(clusters) do n = n + #acct.order end
  return { clusters = n, running_after = running_after, end_state = end_state }
end

local USAGE = 'body must be {"running_after": seconds (0 to 3600), "end_state": "running" or "failed"}'

-- settings(spec) -> true | nil, reason: {"running_after": seconds,
-- "end_state": "running" | "failed"}, either or both
function M.settings(spec)
  if type(spec) ~= "table" or next(spec) == nil then return nil, USAGE end
  local after, ends = spec.running_after, spec.end_state
  if after ~= nil and (type(after) ~= "number" or after < 0 or after > 3600) then return nil, USAGE end
  if ends ~= nil and not END_STATES[ends] then return nil, USAGE end
  for k in pairs(spec) do
    if k ~= "running_after" and k ~= "end_state" then
      return nil, "unknown field " .. tostring(k) .. " (running_after, end_state)"
    end
  end
  running_after = after or running_after
  end_state = ends or end_state
  return true
end

local function fail(status, code, message)
  return nil, { status = status, code = code, message = message, cs = true }
end

local function account(ak)
  local a = clusters[ak]
  if not a then a = { by_id = {}, order = {} }; clusters[ak] = a end
  return a
end

local function state_of(c)
  return ngx.now() >= c.ready_at and c.ends or "initial"
end

local function iso(t) return os.date("!%Y-%m-%dT%H:%M:%S+08:00", math.floor(t) + 8 * 3600) end

local function render_cluster(c)
  return obj("cluster_id", c.id, "name", c.name, "cluster_type", c.cluster_type, "region_id", c.region_id,
             "state", state_of(c), "size", c.size, "vpc_id", c.vpc_id, "created", iso(c.created),
             "updated", iso(c.created), "current_version", "1.30.1-aliyun.1")
end

local function int_arg(args, name, default, max)
  local v = args[name]
  if v == nil then return default end
  local n = type(v) == "string" and v:match("^%d+$") and tonumber(v)
  if not n or n < 1 or n > max then
    return nil, select(2, fail(400, "ErrorParameterInvalid", name .. " must be an integer from 1 to " .. max))
  end
  return n
end

-- continues(args) -> whether a list request asks for a page after the
-- first (the paging faults wait for one)
function M.continues(args)
  local n = tonumber(args.page_number)
  return n ~= nil and n > 1
end

-- GET /clusters?page_number=&page_size=&name=&cluster_type=
function M.list(ak, args, fault)
  local number, err = int_arg(args, "page_number", 1, 1e6)
  if not number then return nil, err end
  local size
  size, err = int_arg(args, "page_size", 10, 100)
  if not size then return nil, err end
  local a, matched = account(ak), {}
  for _, id in ipairs(a.order) do
    local c = a.by_id[id]
    if (not args.name or c.name == args.name) and (not args.cluster_type or c.cluster_type == args.cluster_type) then
      matched[#matched + 1] = c
    end
  end
  local page = list()
  local last = (fault and fault.kind == "empty_page") and 0 or math.min(#matched, number * size)
  for i = (number - 1) * size + 1, last do page[#page + 1] = render_cluster(matched[i]) end
  return obj("clusters", page,
             "page_info", obj("page_number", number, "page_size", size, "total_count", #matched))
end

local REQUIRED = { "name", "region_id" }

-- POST /clusters {name, region_id, cluster_type?, vpcid?, size?, client_token?}
function M.create(ak, body, request_id)
  local spec = cjson.decode(body or "")
  if type(spec) ~= "table" or #spec > 0 then
    return fail(400, "ErrorParameterInvalid", "the body must be a JSON object")
  end
  for _, k in ipairs(REQUIRED) do
    if type(spec[k]) ~= "string" or spec[k] == "" then
      return fail(400, "ErrorParameterInvalid", "the parameter " .. k .. " is required")
    end
  end
  local token = spec.client_token
  if token ~= nil and (type(token) ~= "string" or token == "" or #token > 64) then
    return fail(400, "ErrorParameterInvalid", "client_token must be a string of 1 to 64 characters")
  end
  local key = token and (ak .. "\0" .. token)
  local fp
  if key then
    local copy = {}
    for k, v in pairs(spec) do if k ~= "client_token" then copy[k] = v end end
    fp = cjson.encode(copy)
    local seen = tokens[key]
    if seen then
      if seen.fp ~= fp then
        return fail(409, "IdempotentParameterMismatch",
                    "the client_token was used before with different parameters")
      end
      return obj("cluster_id", seen.cluster_id, "request_id", request_id, "task_id", seen.task_id)
    end
  end
  seq = seq + 1
  local c = {
    id = string.format("c%031x", seq), name = spec.name, region_id = spec.region_id,
    cluster_type = type(spec.cluster_type) == "string" and spec.cluster_type or "ManagedKubernetes",
    size = type(spec.size) == "number" and spec.size or 0, vpc_id = type(spec.vpcid) == "string" and spec.vpcid or "",
    created = ngx.now(),
  }
  c.ready_at, c.ends = c.created + running_after, end_state -- a later setting changes only later clusters
  local a = account(ak)
  a.by_id[c.id] = c
  a.order[#a.order + 1] = c.id
  local task = string.format("T-emu%012d", seq)
  if key then tokens[key] = { fp = fp, cluster_id = c.id, task_id = task } end
  return obj("cluster_id", c.id, "request_id", request_id, "task_id", task)
end

local function not_found(id)
  return fail(404, "ErrorClusterNotFound", "cluster " .. id .. " not found")
end

-- GET /clusters/{cluster_id}
function M.get(ak, id)
  local c = account(ak).by_id[id]
  if not c then return not_found(id) end
  return render_cluster(c)
end

-- DELETE /clusters/{cluster_id}: gone at once; 202
function M.delete(ak, id, request_id)
  local a = account(ak)
  if not a.by_id[id] then return not_found(id) end
  a.by_id[id] = nil
  for i, x in ipairs(a.order) do if x == id then table.remove(a.order, i); break end end
  seq = seq + 1
  return obj("cluster_id", id, "request_id", request_id, "task_id", string.format("T-emu%012d", seq)), 202
end

-- { method, path pattern (capture: cluster id), API name (x-acs-action under ACS3), handler key }
M.routes = {
  { "GET", "^/clusters$", "DescribeClusters", "list" },
  { "POST", "^/clusters$", "CreateCluster", "create" },
  { "GET", "^/clusters/([^/]+)$", "DescribeClusterDetail", "get" },
  { "DELETE", "^/clusters/([^/]+)$", "DeleteCluster", "delete" },
}

return M
