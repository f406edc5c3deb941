-- Routes of the test nginx for paging and waiting inside nginx (cosocket
-- transport, ngx.sleep between reads); handlers.lua adds them.
local cloudapi = require "cloudapi"

local function cs(signature)
  return cloudapi.aliyun.roa{ product = "cs", region = "cn-hangzhou", signature = signature,
                              endpoint = os.getenv("CLOUDAPI_EMULATOR_URL"),
                              credentials = { access_key_id = "testid", access_key_secret = "testsecret" } }
end

return function(routes, client, reply, failure)
  routes["/items"] = function()
    local n, hw = 0, 0
    for item, err in client("ecs"):items("DescribeInstances", { MaxResults = 100 }, "Instances.Instance") do
      if not item then return reply(failure(err)) end
      n = n + 1
    end
    for s, err in client("vpcep"):items("GET", "/v1/{project_id}/vpc-endpoint-services", { query = { limit = 10 } },
                                        "endpoint_services") do
      if not s then return reply(failure(err)) end
      hw = hw + 1
    end
    return reply{ ok = true, instances = n, services = hw }
  end

  -- Starts an instance and waits for it; interval 2: one ngx.sleep of 1 to 2 s.
  routes["/wait"] = function()
    local c = client("ecs")
    local id = ngx.var.arg_id
    local _, err = c:call("StartInstance", { InstanceId = id })
    if err then return reply(failure(err)) end
    local polls = 0
    local res, werr = c:wait("DescribeInstances", { InstanceIds = cloudapi.json{ id } }, {
      path = "Instances.Instance.1.Status", equals = "Running", timeout = 60, interval = 2,
      on_poll = function() polls = polls + 1 end })
    if not res then return reply(failure(werr)) end
    return reply{ ok = true, status = res.Instances.Instance[1].Status, polls = polls }
  end

  -- Container Service: five clusters listed two a page, then a wait for the
  -- last one to run (the test sets how long it stays initial).
  routes["/roa_items"] = function()
    local c = cs(ngx.var.arg_signature)
    local id
    for i = 1, 5 do
      local made, err = c:post("/clusters", { body = { name = "ngx" .. i, region_id = "cn-hangzhou" },
                                              action = "CreateCluster" })
      if not made then return reply(failure(err)) end
      id = made.cluster_id
    end
    local names = {}
    for item, err in c:items("GET", "/clusters", { query = { page_size = 2 }, action = "DescribeClusters" },
                             "clusters") do
      if not item then return reply(failure(err)) end
      names[#names + 1] = item.name
    end
    local polls = 0
    local res, werr = c:wait("GET", "/clusters/{id}", { path = { id = id }, action = "DescribeClusterDetail" }, {
      path = "state", equals = "running", timeout = 60, interval = 0.2, on_poll = function() polls = polls + 1 end })
    if not res then return reply(failure(werr)) end
    return reply{ ok = true, names = table.concat(names, ","), state = res.state, polls = polls }
  end
end
