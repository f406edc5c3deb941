-- Huawei Cloud VPC v3: GET /v3/{project_id}/vpc/vpcs, the marker-paged list
-- (limit 1..2000, default 2000; marker = the id of the last VPC of the
-- previous page; page_info.next_marker while more follow). Every project is
-- seeded with SEED_COUNT VPCs, in id order; nothing changes them.
-- A repeat_token fault answers the request's marker as next_marker.

local render = require "emulator.common.render"
local hw_iam = require "emulator.huawei.iam"

local obj, list = render.obj, render.list

local M = {}

M.SEED_COUNT = 12

local vpcs = {} -- project id -> array in id order

for pi, p in ipairs(hw_iam.PROJECTS) do
  local arr = {}
  for i = 1, M.SEED_COUNT do
    arr[i] = {
      id = string.format("%08x-0000-4000-8000-%012x", 0x5e000000 + pi, i),
      name = string.format("vpc-%02d", i), cidr = string.format("10.%d.0.0/16", i),
      created = os.date("!%Y-%m-%dT%H:%M:%SZ", 1704067200 + pi * 86400 + i * 60),
    }
  end
  vpcs[p.id] = arr
end

function M.reset() end -- nothing mutable

local function bad(message)
  return nil, { status = 400, code = "VPC.0002", message = "Invalid parameter: " .. message }
end

local function vpc_obj(v, project_id)
  return obj("id", v.id, "name", v.name, "description", "", "cidr", v.cidr, "extend_cidrs", list(),
             "status", "ACTIVE", "project_id", project_id, "enterprise_project_id", "0",
             "created_at", v.created, "updated_at", v.created, "cloud_resources", list(), "tags", list())
end

function M.list_vpcs(r)
  local args, all = r.args, vpcs[r.project.id]
  local limit = 2000
  if args.limit ~= nil then
    limit = type(args.limit) == "string" and args.limit:match("^%d+$") and tonumber(args.limit)
    if not limit or limit < 1 or limit > 2000 then return bad("limit must be an integer 1..2000") end
  end
  local first = 1
  if args.marker ~= nil then
    if type(args.marker) ~= "string" then return bad("marker is repeated") end
    first = nil
    for i, v in ipairs(all) do
      if v.id == args.marker then first = i + 1 end
    end
    if not first then return bad("marker " .. args.marker .. " is not a VPC of this project") end
  end
  local page = list()
  for i = first, math.min(#all, first + limit - 1) do page[#page + 1] = vpc_obj(all[i], r.project.id) end
  local last = first + #page - 1
  local nxt = last < #all and all[last].id or nil
  if r.fault and r.fault.kind == "repeat_token" then nxt = args.marker end
  local info = obj("previous_marker", first > 1 and page[1] and all[first].id or nil,
                   "current_count", #page, "next_marker", nxt)
  return 200, obj("request_id", r.request_id, "vpcs", page, "page_info", info)
end

return M
