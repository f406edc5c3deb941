-- VPC (Version 2016-04-28): Elastic IP actions and their in-memory state.

local render  = require "emulator.common.render"
local paging  = require "emulator.aliyun.paging"
local regions = require "emulator.aliyun.regions"

local obj, list = render.obj, render.list

local M = { name = "Vpc", host = "vpc.aliyuncs.com" }

-- Handlers get (params, ctx); EIPs belong to ctx.account: another
-- account's keys neither list nor release them.
local eips = {}       -- array in allocation order (= AllocationId order), all accounts
local eip_seq = 0     -- never reset: ids and addresses stay unique for the server's life

function M.reset()
  eips = {}
end

function M.counts()
  return { eips = #eips }
end

-- 47.96.0.1, 47.96.0.2, ... : unique for the first 6.25 million EIPs.
local function address(n)
  return string.format("47.%d.%d.%d", 96 + math.floor(n / 62500) % 100,
                       math.floor(n / 250) % 250, n % 250 + 1)
end

local CHARGE_TYPES = { PayByTraffic = true, PayByBandwidth = true }

local function allocate(p, ctx)
  local bw = p.Bandwidth or "5"
  local n = bw:match("^%d+$") and tonumber(bw)
  if not n or n < 1 or n > 500 then
    return nil, { status = 400, code = "InvalidBandwidth.Malformed",
                  message = "Specified Bandwidth is not valid." }
  end
  local charge = p.InternetChargeType or "PayByTraffic"
  if not CHARGE_TYPES[charge] then
    return nil, { status = 400, code = "InvalidInternetChargeType.ValueNotSupported",
                  message = "Specified InternetChargeType is not valid." }
  end
  eip_seq = eip_seq + 1
  local eip = {
    id = string.format("eip-emu%012d", eip_seq), ip = address(eip_seq - 1), account = ctx.account,
    region = p.RegionId, bandwidth = tostring(n), charge = charge,
    time = os.date("!%Y-%m-%dT%H:%M:%SZ", ngx.time()),
  }
  eips[#eips + 1] = eip
  return obj("AllocationId", eip.id, "EipAddress", eip.ip)
end

local function describe(p, ctx)
  local number, size = paging.parse(p, 10, 100)
  if not number then return nil, size end
  local matched = {}
  for _, e in ipairs(eips) do
    if e.account == ctx.account and e.region == p.RegionId and (not p.AllocationId or p.AllocationId == e.id) then
      matched[#matched + 1] = e
    end
  end
  local page = list()
  for i, e in ipairs(paging.slice(matched, number, size, ctx.fault)) do
    -- Bandwidth is a string in the real API's answer, like the request value.
    -- An unassociated EIP has an empty InstanceId and empty lists, as the
    -- real answer: the XML form must decode them as the JSON form does.
    page[i] = obj("AllocationId", e.id, "IpAddress", e.ip, "RegionId", e.region,
                  "Status", "Available", "Bandwidth", e.bandwidth,
                  "InternetChargeType", e.charge, "AllocationTime", e.time,
                  "InstanceId", "", "HDMonitorStatus", "OFF",
                  "OperationLocks", obj("LockReason", list()),
                  "SecurityProtectionTypes", obj("SecurityProtectionType", list()))
  end
  return obj("TotalCount", #matched, "PageNumber", number, "PageSize", size,
             "EipAddresses", obj("EipAddress", page))
end

local function release(p, ctx)
  for i, e in ipairs(eips) do
    if e.id == p.AllocationId and e.account == ctx.account then
      table.remove(eips, i)
      return obj()
    end
  end
  return nil, { status = 404, code = "InvalidAllocationId.NotFound",
                message = "Specified allocation ID is not found." }
end

local function endpoint(region)
  return "vpc." .. region.id .. ".aliyuncs.com"
end

-- Each action: required params (checked by rpc.lua, in this order) + handler.
M.actions = {
  DescribeRegions      = { required = {}, handler = function() return regions.describe(endpoint) end },
  AllocateEipAddress   = { required = { "RegionId" }, handler = allocate },
  DescribeEipAddresses = { required = { "RegionId" }, handler = describe },
  ReleaseEipAddress    = { required = { "AllocationId" }, handler = release },
}

return M
