-- Container Service (an Alibaba ROA / REST product) and ECS under signature
-- V3: a cluster created, listed, fetched until it runs, and deleted, first
-- with the ROA "acs" signature, then with ACS3-HMAC-SHA256. `make demo`
-- runs it against the local emulator:
--
--   CLOUDAPI_ENDPOINT=http://127.0.0.1:PORT \
--   ALIBABA_CLOUD_ACCESS_KEY_ID=demo-ak ALIBABA_CLOUD_ACCESS_KEY_SECRET=demo-secret \
--   lua5.4 examples/containers.lua
--
-- Without CLOUDAPI_ENDPOINT it refuses to run: the demo never calls a real cloud.
local cloudapi = require "cloudapi"
local core = require "cloudapi.core"

local endpoint = os.getenv("CLOUDAPI_ENDPOINT")
assert(endpoint, "set CLOUDAPI_ENDPOINT (make demo does it for you): this demo never calls a real cloud")

-- A failed call ends the demo with the error's text; else its result and info.
local function ok(res, err, info)
  if res == nil then
    io.stderr:write(tostring(err), "\n")
    os.exit(1)
  end
  return res, info
end

print("== ECS DescribeInstances signed with ACS3-HMAC-SHA256")
local ecs = cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", endpoint = endpoint,
                                 signature = "ACS3-HMAC-SHA256" }
local page = ok(ecs:call("DescribeInstances", { PageSize = 3 }))
print(string.format("  %d instances; first %s", page.TotalCount, page.Instances.Instance[1].InstanceId))

for _, signature in ipairs({ "acs", "ACS3-HMAC-SHA256" }) do
  print("\n== Container Service, signature " .. signature)
  local cs = cloudapi.aliyun.roa{ product = "cs", region = "cn-hangzhou", endpoint = endpoint, signature = signature }
  local made = ok(cs:post("/clusters", { action = "CreateCluster", body = {
    name = "demo-" .. signature, region_id = "cn-hangzhou", cluster_type = "ManagedKubernetes",
    client_token = "demo-" .. signature } }))
  print("  created " .. made.cluster_id .. " (task " .. made.task_id .. ")")
  local list = ok(cs:get("/clusters", { action = "DescribeClusters", query = { page_size = 10 } }))
  print(string.format("  %d cluster(s) listed", list.page_info.total_count))
  local path = { cluster_id = made.cluster_id }
  local c = ok(cs:get("/clusters/{cluster_id}", { action = "DescribeClusterDetail", path = path }))
  print("  state " .. c.state)
  local deadline = core.monotonic() + 30
  while c.state ~= "running" and core.monotonic() < deadline do
    core.sleep(0.2)
    c = ok(cs:get("/clusters/{cluster_id}", { action = "DescribeClusterDetail", path = path }))
  end
  print("  state " .. c.state)
  local _, info = ok(cs:delete("/clusters/{cluster_id}", { action = "DeleteCluster", path = path }))
  print("  deleted (HTTP " .. info.status .. ")")
end
