-- GET /inventory?region=cn-hangzhou: ECS instances and Huawei VPC endpoint
-- services, fetched at once (cloudapi.all runs them on ngx.thread).
local cloudapi = require "cloudapi"
local cjson = require "cjson.safe"

local M = {}

local clients -- one set per worker, made on the first request

local function make_clients()
  local endpoint = os.getenv("CLOUDAPI_ENDPOINT") -- the emulator in the demo
  return {
    ecs = cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", endpoint = endpoint },
    vpcep = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", endpoint = endpoint,
                                      shared_dict = "cloudapi" },
  }
end

local function summary(err)
  return { error = { kind = err.kind, code = err.code, message = err.message, request_id = err.request_id } }
end

function M.handle()
  clients = clients or make_clients()
  local region = ngx.var.arg_region or "cn-hangzhou"
  local out = cloudapi.all({
    { clients.ecs, "call", "DescribeInstances", { RegionId = region, PageSize = 5 } },
    { clients.vpcep, "get", "/v1/{project_id}/vpc-endpoint-services", { query = { limit = 3 } } },
  })
  local ecs, vpcep = out[1], out[2]
  local body = { worker = ngx.worker.id() }
  if ecs[1] then
    local ids = {}
    for i, inst in ipairs(ecs[1].Instances.Instance) do ids[i] = inst.InstanceId .. " " .. inst.Status end
    body.ecs = { region = region, total = ecs[1].TotalCount, first = ids }
  else
    body.ecs = summary(ecs[2])
  end
  if vpcep[1] then
    local names = {}
    for i, s in ipairs(vpcep[1].endpoint_services) do names[i] = s.service_name end
    body.vpcep = { total = vpcep[1].total_count, first = names }
  else
    body.vpcep = summary(vpcep[2])
  end
  ngx.header["Content-Type"] = "application/json"
  ngx.status = (ecs[1] and vpcep[1]) and 200 or 502
  ngx.say(cjson.encode(body))
end

return M
