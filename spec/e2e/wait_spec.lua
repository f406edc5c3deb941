-- client:wait against the emulator's lifecycles: an ECS instance Starting
-- before Running, Stopping before Stopped, a VPCEP service creating before
-- available; success, timeout with the last value, fail_on, any_of, fn,
-- bad options, and many waits at once under cloudapi.all (the scheduler's
-- sleep, not a blocking one).
local cloudapi = require "cloudapi"
local core = require "cloudapi.core"
local emulator = require "support.emulator"

local function ecs()
  return cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", endpoint = emulator.url,
                              credentials = emulator.KEYS.test, retry = { base_delay = 0.01, max_delay = 0.05 } }
end

local function one(id) return { InstanceIds = cloudapi.json{ id } } end
local STATUS = "Instances.Instance.1.Status"

describe("wait", function()
  before_each(function() emulator.reset() end)

  it("repeats the read until the value matches, and returns the last result", function()
    emulator.lifecycle(0.5)
    local c = ecs()
    assert(c:call("StartInstance", { InstanceId = "i-hz000003" }))
    local seen = {}
    local res, err, info = c:wait("DescribeInstances", one("i-hz000003"), {
      path = STATUS, equals = "Running", timeout = 30, interval = 0.1,
      on_poll = function(v, n, elapsed)
        seen[#seen + 1] = v
        assert.are.equal(#seen, n)
        assert.is_true(elapsed >= 0)
      end })
    assert.is_nil(err)
    assert.are.equal("Running", res.Instances.Instance[1].Status)
    assert.are.equal("string", type(info.request_id))
    assert.are.equal("Starting", seen[1])
    assert.are.equal("Running", seen[#seen])
    assert.is_true(#seen >= 2)
    assert.are.equal(#seen, #emulator.requests{ action = "DescribeInstances" })
  end)

  it("times out with kind timeout and the last value seen", function()
    emulator.lifecycle(60)
    local c = ecs()
    assert(c:call("StartInstance", { InstanceId = "i-hz000006" }))
    local t0 = core.monotonic()
    local res, err = c:wait("DescribeInstances", one("i-hz000006"),
                            { path = STATUS, equals = "Running", timeout = 0.5, interval = 0.1 })
    local elapsed = core.monotonic() - t0
    assert.is_nil(res)
    assert.are.equal("timeout", err.kind)
    assert.are.equal("WaitTimeout", err.code)
    assert.are.equal("Starting", err.value)
    assert.are.equal("Starting", err.result.Instances.Instance[1].Status)
    assert.are.equal(string.format("waited 0.5s for Instances.Instance.1.Status to be 'Running'; last value " ..
                                   "'Starting' after %d reads", err.polls), err.message)
    assert.is_true(err.polls >= 2)
    assert.is_true(elapsed >= 0.5 and elapsed < 5, "elapsed " .. elapsed)
  end)

  it("neither reseeds nor draws from the program's math.random while it backs off", function()
    emulator.lifecycle(60)
    local c = ecs()
    assert(c:call("StartInstance", { InstanceId = "i-hz000006" }))
    math.randomseed(42)
    local want = { math.random(), math.random() }
    math.randomseed(42)
    local _, err = c:wait("DescribeInstances", one("i-hz000006"),
                          { path = STATUS, equals = "Nope", timeout = 0.4, interval = 0.05 })
    assert.are.equal("WaitTimeout", err.code)
    assert.is_true(err.polls >= 2) -- jitter was drawn between reads
    assert.are.same(want, { math.random(), math.random() })
  end)

  it("ends at a fail_on state with that value", function()
    emulator.lifecycle(0.3)
    local c = ecs()
    assert(c:call("StopInstance", { InstanceId = "i-hz000001" }))
    local res, err = c:wait("DescribeInstances", one("i-hz000001"), {
      path = STATUS, equals = "Running", fail_on = { "Stopped", "Deleted" }, timeout = 30, interval = 0.1 })
    assert.is_nil(res)
    assert.are.equal("service", err.kind)
    assert.are.equal("WaitFailed", err.code)
    assert.are.equal("Stopped", err.value)
    assert.are.equal("Instances.Instance.1.Status is 'Stopped', a fail_on state, while waiting for 'Running'",
                     err.message)
  end)

  it("any_of and fn; a path into nothing keeps waiting", function()
    emulator.lifecycle(0.2)
    local c = ecs()
    assert(c:call("StopInstance", { InstanceId = "i-hz000002" }))
    local res = assert(c:wait("DescribeInstances", one("i-hz000002"),
                              { path = STATUS, any_of = { "Stopped", "Running" }, timeout = 30, interval = 0.05 }))
    assert.are.equal("Stopped", res.Instances.Instance[1].Status)
    local n = 0
    local r2 = assert(c:wait("DescribeInstances", { PageSize = 1 }, { timeout = 30, interval = 0.05,
      fn = function(v) n = n + 1; return v.TotalCount == 300 and n == 3 end }))
    assert.are.equal(3, n)
    assert.are.equal(300, r2.TotalCount)
    local _, err = c:wait("DescribeInstances", one("i-nope"), { path = STATUS, equals = "Running", timeout = 0.2,
                                                               interval = 0.05 })
    assert.are.equal("WaitTimeout", err.code)
    assert.is_nil(err.value)
    assert.is_truthy(err.message:find("last value nothing after", 1, true))
  end)

  it("returns a failing read's error at once", function()
    local c = ecs()
    local _, err = c:wait("DescribeNothing", {}, { path = "x", equals = 1, timeout = 30 })
    assert.are.equal("InvalidAction.NotFound", err.code)
    assert.are.equal(1, #emulator.requests{ action = "DescribeNothing" })
  end)

  it("waits for a Huawei endpoint service to be available", function()
    emulator.lifecycle(0.4)
    local c = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", endpoint = emulator.url,
                                        project_id = emulator.PROJECTS["cn-north-4"], credentials = emulator.KEYS.hw }
    local svc = assert(c:post("/v1/{project_id}/vpc-endpoint-services", { body = {
      vpc_id = "vpc-1", port_id = "port-1", server_type = "VM",
      ports = { { client_port = 8080, server_port = 80, protocol = "TCP" } } } }))
    assert.are.equal("creating", svc.status)
    local got = assert(c:wait("GET", "/v1/{project_id}/vpc-endpoint-services/{id}", { path = { id = svc.id } },
                              { path = "status", equals = "available", timeout = 30, interval = 0.1 }))
    assert.are.equal(svc.id, got.id)
    assert.are.equal("available", got.status)
  end)

  it("a Huawei wait ends at a fail_on state, or times out with the last value", function()
    emulator.lifecycle(30) -- creating for longer than these waits
    local c = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", endpoint = emulator.url,
                                        project_id = emulator.PROJECTS["cn-north-4"], credentials = emulator.KEYS.hw }
    local svc = assert(c:post("/v1/{project_id}/vpc-endpoint-services", { body = {
      vpc_id = "vpc-1", port_id = "port-1", server_type = "VM",
      ports = { { client_port = 8080, server_port = 80, protocol = "TCP" } } } }))
    local path = { path = { id = svc.id } }
    local _, err = c:wait("GET", "/v1/{project_id}/vpc-endpoint-services/{id}", path,
                          { path = "status", equals = "available", fail_on = { "creating", "failed" }, timeout = 30 })
    assert.are.same({ "service", "WaitFailed", "creating" }, { err.kind, err.code, err.value })
    local _, terr = c:wait("GET", "/v1/{project_id}/vpc-endpoint-services/{id}", path,
                           { path = "status", equals = "available", timeout = 0.3, interval = 0.1 })
    assert.are.same({ "timeout", "WaitTimeout", "creating" }, { terr.kind, terr.code, terr.value })
  end)

  it("backs off 1.5x from interval up to max_interval, each sleep between half and all of it", function()
    -- The public transport contract: send through a real curl transport,
    -- record the sleeps (and skip them: the reads need no time).
    local curl = require("cloudapi.transport.curl").new()
    local sleeps = {}
    local t = { send = function(_, req) return curl:send(req) end,
                sleep = function(_, d) sleeps[#sleeps + 1] = d end }
    local c = cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", endpoint = emulator.url,
                                   credentials = emulator.KEYS.test, transport = t }
    local polls = 0
    assert(c:wait("DescribeRegions", nil, { fn = function() polls = polls + 1; return polls == 8 end,
                                            interval = 1, max_interval = 4, timeout = 600 }))
    local backoff = { 1, 1.5, 2.25, 3.375, 4, 4, 4 }
    assert.are.equal(#backoff, #sleeps)
    for i, d in ipairs(backoff) do
      assert.is_true(sleeps[i] >= d / 2 and sleeps[i] <= d,
                     ("sleep %d: %g for a backoff of %g"):format(i, sleeps[i], d))
    end
    curl:close()
  end)

  it("refuses bad options with a config error naming the problem, before any request", function()
    local c = ecs()
    local cases = {
      { nil, "wait: the last argument must be the options {path=, equals=, timeout=, ...}" },
      { {}, 'wait: path is required (a dotted path such as "Instances.Instance.1.Status")' },
      { { path = "a" }, "wait: give exactly one of equals, any_of or fn" },
      { { path = "a", equals = 1, any_of = { 1 } }, "wait: give exactly one of equals, any_of or fn" },
      { { path = "a..b", equals = 1 }, "wait: path 'a..b' has an empty segment" },
      { { path = "a", equals = 1, timeout = -1 }, "wait: timeout must be a positive number of seconds" },
      { { path = "a", equals = 1, interval = 0 }, "wait: interval must be a positive number of seconds" },
      { { path = "a", any_of = {} }, "wait: any_of must be a value or a non-empty list of values" },
      { { path = "a", any_of = "x" }, "wait: any_of must be a list of values" },
      { { path = "a", equals = 1, fail_on = {} }, "wait: fail_on must be a value or a non-empty list of values" },
      { { path = "a", fn = 1 }, "wait: fn must be a function(value, result)" },
      { { path = "a", equals = 1, on_poll = true }, "wait: on_poll must be a function(value, polls, elapsed)" },
    }
    for _, case in ipairs(cases) do
      local res, err = c:wait("DescribeRegions", {}, case[1])
      assert.is_nil(res)
      assert.are.equal("config", err.kind)
      assert.are.equal(case[2], err.message)
    end
    assert.are.equal(0, #emulator.requests())
  end)

  it("under cloudapi.all, waits sleep through the scheduler: 20 waits take about one", function()
    emulator.lifecycle(0.5)
    local c = ecs()
    local calls, polls = {}, {}
    for i = 1, 20 do
      local id = string.format("i-hz%06d", i * 3) -- stopped ones
      polls[i] = 0
      calls[i] = function()
        assert(c:call("StartInstance", { InstanceId = id }))
        -- the first read sees Starting; the first sleep (1 to 2 s) outlasts it
        return c:wait("DescribeInstances", one(id), { path = STATUS, equals = "Running", timeout = 60, interval = 2,
                                                      on_poll = function() polls[i] = polls[i] + 1 end })
      end
    end
    local t0 = core.monotonic()
    local out = cloudapi.all(calls, { concurrency = 20 })
    local elapsed = core.monotonic() - t0
    for i = 1, 20 do
      assert.is_nil(out[i][2])
      assert.are.equal("Running", out[i][1].Instances.Instance[1].Status)
      assert.are.equal(2, polls[i])
    end
    -- Each wait slept once, 1 s at least: blocking sleeps would add up to
    -- 20 s or more; through the scheduler they overlap (about 2 s).
    assert.is_true(elapsed < 10, "20 waits took " .. elapsed .. " s")
  end)
end)
