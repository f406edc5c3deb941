-- on_event: one event per attempt and one per credential refresh, for
-- both clouds, through the emulator; no secret in any of them.
local cloudapi = require "cloudapi"
local emulator = require "support.emulator"

local KEYS = emulator.KEYS
local PID = emulator.PROJECTS["cn-north-4"]
local SERVICES = "/v1/{project_id}/vpc-endpoint-services"

local function recorder()
  local events = {}
  return events, function(ev) events[#events + 1] = ev end
end

local function of_type(events, t)
  local out = {}
  for _, ev in ipairs(events) do if ev.type == t then out[#out + 1] = ev end end
  return out
end

describe("on_event", function()
  before_each(function() emulator.reset() end)

  it("hears one Alibaba attempt with its request line, status, duration and request id", function()
    local events, hook = recorder()
    local c = cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", endpoint = emulator.url,
                                   credentials = KEYS.test, on_event = hook }
    local _, err, info = c:call("DescribeRegions")
    assert.is_nil(err)
    assert.are.equal(2, #events)
    assert.are.same({ type = "credentials", client = "aliyun ecs",
                      source = "cloudapi.credentials(table)" }, events[1])
    local ev = events[2]
    assert.are.equal("attempt", ev.type)
    assert.are.equal("aliyun ecs", ev.client)
    assert.are.equal("DescribeRegions", ev.action)
    assert.are.equal("GET", ev.method)
    assert.are.equal(1, ev.attempt)
    assert.are.equal(200, ev.status)
    assert.are.equal(info.request_id, ev.request_id)
    assert.is_nil(ev.error)
    assert.are.equal("number", type(ev.duration))
    assert.is_true(ev.duration >= 0 and ev.duration < 30)
    assert.are.equal(emulator.url .. "/?", ev.url:sub(1, #emulator.url + 2))
    assert.is_truthy(ev.url:find("&Signature=[REDACTED]", 1, true))
    assert.is_truthy(ev.url:find("Action=DescribeRegions", 1, true))
  end)

  it("hears every attempt of a retried call, with the error of each failed one", function()
    emulator.fault{ kind = "throttle", count = 2 }
    local events, hook = recorder()
    local c = cloudapi.aliyun.new{ product = "ecs", endpoint = emulator.url, credentials = KEYS.test,
                                   retry = { base_delay = 0.01, max_delay = 0.02 }, on_event = hook }
    assert(c:call("DescribeRegions"))
    local attempts = of_type(events, "attempt")
    assert.are.equal(3, #attempts)
    for i, ev in ipairs(attempts) do assert.are.equal(i, ev.attempt) end
    assert.are.same({ 400, 400, 200 }, { attempts[1].status, attempts[2].status, attempts[3].status })
    assert.are.equal("Throttling", attempts[1].error.code)
    assert.are.equal("Throttling", attempts[2].error.code)
    assert.is_nil(attempts[3].error)
    assert.are.equal(1, #of_type(events, "credentials")) -- the same keys all along
  end)

  it("shows neither the security token nor the signature in an event URL", function()
    local events, hook = recorder()
    local c = cloudapi.aliyun.new{ product = "ecs", endpoint = emulator.url, credentials = KEYS.sts, on_event = hook }
    assert(c:call("DescribeRegions"))
    local url = of_type(events, "attempt")[1].url
    assert.is_truthy(url:find("SecurityToken=[REDACTED]", 1, true))
    assert.is_falsy(url:find("sts-token", 1, true))
    assert.is_falsy(url:find("sts-secret", 1, true))
  end)

  it("hears a network failure as an attempt without a status", function()
    local events, hook = recorder()
    local c = cloudapi.aliyun.new{ product = "ecs", endpoint = "http://127.0.0.1:9", credentials = KEYS.test,
                                   retry = false, on_event = hook }
    local _, err = c:call("DescribeRegions")
    local ev = of_type(events, "attempt")[1]
    assert.are.equal("network", ev.error.kind)
    assert.are.equal(err, ev.error)
    assert.is_nil(ev.status)
  end)

  it("hears a credential refresh when the provider's keys change, not on every call", function()
    local events, hook = recorder()
    local n = 0
    local c = cloudapi.aliyun.new{ product = "ecs", endpoint = emulator.url, on_event = hook, credentials = function()
      n = n + 1
      if n <= 2 then return KEYS.test end
      return KEYS.demo
    end }
    for _ = 1, 4 do assert(c:call("DescribeRegions")) end
    assert.are.equal(2, #of_type(events, "credentials")) -- first keys, then the rotated ones
    assert.are.equal(4, #of_type(events, "attempt"))
  end)

  it("hears a failing credential provider", function()
    local events, hook = recorder()
    local c = cloudapi.aliyun.new{ product = "ecs", endpoint = emulator.url, on_event = hook,
                                   credentials = function() return nil, "vault sealed" end }
    local _, err = c:call("DescribeRegions")
    assert.are.equal(1, #events)
    assert.are.equal("credentials", events[1].type)
    assert.are.equal(err, events[1].error)
    assert.are.equal("credential provider returned nothing: vault sealed", events[1].error.message)
  end)

  it("hears Huawei IAM and service attempts with their paths; no token in any", function()
    local events, hook = recorder()
    local c = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", endpoint = emulator.url,
                                        credentials = KEYS.hw_user, on_event = hook }
    assert(c:get(SERVICES, { query = { limit = 1 } }))
    local attempts = of_type(events, "attempt")
    assert.are.equal(2, #attempts)
    assert.are.equal("/v3/auth/tokens", attempts[1].path)
    assert.are.equal("POST", attempts[1].method)
    assert.are.equal(201, attempts[1].status)
    assert.are.equal("/v1/" .. PID .. "/vpc-endpoint-services", attempts[2].path)
    assert.are.equal(emulator.url .. "/v1/" .. PID .. "/vpc-endpoint-services?limit=1", attempts[2].url)
    assert.are.equal("huaweicloud vpcep", attempts[2].client)
    assert.are.equal(200, attempts[2].status)
    assert.are.equal("string", type(attempts[2].request_id))
    -- the password, then the token it got
    assert.are.equal(2, #of_type(events, "credentials"))
  end)

  it("is checked at construction", function()
    local ok, err = pcall(cloudapi.aliyun.new, { product = "ecs", on_event = "log" })
    assert.is_false(ok)
    assert.is_truthy(tostring(err):find("on_event must be a function(event)", 1, true))
    ok, err = pcall(cloudapi.huaweicloud.new, { service = "iam", on_event = true })
    assert.is_false(ok)
    assert.is_truthy(tostring(err):find("on_event must be a function(event)", 1, true))
  end)
end)

describe("Huawei requests", function()
  it("carry the library's User-Agent, sent but not signed", function()
    local c = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", project_id = PID,
                                        credentials = KEYS.hw }
    local req = assert(c:prepare("GET", SERVICES, nil, { date = "20200608T023900Z" }))
    assert.are.equal("cloudapi-lua/" .. cloudapi.VERSION, req.headers["User-Agent"])
    assert.is_falsy(req.headers.Authorization:find("user-agent", 1, true))
    local mine = assert(c:prepare("GET", SERVICES, { headers = { ["User-Agent"] = "mine/1" } }))
    assert.are.equal("mine/1", mine.headers["User-Agent"])
  end)

  it("send it on the wire, to IAM too, as Alibaba requests do", function()
    emulator.reset()
    local ua = "cloudapi-lua/" .. cloudapi.VERSION
    assert(cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", endpoint = emulator.url,
                                     credentials = KEYS.hw_user }:get(SERVICES))
    assert(cloudapi.aliyun.new{ product = "ecs", endpoint = emulator.url, credentials = KEYS.test }
             :call("DescribeRegions"))
    local log = emulator.requests()
    local seen = {}
    for _, r in ipairs(log) do seen[r.operation or r.action] = true end
    -- (a token cached by an earlier spec was revoked by the reset: renewed once)
    assert.are.same({ KeystoneCreateUserTokenByPassword = true, ListEndpointServices = true,
                      DescribeRegions = true }, seen)
    for _, r in ipairs(log) do assert.are.equal(ua, r.user_agent, r.operation or r.action) end
  end)
end)
