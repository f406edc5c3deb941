-- Handlers of the test nginx: each answers JSON describing what a cloudapi
-- call made from inside nginx returned.
local cloudapi = require "cloudapi"
local cjson = require "cjson.safe"

local M = {}

local KEYS = {
  aliyun = { access_key_id = "testid", access_key_secret = "testsecret" },
  hw = { ak = "hw-ak", sk = "hw-sk" },
  user = { username = "demo-user", password = "demo-password", domain = "demo-domain" },
}
local PID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"

local function url() return os.getenv("CLOUDAPI_EMULATOR_URL") end

-- Clients made once per worker and reused, as a gateway would.
local clients = {}
local function client(name)
  local c = clients[name]
  if c then return c end
  if name == "ecs" then
    c = cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", endpoint = url(), credentials = KEYS.aliyun,
                             retry = { base_delay = 0.01 } }
  elseif name == "vpcep" then
    c = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", endpoint = url(), project_id = PID,
                                  credentials = KEYS.hw }
  elseif name == "ecs_role" then -- a temporary key shared by the workers
    local role = cloudapi.credentials.aliyun.ecs_ram_role{ endpoint = url(), role_name = "EcsDemoRole",
                                                           shared_dict = "cloudapi" }
    c = cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", endpoint = url(), credentials = role }
  elseif name == "vpcep_token" then
    c = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", endpoint = url(),
                                  credentials = KEYS.user, shared_dict = "cloudapi" }
  end
  clients[name] = c
  return c
end

local function reply(t)
  ngx.header["Content-Type"] = "application/json"
  t.worker = ngx.worker.id()
  ngx.say(cjson.encode(t))
end

local function failure(err)
  return { ok = false, kind = err.kind, code = err.code, message = err.message, attempts = err.attempts }
end

local routes = {}

routes["/aliyun"] = function()
  local res, err, info = client("ecs"):call("DescribeRegions")
  if not res then return reply(failure(err)) end
  return reply{ ok = true, regions = #res.Regions.Region, attempts = info.attempts,
                transport = client("ecs").transport.__name or getmetatable(client("ecs").transport).__name }
end

routes["/cred_shared"] = function()
  local res, err = client("ecs_role"):call("DescribeRegions")
  if not res then return reply(failure(err)) end
  return reply{ ok = true, regions = #res.Regions.Region }
end

-- An assumed role shared by the workers, its STS request signed by
-- source (the right key, or one with a wrong secret), with a policy or not.
local ROLE = "acs:ram::1234567890123456:role/demo-role"
local function role_call(source, policy)
  local role = cloudapi.credentials.aliyun.assume_role{ source = source, role_arn = ROLE, endpoint = url(),
                                                        policy = policy, shared_dict = "cloudapi", retry = false }
  local c = cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", endpoint = url(), credentials = role }
  local res, err = c:call("DescribeRegions")
  if not res then return reply(failure(err)) end
  return reply{ ok = true, regions = #res.Regions.Region }
end
routes["/role_shared"] = function() return role_call(KEYS.aliyun) end
routes["/role_shared_wrong"] = function()
  return role_call({ access_key_id = KEYS.aliyun.access_key_id, access_key_secret = "wrong-secret-5521" })
end
routes["/role_shared_policy"] = function()
  return role_call(KEYS.aliyun, '{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:Describe*",' ..
                                '"Resource":"*"}]}')
end

routes["/aliyun_xml"] = function()
  local c = cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", endpoint = url(),
                                 credentials = KEYS.aliyun, format = "XML" }
  local res, err = c:call("DescribeInstances", { PageSize = 2 })
  if not res then return reply(failure(err)) end
  return reply{ ok = true, total = res.TotalCount, first = res.Instances.Instance[1].InstanceId }
end

routes["/aliyun_error"] = function()
  local _, err = client("ecs"):call("DescribeNothing")
  return reply(failure(err))
end

routes["/huawei"] = function()
  local res, err = client("vpcep"):get("/v1/{project_id}/vpc-endpoint-services", { query = { limit = 3 } })
  if not res then return reply(failure(err)) end
  return reply{ ok = true, count = #res.endpoint_services, total = res.total_count }
end

routes["/huawei_token"] = function()
  local res, err = client("vpcep_token"):get("/v1/{project_id}/vpc-endpoint-services", { query = { limit = 1 } })
  if not res then return reply(failure(err)) end
  return reply{ ok = true, count = #res.endpoint_services }
end

-- The same user with a wrong password, sharing the token cache: must fail.
routes["/huawei_token_wrong"] = function()
  local c = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", endpoint = url(),
    shared_dict = "cloudapi",
    credentials = { username = KEYS.user.username, password = "wrong-pw-8812q", domain = KEYS.user.domain } }
  local res, err = c:get("/v1/{project_id}/vpc-endpoint-services", { query = { limit = 1 } })
  if res then return reply{ ok = true } end
  local f = failure(err)
  f.status = err.status
  return reply(f)
end

-- A server asking for a wait of 31 years: max_delay (0.3 s) is waited.
routes["/retry_hint"] = function()
  local c = cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", endpoint = url(), credentials = KEYS.aliyun,
                                 retry = { attempts = 1, base_delay = 0.01, max_delay = 0.3 } }
  local t0 = ngx.now()
  local res, err, info = c:call("DescribeRegions", nil, { deadline = 10 })
  ngx.update_time()
  if not res then return reply(failure(err)) end
  return reply{ ok = true, attempts = info.attempts, took = ngx.now() - t0 }
end

routes["/many"] = function()
  local n = tonumber(ngx.var.arg_n) or 10
  local ok = 0
  for _ = 1, n do
    if client("ecs"):call("DescribeRegions") then ok = ok + 1 end
  end
  return reply{ ok = true, done = ok }
end

routes["/all"] = function()
  local c = client("ecs")
  local calls = {}
  for i = 1, 6 do calls[i] = { c, "call", "DescribeInstances", { PageSize = 1, PageNumber = i } } end
  local out = cloudapi.all(calls, { concurrency = 3 })
  local pages = {}
  for i, r in ipairs(out) do pages[i] = r[1] and r[1].PageNumber or -1 end
  -- and streamed: each result to a callback as it completes
  local streamed = {}
  local none = cloudapi.all(calls, { concurrency = 3, each = function(i, res)
    streamed[i] = res and res.PageNumber or -1
  end })
  return reply{ ok = none == nil, pages = pages, streamed = streamed }
end

routes["/tls"] = function()
  local port = ngx.var.arg_port
  local c = cloudapi.aliyun.new{ product = "ecs", endpoint = "https://api.test:" .. port,
    transport = require("cloudapi.transport.ngx").new{ resolve = { ["api.test"] = "127.0.0.1" } },
    credentials = KEYS.aliyun, retry = false }
  local res, err = c:call("DescribeRegions")
  if not res then return reply(failure(err)) end
  return reply{ ok = true, request_id = res.RequestId }
end

-- Five light threads of one worker need a token at once: one IAM request.
routes["/token_burst"] = function()
  local region = ngx.var.arg_region
  local threads = {}
  for i = 1, 5 do
    threads[i] = ngx.thread.spawn(function()
      local c = cloudapi.huaweicloud.new{ service = "vpcep", region = region, endpoint = url(),
                                          credentials = KEYS.user, shared_dict = "cloudapi" }
      return c:get("/v1/{project_id}/vpc-endpoint-services", { query = { limit = 1 } })
    end)
  end
  local ok = 0
  for i = 1, 5 do
    local _, res = ngx.thread.wait(threads[i])
    if res then ok = ok + 1 end
  end
  return reply{ ok = true, succeeded = ok }
end

routes["/dict_keys"] = function()
  return reply{ keys = ngx.shared.cloudapi:get_keys(0) }
end

routes["/init_result"] = function()
  local dict = ngx.shared.results
  return reply{ call = dict:get("init_call"), prepare = dict:get("init_prepare"), creds = dict:get("init_creds") }
end

require("paging_handlers")(routes, client, reply, failure)
-- ACS3-HMAC-SHA256 on the RPC client (GET query and POST form body) and
-- Container Service under both ROA signatures, through the cosockets.
routes["/aliyun_acs3"] = function()
  local out = { ok = true }
  for _, method in ipairs({ "GET", "POST" }) do
    local c = cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", endpoint = url(), credentials = KEYS.aliyun,
                                   signature = "ACS3-HMAC-SHA256", method = method }
    local res, err = c:call("DescribeInstances", { PageSize = 2 })
    if not res then return reply(failure(err)) end
    out[method] = res.TotalCount
    out.transport = getmetatable(c.transport).__name
  end
  reply(out)
end

routes["/roa"] = function()
  local c = cloudapi.aliyun.roa{ product = "cs", region = "cn-hangzhou", endpoint = url(), credentials = KEYS.aliyun,
                                 signature = ngx.var.arg_signature }
  local made, err = c:post("/clusters", { body = { name = "ngx", region_id = "cn-hangzhou" },
                                          action = "CreateCluster" })
  if not made then return reply(failure(err)) end
  local list
  list, err = c:get("/clusters", { action = "DescribeClusters" })
  if not list then return reply(failure(err)) end
  local one
  one, err = c:get("/clusters/{id}", { path = { id = made.cluster_id }, action = "DescribeClusterDetail" })
  if not one then return reply(failure(err)) end
  local gone, _, info = c:delete("/clusters/{id}", { path = { id = made.cluster_id }, action = "DeleteCluster" })
  reply{ ok = gone ~= nil, total = list.page_info.total_count, same = one.cluster_id == made.cluster_id,
         deleted = info and info.status, transport = getmetatable(c.transport).__name }
end

-- One request through the ngx transport, described by the JSON body:
-- {case = name} of spec/support/hostile.lua, or {method, path, headers,
-- max_body} sent to the emulator as given; answers the outcome.
local function now() ngx.update_time(); return ngx.now() end

routes["/send"] = function()
  ngx.req.read_body()
  local spec = cjson.decode(ngx.req.get_body_data() or "") or {}
  local hostile = require "support.hostile"
  local case = spec.case and hostile.case(spec.case)
  local transport = require("cloudapi.transport.ngx").new{ max_body = case and case.req and case.req.max_body }
  if case then return reply(hostile.send(transport, url(), case, now)) end
  local res, kind, msg = transport:send{ method = spec.method, url = url() .. spec.path, headers = spec.headers,
                                         timeout = { connect = 5, read = 10 } }
  if not res then return reply{ kind = kind, message = msg } end
  return reply{ status = res.status, body = res.body }
end

-- A prepared Alibaba request whose header the caller spoiled, sent with
-- client:send through the ngx transport.
routes["/send_prepared"] = function()
  local c = client("ecs")
  local req = assert(c:prepare("DescribeRegions"))
  req.headers = { ["X-Evil"] = "x\r\nX-Injected: 1" }
  local _, err = c:send(req)
  return reply(failure(err))
end

function M.route()
  local handler = routes[ngx.var.uri]
  if not handler then
    ngx.status = 404
    return reply{ ok = false, message = "no route" }
  end
  return handler()
end

-- init_worker has no cosockets: a call must fail clearly, prepare must work.
function M.init_worker()
  local c = cloudapi.aliyun.new{ product = "ecs", endpoint = url() or "http://127.0.0.1:9",
                                 credentials = KEYS.aliyun, format = "XML" }
  local res, err = c:call("DescribeRegions")
  local dict = ngx.shared.results
  dict:set("init_call", res and "unexpected success" or (err.kind .. "|" .. err.message))
  local req = c:prepare("DescribeRegions", nil, { nonce = "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
                                                   timestamp = "2016-02-23T12:46:24Z" })
  dict:set("init_prepare", req and req.url or "nil")
  -- a provider that must ask the metadata service: no cosockets here either
  local role = cloudapi.aliyun.new{ product = "ecs", endpoint = url() or "http://127.0.0.1:9", credentials =
    cloudapi.credentials.aliyun.ecs_ram_role{ endpoint = url() or "http://127.0.0.1:9", role_name = "EcsDemoRole" } }
  local _, cerr = role:call("DescribeRegions")
  dict:set("init_creds", cerr and (cerr.kind .. "|" .. cerr.message) or "unexpected success")
end

return M
