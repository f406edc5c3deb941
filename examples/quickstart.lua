-- Quickstart: signed Alibaba Cloud RPC calls (ECS and VPC/EIP) printed as
-- decoded tables. `make demo` runs it against the local emulator:
--
--   CLOUDAPI_ENDPOINT=http://127.0.0.1:PORT \
--   ALIBABA_CLOUD_ACCESS_KEY_ID=demo-ak ALIBABA_CLOUD_ACCESS_KEY_SECRET=demo-secret \
--   lua5.4 examples/quickstart.lua
--
-- Without CLOUDAPI_ENDPOINT it refuses to run: the demo never calls a real cloud.
local cloudapi = require "cloudapi"

local endpoint = os.getenv("CLOUDAPI_ENDPOINT")
if not endpoint then
  io.stderr:write("set CLOUDAPI_ENDPOINT (make demo does it for you)\n")
  os.exit(2)
end

local function check(res, err)
  if not res then
    io.stderr:write(tostring(err), "\n")
    os.exit(1)
  end
  return res
end

-- Credentials come from ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET.
local ecs = cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", endpoint = endpoint }
local vpc = cloudapi.aliyun.new{ product = "vpc", region = "cn-hangzhou", endpoint = endpoint }

print("== ECS DescribeRegions")
local regions = check(ecs:call("DescribeRegions", { AcceptLanguage = "en-US" }))
for _, r in ipairs(regions.Regions.Region) do
  print(string.format("  %-16s %-34s %s", r.RegionId, r.RegionEndpoint, r.LocalName))
end

print("\n== ECS DescribeInstances (page 2 of the stopped ones, 5 per page)")
local page = check(ecs:call("DescribeInstances", { Status = "Stopped", PageSize = 5, PageNumber = 2 }))
print(string.format("  %d stopped instances in cn-hangzhou; page %d:", page.TotalCount, page.PageNumber))
for _, i in ipairs(page.Instances.Instance) do
  print(string.format("  %s  %-10s %-16s %d vCPU %d MiB", i.InstanceId, i.Status, i.InstanceType, i.Cpu, i.Memory))
end

local first = page.Instances.Instance[1]
print("\n== ECS StartInstance " .. first.InstanceId)
check(ecs:call("StartInstance", { InstanceId = first.InstanceId }))
local one = { InstanceIds = cloudapi.json{ first.InstanceId } }
local now = check(ecs:call("DescribeInstances", one))
print("  status is now " .. now.Instances.Instance[1].Status)
local up = check(ecs:wait("DescribeInstances", one,
                          { path = "Instances.Instance.1.Status", equals = "Running", timeout = 60, interval = 0.5 }))
print("  waited: " .. up.Instances.Instance[1].Status)

print("\n== ECS CreateSnapshot")
local snap = check(ecs:call("CreateSnapshot", { DiskId = "d-demo-0001", SnapshotName = "quickstart" }))
print("  snapshot " .. snap.SnapshotId)

print("\n== VPC AllocateEipAddress, sent twice with one ClientToken")
local token = "quickstart-" .. os.time()
local a = check(vpc:call("AllocateEipAddress", { Bandwidth = 5, ClientToken = token }))
local b = check(vpc:call("AllocateEipAddress", { Bandwidth = 5, ClientToken = token }))
print(string.format("  %s %s (second call: %s, the same EIP)", a.AllocationId, a.EipAddress, b.AllocationId))
local eips = check(vpc:call("DescribeEipAddresses", { AllocationId = a.AllocationId }))
print(string.format("  DescribeEipAddresses: %s %s bandwidth %s", eips.EipAddresses.EipAddress[1].IpAddress,
                    eips.EipAddresses.EipAddress[1].Status, eips.EipAddresses.EipAddress[1].Bandwidth))
check(vpc:call("ReleaseEipAddress", { AllocationId = a.AllocationId }))
print("  released")

print("\n== The same DescribeRegions in XML, decoded into the same shape")
local xml = cloudapi.aliyun.new{ product = "ecs", endpoint = endpoint, format = "XML" }
local xr = check(xml:call("DescribeRegions"))
print(string.format("  %d regions, first %s", #xr.Regions.Region, xr.Regions.Region[1].RegionId))

print("\n== A wrong secret: the error says which side is at fault")
local wrong = cloudapi.aliyun.new{ product = "ecs", endpoint = endpoint,
  credentials = { access_key_id = os.getenv("ALIBABA_CLOUD_ACCESS_KEY_ID"), access_key_secret = "not-the-secret" } }
local _, err = wrong:call("DescribeRegions")
print("  " .. err.code .. ": " .. err.diagnosis)
