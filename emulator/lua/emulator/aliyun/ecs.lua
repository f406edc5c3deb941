-- ECS (Version 2014-05-26): actions and their in-memory state.
-- Instances are generated deterministically (300 in cn-hangzhou, 25 in every
-- other region); only their status changes (per account, through Starting
-- and Stopping: common/lifecycle.lua), and reset() restores it.
-- Handlers get (params, ctx): ctx.account, ctx.fault (the paging faults).

local render  = require "emulator.common.render"
local lifecycle = require "emulator.common.lifecycle"
local paging  = require "emulator.aliyun.paging"
local regions = require "emulator.aliyun.regions"
local cjson   = require "cjson.safe"

local obj, list = render.obj, render.list

local M = { name = "Ecs", host = "ecs.aliyuncs.com" }

---------------------------------------------------------------- fixed data
local TYPES = {
  { "ecs.g7.large", 2, 8192 }, { "ecs.c7.xlarge", 4, 8192 },
  { "ecs.r7.2xlarge", 8, 65536 }, { "ecs.t6-c1m1.large", 2, 2048 },
}
local BASE_TIME = 1672531200 -- 2023-01-01T00:00:00Z

local instances = {}   -- region id -> array ordered by InstanceId
local by_id = {}       -- InstanceId -> instance

local function make_instance(region, i)
  local t = TYPES[(i - 1) % #TYPES + 1]
  local tags = {}
  if i % 5 == 0 then tags[#tags + 1] = { "env", "prod" } end
  if i % 7 == 0 then tags[#tags + 1] = { "team", "core" } end
  return {
    id = string.format("i-%s%06d", region.code, i),
    name = string.format("%s-vm-%04d", region.code, i),
    region = region.id,
    zone = region.id .. "-" .. ({ "a", "b", "c" })[(i - 1) % 3 + 1],
    initial_status = (i % 3 == 0) and "Stopped" or "Running",
    type = t[1], cpu = t[2], memory = t[3],
    created = os.date("!%Y-%m-%dT%H:%MZ", BASE_TIME + i * 3600),
    tags = tags,
  }
end

for _, region in ipairs(regions) do
  local n = region.id == "cn-hangzhou" and 300 or 25
  local arr = {}
  for i = 1, n do
    local inst = make_instance(region, i)
    arr[i] = inst
    by_id[inst.id] = inst
  end
  instances[region.id] = arr -- ids are zero-padded, so index order = id order
end

---------------------------------------------------------------- mutable state
-- Per account (accounts.lua): every account sees the same seeded
-- instances, but its own statuses and snapshots.
local status = {}         -- account -> InstanceId -> status or lifecycle change
local snapshots = {}      -- account -> array of { id, disk, created }
local snapshot_seq = 0    -- never reset: ids stay unique for the server's life

function M.reset()
  status, snapshots = {}, {}
end

function M.counts()
  local changed, snaps = 0, 0
  for _, t in pairs(status) do for _ in pairs(t) do changed = changed + 1 end end
  for _, l in pairs(snapshots) do snaps = snaps + #l end
  return { snapshots = snaps, instances_changed = changed }
end

local function status_of(account, inst)
  local own = status[account]
  return lifecycle.state(own and own[inst.id]) or inst.initial_status
end

local function set_status(account, inst, v)
  status[account] = status[account] or {}
  status[account][inst.id] = v
end

local function render_instance(account, inst)
  local tags = list()
  for _, kv in ipairs(inst.tags) do tags[#tags + 1] = obj("TagKey", kv[1], "TagValue", kv[2]) end
  return obj(
    "InstanceId", inst.id, "InstanceName", inst.name, "RegionId", inst.region,
    "ZoneId", inst.zone, "Status", status_of(account, inst), "InstanceType", inst.type,
    "Cpu", inst.cpu, "Memory", inst.memory, "CreationTime", inst.created,
    "OperationLocks", obj("LockReason", list()), -- a list whose item is not named after it
    "Tags", obj("Tag", tags))
end

---------------------------------------------------------------- actions
local function ids_malformed(msg)
  return { status = 400, code = "InvalidInstanceIds.Malformed", message = msg }
end

-- InstanceIds is a JSON array of strings, at most 100.
local function parse_instance_ids(s)
  local ids = cjson.decode(s)
  if type(ids) ~= "table" then
    return nil, ids_malformed("The specified parameter InstanceIds is not a valid JSON array.")
  end
  local n = 0
  for _ in pairs(ids) do n = n + 1 end
  if n ~= #ids then
    return nil, ids_malformed("The specified parameter InstanceIds is not a valid JSON array.")
  end
  if n > 100 then
    return nil, ids_malformed("The specified parameter InstanceIds exceeds the limit of 100 ids.")
  end
  local set = {}
  for _, id in ipairs(ids) do
    if type(id) ~= "string" then
      return nil, ids_malformed("The specified parameter InstanceIds must contain only strings.")
    end
    set[id] = true
  end
  return n > 0 and set or nil
end

-- PageNumber/PageSize, or NextToken/MaxResults as the ECS docs recommend.
local function describe_instances(p, ctx)
  local wanted
  if p.InstanceIds then
    local err
    wanted, err = parse_instance_ids(p.InstanceIds)
    if err then return nil, err end
  end
  local matched = {}
  for _, inst in ipairs(instances[p.RegionId] or {}) do
    if (not wanted or wanted[inst.id]) and (not p.Status or p.Status == status_of(ctx.account, inst)) then
      matched[#matched + 1] = inst
    end
  end
  local function rendered(items)
    local page = list()
    for i, inst in ipairs(items) do page[i] = render_instance(ctx.account, inst) end
    return page
  end
  if paging.by_token(p) then
    local scope = table.concat({ p.RegionId, p.Status or "", p.InstanceIds or "" }, "|")
    local first, size = paging.parse_token(p, scope, 10, 100)
    if not first then return nil, size end
    local items, nxt = paging.token_page(matched, first, size, scope, p, ctx.fault)
    return obj("NextToken", nxt, "TotalCount", #matched, "Instances", obj("Instance", rendered(items)))
  end
  local number, size = paging.parse(p, 10, 100)
  if not number then return nil, size end
  return obj("TotalCount", #matched, "PageNumber", number, "PageSize", size,
             "Instances", obj("Instance", rendered(paging.slice(matched, number, size, ctx.fault))))
end

local function incorrect_status()
  return nil, { status = 403, code = "IncorrectInstanceStatus",
                message = "The current status of the resource does not support this operation." }
end

-- Start (Stopped -> Starting -> Running) or stop (Running -> Stopping -> Stopped).
local function transition(from, passing, final)
  return function(p, ctx)
    local inst = by_id[p.InstanceId]
    if not inst then
      return nil, { status = 404, code = "InvalidInstanceId.NotFound",
                    message = "The specified InstanceId does not exist." }
    end
    if status_of(ctx.account, inst) ~= from then return incorrect_status() end
    set_status(ctx.account, inst, lifecycle.change(passing, final))
    return obj()
  end
end

local function create_snapshot(p, ctx)
  snapshot_seq = snapshot_seq + 1
  local id = string.format("s-emu%012d", snapshot_seq)
  local own = snapshots[ctx.account] or {}
  snapshots[ctx.account] = own
  own[#own + 1] = { id = id, disk = p.DiskId, created = ngx.time() }
  return obj("SnapshotId", id)
end

local function endpoint(region)
  return region.id == "cn-hangzhou" and "ecs.aliyuncs.com" or ("ecs." .. region.id .. ".aliyuncs.com")
end

-- Each action: required params (checked by rpc.lua, in this order) + handler.
M.actions = {
  DescribeRegions   = { required = {}, handler = function() return regions.describe(endpoint) end },
  DescribeInstances = { required = { "RegionId" }, handler = describe_instances },
  StartInstance     = { required = { "InstanceId" }, handler = transition("Stopped", "Starting", "Running") },
  StopInstance      = { required = { "InstanceId" }, handler = transition("Running", "Stopping", "Stopped") },
  CreateSnapshot    = { required = { "DiskId" }, handler = create_snapshot },
}

return M
