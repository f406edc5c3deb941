-- cloudapi.all: many calls at once, results in order, each with its own
-- error, retries and signing per call, on one libcurl multi handle.
local cloudapi = require "cloudapi"
local core = require "cloudapi.core"
local emulator = require "support.emulator"

local function ecs(opts)
  opts = opts or {}
  opts.product, opts.region, opts.endpoint = "ecs", "cn-hangzhou", emulator.url
  opts.credentials = emulator.KEYS.test
  if opts.retry == nil then opts.retry = { base_delay = 0.01, max_delay = 0.05 } end
  return cloudapi.aliyun.new(opts)
end

describe("cloudapi.all", function()
  before_each(function() emulator.reset() end)

  it("returns every result in order", function()
    local c = ecs()
    local calls = {}
    for i = 1, 30 do
      calls[i] = function() return c:call("DescribeInstances", { PageSize = 10, PageNumber = i }) end
    end
    local out = cloudapi.all(calls, { concurrency = 8 })
    assert.are.equal(30, #out)
    for i = 1, 30 do
      local res, err, info = out[i][1], out[i][2], out[i][3]
      assert.is_nil(err)
      assert.are.equal(i, res.PageNumber)
      assert.are.equal(1, info.attempts)
      assert.are.equal(string.format("i-hz%06d", (i - 1) * 10 + 1), res.Instances.Instance[1].InstanceId)
    end
    local seen, n = {}, 0
    for _, r in ipairs(emulator.requests()) do
      if r.nonce and not seen[r.nonce] then seen[r.nonce] = true; n = n + 1 end
    end
    assert.are.equal(30, n)
  end)

  it("gives each call its own error and its own retries", function()
    emulator.fault{ kind = "throttle", count = 3 }
    local c = ecs()
    local out = cloudapi.all({
      function() return c:call("DescribeRegions") end,
      { c, "call", "DescribeNothing" },
      { c, "call", "DescribeInstances", { PageSize = 1 } },
      function() error("boom") end,
      { c, "call", "DescribeRegions" },
    }, { concurrency = 5 })
    assert.are.equal(13, #out[1][1].Regions.Region)
    assert.are.equal("InvalidAction.NotFound", out[2][2].code)
    assert.are.equal(1, #out[3][1].Instances.Instance)
    assert.are.equal("config", out[4][2].kind)
    assert.is_truthy(out[4][2].message:find("the call raised an error: .*boom"))
    assert.are.equal(13, #out[5][1].Regions.Region)
    local attempts = out[2][2].attempts
    for _, k in ipairs({ 1, 3, 5 }) do attempts = attempts + out[k][3].attempts end
    assert.are.equal(4 + 3, attempts) -- four calls, three throttled attempts retried
    assert.are.equal(7, #emulator.requests())
  end)

  it("runs calls concurrently: 16 half-second answers take about half a second", function()
    emulator.fault{ kind = "delay", seconds = 0.5, count = 16 }
    local c = ecs()
    local calls = {}
    for i = 1, 16 do calls[i] = { c, "call", "DescribeRegions" } end
    local t0 = core.monotonic()
    local out = cloudapi.all(calls, { concurrency = 16 })
    local elapsed = core.monotonic() - t0
    for i = 1, 16 do assert.is_nil(out[i][2]) end
    -- 0.5 s with a 5x margin; one after the other would be 8 s
    assert.is_true(elapsed < 0.5 * 5, "took " .. elapsed .. " s")
  end)

  it("lets other calls go on while one backs off", function()
    emulator.fault{ kind = "throttle", retry_after_ms = 3000 }
    local c = ecs{ retry = { base_delay = 0.01, max_delay = 5 } } -- the server's hint within the policy
    local done_at = {}
    local t0 = core.monotonic()
    local calls = {}
    for i = 1, 4 do
      calls[i] = function()
        local r, e = c:call("DescribeRegions")
        done_at[i] = core.monotonic() - t0
        return r, e
      end
    end
    local out = cloudapi.all(calls, { concurrency = 4 })
    for i = 1, 4 do assert.is_nil(out[i][2]) end
    table.sort(done_at)
    -- the three others take milliseconds: a bound far from both
    assert.is_true(done_at[3] < 1, "the others waited for the backoff: " .. done_at[3] .. " s")
    assert.is_true(done_at[4] >= 3)
  end)

  it("keeps connections alive across calls and batches", function()
    local c = ecs()
    for _ = 1, 2 do
      local calls = {}
      for i = 1, 20 do calls[i] = { c, "call", "DescribeRegions" } end
      local out = cloudapi.all(calls, { concurrency = 4 })
      for i = 1, 20 do assert.is_nil(out[i][2]) end
    end
    local conns = {}
    local n = 0
    for _, r in ipairs(emulator.requests()) do
      if not conns[r.connection] then conns[r.connection] = true; n = n + 1 end
    end
    assert.is_true(n <= 6, n .. " connections for 40 requests")
  end)

  -- A session reads in 4 KB pieces after a small answer and in 16 KB ones
  -- after a large answer: every switch must keep bodies whole.
  it("reads large and small answers alike on the same sessions", function()
    local c = ecs()
    local sizes = { 100, 1, 100, 100, 2, 1, 100 }
    for _, conc in ipairs{ 1, 3 } do
      local calls = {}
      for i, size in ipairs(sizes) do
        calls[i] = { c, "call", "DescribeInstances", { PageSize = size, PageNumber = 1 } }
      end
      local out = cloudapi.all(calls, { concurrency = conc })
      for i, size in ipairs(sizes) do
        local res = assert(out[i][1], tostring(out[i][2]))
        assert.are.equal(size, #res.Instances.Instance)
        assert.are.equal(string.format("i-hz%06d", size), res.Instances.Instance[size].InstanceId)
      end
    end
    -- and one after the other on the client's own session
    for _, size in ipairs(sizes) do
      local res = assert(c:call("DescribeInstances", { PageSize = size }))
      assert.are.equal(size, #res.Instances.Instance)
      assert.are.equal(string.format("i-hz%06d", size), res.Instances.Instance[size].InstanceId)
      -- the sizes that matter: over 16 KB, and under 4 KB
      local bytes = #require("cjson").encode(res)
      assert.is_true(size == 100 and bytes > 16384 or size < 100 and bytes < 4096, size .. ": " .. bytes)
    end
  end)

  it("streams results to each(i, result, err, info) and keeps none", function()
    local c = ecs{ retry = false }
    local calls = {}
    for i = 1, 12 do
      calls[i] = i == 5 and { c, "call", "DescribeNothing" }
                 or { c, "call", "DescribeInstances", { PageSize = 1, PageNumber = i } }
    end
    local seen, order, followups = {}, {}, {}
    local ret = cloudapi.all(calls, { concurrency = 4, each = function(i, res, err, info)
      assert.is_nil(seen[i])
      seen[i] = true
      order[#order + 1] = i
      if i == 5 then
        assert.is_nil(res)
        assert.are.equal("service", err.kind)
        assert.are.equal("InvalidAction.NotFound", err.code)
        return
      end
      assert.is_nil(err)
      assert.are.equal(i, res.PageNumber)
      assert.are.equal(1, info.attempts)
      -- a call from inside each runs under the same scheduler
      if i == 2 then followups[#followups + 1] = assert(c:call("DescribeRegions")).Regions.Region[1].RegionId end
    end })
    assert.is_nil(ret)
    assert.are.equal(12, #order)
    for i = 1, 12 do assert.is_true(seen[i]) end
    assert.are.same({ "cn-hangzhou" }, followups)
    -- an error raised in each ends all with that error
    assert.has_error(function()
      cloudapi.all({ { c, "call", "DescribeRegions" } }, { each = function() error("stop here", 0) end })
    end, "stop here")
    assert.has_error(function() cloudapi.all({}, { each = 42 }) end,
                     "cloudapi.all: each must be a function(i, result, err, info)")
    assert.is_nil(cloudapi.all({}, { each = function() end }))
  end)

  it("mixes clouds and methods", function()
    local hw = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", endpoint = emulator.url,
                                         project_id = emulator.PROJECTS["cn-north-4"], credentials = emulator.KEYS.hw }
    local out = cloudapi.all({
      { hw, "get", "/v1/{project_id}/vpc-endpoint-services", { query = { limit = 2 } } },
      { ecs(), "call", "DescribeRegions" },
    })
    assert.are.equal(2, #out[1][1].endpoint_services)
    assert.are.equal(13, #out[2][1].Regions.Region)
  end)

  it("raises on misuse", function()
    assert.has_error(function() cloudapi.all("x") end, "cloudapi.all: expected a list of calls, got a string")
    assert.has_error(function() cloudapi.all({ 42 }) end,
                     "cloudapi.all: call 1 must be a function or {client, \"method\", args...}")
    assert.has_error(function() cloudapi.all({}, { concurrency = 0 }) end,
                     "cloudapi.all: concurrency must be an integer from 1 to 1000")
    assert.are.same({}, cloudapi.all({}))
  end)
end)
