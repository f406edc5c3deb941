-- The Lua side of `make bench`: one measurement per process, one JSON line
-- on stdout. Runs on Lua 5.4 and LuaJIT (bench/run sets the paths).
--
--   bench.lua sign-rpc SECONDS          ecs:prepare("DescribeInstances", 9 params)
--   bench.lua sign-sdk SECONDS          vpcep:prepare("GET", ..., 3 query params)
--   bench.lua sign-core SECONDS         core.rpc_sign alone on the same 19 pairs
--   bench.lua check-rpc NONCE TIMESTAMP print the URL prepare signs (vs floor_sign)
--   bench.lua check-sdk DATE            print URL and Authorization (vs floor_sign)
--   bench.lua sign-acs3 SECONDS         ecs (ACS3-HMAC-SHA256):prepare("DescribeInstances", 9 params)
--   bench.lua sign-roa SECONDS          cs:prepare("GET", "/clusters", 3 query params)
--   bench.lua check-acs3 NONCE DATE     print URL and Authorization (vs floor_sign)
--   bench.lua check-roa NONCE DATE      print URL and Authorization (vs floor_sign)
--   bench.lua url URL                   a signed DescribeRegions URL (for the C loops)
--   bench.lua call-seq URL N            N sequential ecs:call("DescribeRegions")
--   bench.lua call-all URL N CONC       cloudapi.all over N calls, CONC in flight
--   bench.lua call-each URL N CONC      the same, results streamed to each()
--   bench.lua memory URL N1 N2          RSS after N1 and after N2 calls
--   bench.lua leak URL N                N calls then close (run under valgrind)
--   bench.lua decode FILE SECONDS       cjson.decode vs cloudapi's json.decode
--   bench.lua prepare-regions SECONDS   prepare alone, DescribeRegions
--   bench.lua split URL N               N calls and N bare session:request, interleaved
--   bench.lua decode-response FILE SECONDS  client:decode alone, the 302-byte body
--   bench.lua call-noio FILE SECONDS    ecs:call with a transport that answers at once
local cloudapi = require "cloudapi"
local core = require "cloudapi.core"
local cjson = require "cjson"

local now = core.monotonic
local mode = arg[1]

local function emit(t)
  t.lua = jit and jit.version or _VERSION
  io.write(cjson.encode(t), "\n")
end

local function fail(msg)
  io.stderr:write("bench.lua ", tostring(mode), ": ", tostring(msg), "\n")
  os.exit(1)
end

-- Calls batch(1000) until `seconds` have passed (after a warm-up);
-- returns ns per operation and the operation count.
local function timed(batch, seconds)
  for _ = 1, 5 do batch(1000) end
  collectgarbage("collect")
  local iters, t0 = 0, now()
  local el
  repeat
    batch(1000)
    iters = iters + 1000
    el = now() - t0
  until el >= seconds
  return el / iters * 1e9, iters
end

local CREDS = { access_key_id = "testid", access_key_secret = "testsecret" }

-- 9 caller parameters, 10 once Tag is flattened (Tag.1.Key, Tag.1.Value);
-- the client adds Action, Version, Format, AccessKeyId, SignatureMethod,
-- SignatureVersion, SignatureNonce, Timestamp and RegionId: 19 signed.
local DESCRIBE_INSTANCES = {
  PageSize = 50, PageNumber = 1, Status = "Running", ZoneId = "cn-hangzhou-b",
  InstanceType = "ecs.g6.large", VpcId = "vpc-bp1opxu1zkhn00gzv26cn",
  VSwitchId = "vsw-bp1s5fnvk4gn2tws03624", InstanceName = "web-server-01",
  Tag = { { Key = "env", Value = "prod" } },
}

local function ecs_client(endpoint)
  return cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", credentials = CREDS,
                              endpoint = endpoint, retry = endpoint and false or nil }
end

local function hw_client()
  return cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", project_id = "p",
                                   credentials = { ak = "a", sk = "s" } }
end

local function acs3_client()
  return cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", credentials = CREDS,
                              signature = "ACS3-HMAC-SHA256" }
end

local function roa_client()
  return cloudapi.aliyun.roa{ product = "cs", region = "cn-hangzhou", credentials = CREDS }
end
local ROA_OPTS = { query = { page_size = 10, page_number = 1, name = "x" } }

local HW_PATH = "/v1/{project_id}/vpc-endpoint-services"
local HW_OPTS = { query = { limit = 10, offset = 0, name = "x" } }

local function rss_kb()
  local f = assert(io.open("/proc/self/status"))
  local s = f:read("*a")
  f:close()
  return tonumber(s:match("VmRSS:%s*(%d+)"))
end

local function settle()
  collectgarbage("collect")
  collectgarbage("collect")
end

-- time_prepare(client, a, b, c): client:prepare(a, b, c) in batches; one JSON line.
local function time_prepare(client, a, b, c)
  local ns, iters = timed(function(n)
    for _ = 1, n do
      local req, err = client:prepare(a, b, c)
      if not req then fail(err) end
    end
  end, tonumber(arg[2]) or 0.5)
  emit{ ns_per_op = ns, ops_per_s = 1e9 / ns, iters = iters }
end

local function check_result(res, err)
  if not res then fail(tostring(err)) end
  if type(res.Regions) ~= "table" then fail("unexpected answer") end
end

if mode == "sign-rpc" then
  time_prepare(ecs_client(), "DescribeInstances", DESCRIBE_INSTANCES)

elseif mode == "sign-sdk" then
  time_prepare(hw_client(), "GET", HW_PATH, HW_OPTS)

elseif mode == "sign-acs3" then
  time_prepare(acs3_client(), "DescribeInstances", DESCRIBE_INSTANCES)

elseif mode == "sign-roa" then
  time_prepare(roa_client(), "GET", "/clusters", ROA_OPTS)

elseif mode == "sign-core" then
  -- The C core called from Lua with a ready table: what prepare costs
  -- without its Lua layer (fresh nonce and clock each time, as prepare).
  local flat = {
    PageSize = "50", PageNumber = "1", Status = "Running", ZoneId = "cn-hangzhou-b",
    InstanceType = "ecs.g6.large", VpcId = "vpc-bp1opxu1zkhn00gzv26cn",
    VSwitchId = "vsw-bp1s5fnvk4gn2tws03624", InstanceName = "web-server-01",
    ["Tag.1.Key"] = "env", ["Tag.1.Value"] = "prod",
    Action = "DescribeInstances", Version = "2014-05-26", Format = "JSON", AccessKeyId = "testid",
    SignatureMethod = "HMAC-SHA1", SignatureVersion = "1.0", SignatureNonce = "", Timestamp = "",
    RegionId = "cn-hangzhou",
  }
  local rpc_sign, nonce, timestamp = core.rpc_sign, core.nonce, core.timestamp
  local ns, iters = timed(function(n)
    for _ = 1, n do
      flat.SignatureNonce = nonce()
      flat.Timestamp = timestamp()
      rpc_sign("GET", flat, "testsecret")
    end
  end, tonumber(arg[2]) or 0.3)
  emit{ ns_per_op = ns, ops_per_s = 1e9 / ns, iters = iters }

elseif mode == "check-rpc" then
  local req = assert(ecs_client():prepare("DescribeInstances", DESCRIBE_INSTANCES,
                                          { nonce = arg[2], timestamp = arg[3] }))
  print(req.url)

elseif mode == "check-acs3" then
  local req = assert(acs3_client():prepare("DescribeInstances", DESCRIBE_INSTANCES,
                                           { nonce = arg[2], timestamp = arg[3] }))
  print(req.url)
  print(req.headers.Authorization)

elseif mode == "check-roa" then
  local req = assert(roa_client():prepare("GET", "/clusters", ROA_OPTS, { nonce = arg[2], date = arg[3] }))
  print(req.url)
  print(req.headers.Authorization)

elseif mode == "check-sdk" then
  local req = assert(hw_client():prepare("GET", HW_PATH, HW_OPTS, { date = arg[2] }))
  print(req.url)
  print(req.headers.Authorization)

elseif mode == "url" then
  print(assert(ecs_client(arg[2]):prepare("DescribeRegions")).url)

elseif mode == "call-seq" then
  local ecs = ecs_client(arg[2])
  local n = tonumber(arg[3])
  for _ = 1, 200 do check_result(ecs:call("DescribeRegions")) end
  settle()
  local t0 = now()
  for _ = 1, n do
    local res, err = ecs:call("DescribeRegions")
    if not res then fail(err) end
  end
  local el = now() - t0
  emit{ req_per_s = n / el, us_per_req = el / n * 1e6, n = n }

elseif mode == "call-all" or mode == "call-each" then
  local all = cloudapi.all
  local ecs = ecs_client(arg[2])
  local n, conc = tonumber(arg[3]), tonumber(arg[4])
  local function call() return ecs:call("DescribeRegions") end
  local function list_of(count)
    local list = {}
    for i = 1, count do list[i] = call end
    return list
  end
  local opts, done = { concurrency = conc }, 0
  if mode == "call-each" then -- results streamed, none kept
    opts.each = function(i, res, err)
      if not res then fail("call " .. i .. ": " .. tostring(err)) end
      done = done + 1
    end
  end
  -- Runs the list; returns the seconds it took, checked afterwards.
  local function run(list)
    done = 0
    local t0 = now()
    local out = all(list, opts)
    local el = now() - t0
    if opts.each then
      if done ~= #list then fail(done .. " results for " .. #list .. " calls") end
      return el
    end
    if type(out) ~= "table" then fail("cloudapi.all returned " .. type(out)) end
    for i = 1, #list do
      local r = out[i]
      if type(r) ~= "table" then fail("out[" .. i .. "] is " .. type(r)) end
      if r[1] == nil then fail("call " .. i .. ": " .. tostring(r[2])) end
    end
    return el
  end
  run(list_of(conc * 20))
  local list = list_of(n)
  settle()
  local el = run(list)
  local fields = { req_per_s = n / el, us_per_req = el / n * 1e6, n = n, concurrency = conc }
  if not opts.each then
    -- The same batch again once the first one's results are gone: a process
    -- that has held that many results already has the heap pages for them
    -- (on this VM a page fault costs about 10 µs).
    settle()
    fields.again_req_per_s = n / run(list)
  end
  emit(fields)

elseif mode == "memory" then
  local ecs = ecs_client(arg[2])
  local n1, n2 = tonumber(arg[3]), tonumber(arg[4])
  for _ = 1, n1 do check_result(ecs:call("DescribeRegions")) end
  settle()
  local rss1, heap1 = rss_kb(), collectgarbage("count")
  for _ = n1 + 1, n2 do
    local res, err = ecs:call("DescribeRegions")
    if not res then fail(err) end
  end
  settle()
  local rss2, heap2 = rss_kb(), collectgarbage("count")
  emit{ n1 = n1, n2 = n2, rss1_kb = rss1, rss2_kb = rss2, growth_kb = rss2 - rss1,
        heap1_kb = heap1, heap2_kb = heap2 }

elseif mode == "leak" then
  local ecs = ecs_client(arg[2])
  for _ = 1, tonumber(arg[3]) do check_result(ecs:call("DescribeRegions")) end
  ecs:close()
  ecs = nil -- luacheck: ignore
  settle()
  emit{ n = tonumber(arg[3]) }

elseif mode == "decode" then
  local f = assert(io.open(arg[2], "rb"))
  local body = f:read("*a")
  f:close()
  local json = require "cloudapi.json"
  local seconds = tonumber(arg[3]) or 0.3
  local raw = cjson.new().decode
  local raw_ns = timed(function(n)
    for _ = 1, n do raw(body) end
  end, seconds)
  local lib_ns = timed(function(n)
    for _ = 1, n do json.decode(body) end
  end, seconds)
  emit{ bytes = #body, cjson_ns = raw_ns, lib_ns = lib_ns }

elseif mode == "prepare-regions" then
  local ecs = ecs_client("http://127.0.0.1:1")
  local ns = timed(function(n)
    for _ = 1, n do
      local req, err = ecs:prepare("DescribeRegions")
      if not req then fail(err) end
    end
  end, tonumber(arg[2]) or 0.3)
  emit{ ns_per_op = ns }

elseif mode == "split" then
  -- Calls and bare transport requests (what transport/curl.lua hands the
  -- core for one call) in alternating batches of 100 in one process: the
  -- difference is the Lua layer's cost in situ, caches cooled by the I/O.
  local ecs = ecs_client(arg[2])
  local n = tonumber(arg[3])
  local session = assert(core.http_session())
  local creq = { method = "GET", url = assert(ecs:prepare("DescribeRegions")).url,
                 headers = { ["User-Agent"] = "cloudapi-lua/" .. cloudapi.VERSION },
                 connect_timeout = 10, read_timeout = 60 }
  local function bare()
    local status, headers, body = session:request(creq)
    if status ~= 200 then fail(tostring(headers) .. " " .. tostring(body)) end
  end
  for _ = 1, 200 do check_result(ecs:call("DescribeRegions")); bare() end
  settle()
  local tc, tt = 0, 0
  for _ = 1, n / 100 do
    local t0 = now()
    for _ = 1, 100 do
      local res, err = ecs:call("DescribeRegions")
      if not res then fail(err) end
    end
    local t1 = now()
    for _ = 1, 100 do bare() end
    tc, tt = tc + (t1 - t0), tt + (now() - t1)
  end
  session:close()
  emit{ call_us = tc / n * 1e6, transport_us = tt / n * 1e6, lua_us = (tc - tt) / n * 1e6,
        req_per_s = n / tt, n = n }

elseif mode == "decode-response" then
  local f = assert(io.open(arg[2], "rb"))
  local body = f:read("*a")
  f:close()
  local ecs = ecs_client("http://127.0.0.1:1")
  local req = assert(ecs:prepare("DescribeRegions"))
  local res = { status = 200, body = body, headers = {
    server = "nginx", date = "Sun, 22 Nov 2026 14:41:15 GMT", ["content-type"] = "application/json",
    ["content-length"] = tostring(#body), connection = "keep-alive" } }
  local ns = timed(function(n)
    for _ = 1, n do
      local v, err = ecs:decode(req, res)
      if not v then fail(err) end
    end
  end, tonumber(arg[3]) or 0.3)
  emit{ ns_per_op = ns, bytes = #body }

elseif mode == "call-noio" then
  -- Everything a call does except the network: a transport object that
  -- returns the static answer (fresh headers table, as the curl one).
  local f = assert(io.open(arg[2], "rb"))
  local body = f:read("*a")
  f:close()
  local transport = { send = function()
    return { status = 200, body = body, headers = {
      server = "nginx", date = "Sun, 22 Nov 2026 14:41:15 GMT", ["content-type"] = "application/json",
      ["content-length"] = "302", connection = "keep-alive" } }
  end }
  local ecs = cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", credentials = CREDS,
                                   endpoint = "http://127.0.0.1:1", retry = false, transport = transport }
  local ns = timed(function(n)
    for _ = 1, n do
      local res, err = ecs:call("DescribeRegions")
      if not res then fail(err) end
    end
  end, tonumber(arg[3]) or 0.3)
  emit{ ns_per_op = ns }

else
  fail("unknown mode")
end
