-- client:wait with the Alibaba ROA client: a Container Service cluster is
-- `initial` before `running` (or `failed`, by the emulator's end_state
-- switch); success, timeout with the last value, fail_on, under both
-- signatures (ACS3 reads name their API: action = ...).
local cloudapi = require "cloudapi"
local core = require "cloudapi.core"
local emulator = require "support.emulator"

local cs_settings = emulator.cs

local DETAIL = "/clusters/{cluster_id}"

for _, signature in ipairs({ "acs", "ACS3-HMAC-SHA256" }) do
  describe("ROA wait (" .. signature .. ")", function()
    before_each(function() emulator.reset() end)

    local function cs()
      return emulator.aliyun(cloudapi.aliyun.roa, { product = "cs", signature = signature,
                                                    retry = { base_delay = 0.01, max_delay = 0.05 } })
    end

    local function create(c)
      return assert(c:post("/clusters", { body = { name = "w", region_id = "cn-hangzhou" },
                                          action = "CreateCluster" })).cluster_id
    end

    local function read(id)
      return "GET", DETAIL, { path = { cluster_id = id }, action = "DescribeClusterDetail" }
    end

    it("repeats the read until the cluster runs, and returns the last result", function()
      cs_settings{ running_after = 0.5 }
      local c = cs()
      local id = create(c)
      local seen = {}
      local m, p, o = read(id)
      local res, err, info = c:wait(m, p, o, { path = "state", equals = "running", timeout = 30, interval = 0.1,
                                               on_poll = function(v) seen[#seen + 1] = v end })
      assert.is_nil(err)
      assert.are.equal(id, res.cluster_id)
      assert.are.equal("running", res.state)
      assert.are.equal("string", type(info.request_id))
      assert.are.equal("initial", seen[1])
      assert.are.equal("running", seen[#seen])
      assert.are.equal(#seen, #emulator.requests{ operation = "DescribeClusterDetail" })
    end)

    it("times out with kind timeout and the last value seen", function()
      cs_settings{ running_after = 60 }
      local c = cs()
      local id = create(c)
      local t0 = core.monotonic()
      local m, p, o = read(id)
      local res, err = c:wait(m, p, o, { path = "state", equals = "running", timeout = 0.5, interval = 0.1 })
      local elapsed = core.monotonic() - t0
      assert.is_nil(res)
      assert.are.equal("timeout", err.kind)
      assert.are.equal("WaitTimeout", err.code)
      assert.are.equal("initial", err.value)
      assert.are.equal(id, err.result.cluster_id)
      assert.are.equal(string.format("waited 0.5s for state to be 'running'; last value 'initial' after %d reads",
                                     err.polls), err.message)
      assert.is_true(err.polls >= 2)
      assert.is_true(elapsed >= 0.5 and elapsed < 5, "elapsed " .. elapsed)
    end)

    it("ends at a fail_on state: a cluster whose creation failed", function()
      cs_settings{ running_after = 0.3, end_state = "failed" }
      local c = cs()
      local id = create(c)
      local m, p, o = read(id)
      local res, err = c:wait(m, p, o, { path = "state", equals = "running", fail_on = { "failed", "deleted" },
                                         timeout = 30, interval = 0.1 })
      assert.is_nil(res)
      assert.are.equal("service", err.kind)
      assert.are.equal("WaitFailed", err.code)
      assert.are.equal("failed", err.value)
      assert.are.equal("state is 'failed', a fail_on state, while waiting for 'running'", err.message)
    end)

    it("returns a failing read's error at once", function()
      local c = cs()
      local m, p, o = read("c-nope")
      local _, err = c:wait(m, p, o, { path = "state", equals = "running", timeout = 30 })
      assert.are.equal("ErrorClusterNotFound", err.code)
      assert.are.equal(404, err.status)
      assert.are.equal(1, #emulator.requests{ operation = "DescribeClusterDetail" })
    end)
  end)
end
