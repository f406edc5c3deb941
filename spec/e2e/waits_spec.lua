-- How long a call may wait, whatever the server says: retry hints capped
-- at the policy's max_delay and the call's deadline, a default deadline
-- on every call, and no clock value (the server's Date, the caller's
-- clock) that makes a call or a signature raise.
local cloudapi = require "cloudapi"
local core = require "cloudapi.core"
local emulator = require "support.emulator"

-- A policy whose waits are short: one retry, at most 0.3 s.
local CAPPED = { attempts = 1, base_delay = 0.01, max_delay = 0.3 }
local KEYS = emulator.KEYS
local PID = emulator.PROJECTS["cn-north-4"]
local SERVICES = "/v1/{project_id}/vpc-endpoint-services"

local function aliyun(opts)
  opts = opts or {}
  opts.product, opts.region, opts.endpoint = "ecs", "cn-hangzhou", emulator.url
  opts.credentials = opts.credentials or KEYS.test
  return cloudapi.aliyun.new(opts)
end

local function vpcep(opts)
  opts = opts or {}
  opts.service, opts.region, opts.endpoint, opts.project_id = "vpcep", "cn-north-4", emulator.url, PID
  opts.credentials = opts.credentials or KEYS.hw
  return cloudapi.huaweicloud.new(opts)
end

-- The transport fields each attempt was given, on the way to the real one.
local function recording()
  local seen = {}
  local inner = require("cloudapi.transport.curl").new()
  return seen, { send = function(_, req)
    seen[#seen + 1] = req.total_timeout
    return inner:send(req)
  end }
end

-- The call succeeds on its second attempt, after a wait of at most
-- max_delay (0.3 s): not the server's day, nor its infinity.
local function capped(call)
  local t0 = core.monotonic()
  local res, err, info = call()
  local took = core.monotonic() - t0
  assert.is_nil(err)
  assert.is_truthy(res)
  assert.are.equal(2, info.attempts)
  assert.is_true(took < 0.3 * 5, "took " .. took .. " s")
end

describe("retry hints", function()
  before_each(function() emulator.reset() end)

  it("x-acs-retry-after: 1e12 waits max_delay, not 31 years", function()
    emulator.fault{ kind = "error", status = 503, api = "rpc", headers = { ["x-acs-retry-after"] = "1e12" } }
    capped(function() return aliyun{ retry = CAPPED }:call("DescribeRegions", nil, { deadline = 10 }) end)
  end)

  it("Retry-After: 86400, 1e999 or a date next year waits max_delay, and never raises", function()
    for _, hint in ipairs({ "86400", "1e999", "Sat, 01 Jan 2100 00:00:00 GMT" }) do
      emulator.fault{ kind = "error", status = 503, api = "huawei", headers = { ["Retry-After"] = hint } }
      capped(function() return vpcep{ retry = CAPPED }:get(SERVICES, { query = { limit = 1 }, deadline = 10 }) end)
      emulator.fault{ kind = "error", status = 503, api = "rpc", headers = { ["Retry-After"] = hint } }
      capped(function() return aliyun{ retry = CAPPED }:call("DescribeRegions", nil, { deadline = 10 }) end)
    end
  end)

  it("a hint beyond the deadline ends the call at once with a timeout error", function()
    emulator.fault{ kind = "error", status = 503, api = "rpc", headers = { ["Retry-After"] = "1e999" } }
    local t0 = core.monotonic()
    local _, err = aliyun{ retry = { base_delay = 0.01, max_delay = 60 } }:call("DescribeRegions", nil,
                                                                                 { deadline = 0.5 })
    assert.are.equal("timeout", err.kind)
    assert.are.equal(503, err.cause.status)
    assert.is_true(core.monotonic() - t0 < 0.5 * 5)
  end)
end)

describe("the deadline", function()
  before_each(function() emulator.reset() end)

  it("is 120 s by default on every call, retries off included; client and call override it", function()
    local seen, transport = recording()
    assert(aliyun{ transport = transport }:call("DescribeRegions"))
    assert(aliyun{ transport = transport, retry = false }:call("DescribeRegions"))
    assert(aliyun{ transport = transport, retry = { deadline = 30 } }:call("DescribeRegions"))
    assert(aliyun{ transport = transport, retry = { deadline = 30 } }:call("DescribeRegions", nil, { retry = false }))
    assert(aliyun{ transport = transport }:call("DescribeRegions", nil, { deadline = 5 }))
    assert(vpcep{ transport = transport }:get(SERVICES, { query = { limit = 1 } }))
    assert.are.same({ 120, 120, 30, 30, 5, 120 }, seen)
  end)

  it("bounds a call whose server never answers, even with a long read timeout", function()
    emulator.fault{ kind = "delay", seconds = 3 }
    local t0 = core.monotonic()
    local _, err = aliyun{ retry = { deadline = 0.5 }, timeout = { read = 60 } }:call("DescribeRegions")
    assert.are.equal("timeout", err.kind)
    assert.is_true(core.monotonic() - t0 < 0.5 * 5)
    emulator.settled()
  end)

  it("out of range is refused at construction and per call, naming the range", function()
    local ok, why = pcall(aliyun, { retry = { deadline = 5e6 } })
    assert.is_false(ok)
    assert.is_truthy(why:find("retry.deadline must be a number of seconds, above 0 and below 1000000, got 5000000",
                              1, true), why)
    for d, shown in pairs({ [1e7] = "10000000", [2e6] = "2000000", [-1] = "-1",
                            [math.huge] = "inf", ["5"] = '"5"' }) do
      local _, err = aliyun():call("DescribeRegions", nil, { deadline = d })
      assert.are.equal("config", err.kind)
      assert.are.equal("deadline must be a number of seconds, above 0 and below 1000000, got " .. shown, err.message)
    end
    local _, nan = aliyun():call("DescribeRegions", nil, { deadline = 0 / 0 })
    assert.are.equal("deadline must be a number of seconds, above 0 and below 1000000, got NaN", nan.message)
    assert.are.equal(0, #emulator.requests())
  end)
end)

describe("clock values", function()
  before_each(function() emulator.reset() end)

  it("a server Date before 1970 or in the year 3000 teaches nothing; later calls still sign", function()
    for _, date in ipairs({ "Wed, 31 Dec 1969 23:59:59 GMT", "Wed, 01 Jan 3000 00:00:00 GMT",
                            "Sun, 99 Nov 2026 14:41:15 GMT" }) do
      local c = aliyun{ retry = false }
      emulator.fault{ kind = "error", status = 400, api = "rpc", code = "InvalidTimeStamp.Expired",
                      headers = { Date = date } }
      local _, err = c:call("DescribeRegions")
      assert.are.equal("InvalidTimeStamp.Expired", err.code)
      assert.are.equal(1, err.attempts) -- no re-sign with a believed offset
      assert.are.equal(0, c.clock_offset)
      assert(c:call("DescribeRegions"))
      assert(c:prepare("DescribeRegions"))
    end
  end)

  it("a clock returning NaN, a huge or negative number or no number is a config error, never a raise", function()
    for bad, shown in pairs({ [1e300] = "1e+300", [-5] = "-5", [math.huge] = "inf", soon = '"soon"' }) do
      local clock = function() return bad end
      local ecs, hw = aliyun{ clock = clock }, vpcep{ clock = clock }
      local expect = "the client's clock must return seconds since the epoch (1970 to 9999), it returned " .. shown
      for _, r in ipairs({ { ecs:call("DescribeRegions") }, { ecs:prepare("DescribeRegions") },
                           { hw:get(SERVICES) }, { hw:prepare("GET", SERVICES) } }) do
        assert.is_nil(r[1])
        assert.are.equal("config", r[2].kind)
        assert.are.equal(expect, r[2].message)
      end
    end
    local _, nerr = aliyun{ clock = function() return 0 / 0 end }:call("DescribeRegions")
    assert.are.equal("the client's clock must return seconds since the epoch (1970 to 9999), it returned NaN",
                     nerr.message)
    local _, err = aliyun():prepare("DescribeRegions", nil, { timestamp = 0 / 0 })
    assert.are.equal("timestamp must be seconds from 1970 to 9999, got NaN", err.message)
    assert.are.equal(0, #emulator.requests())
  end)

  it("the ROA client too, under both signatures: a bad clock or date is a config error, never a raise", function()
    local FORMS = { acs = 'an RFC 7231 date such as "Wed, 01 May 2024 12:00:00 GMT"',
                    ["ACS3-HMAC-SHA256"] = 'an ISO 8601 UTC time such as "2024-05-01T12:00:00Z"' }
    for signature, form in pairs(FORMS) do
      local function cs(opts)
        opts.product, opts.region, opts.endpoint, opts.credentials = "cs", "cn-hangzhou", emulator.url, KEYS.test
        opts.signature = signature
        return cloudapi.aliyun.roa(opts)
      end
      local O = { action = "DescribeClusters" }
      for bad, shown in pairs({ [1e300] = "1e+300", [-5] = "-5", [math.huge] = "inf", soon = '"soon"' }) do
        local c = cs{ clock = function() return bad end }
        for _, r in ipairs({ { c:get("/clusters", O) }, { c:prepare("GET", "/clusters", O) } }) do
          assert.is_nil(r[1])
          assert.are.equal("config", r[2].kind)
          assert.are.equal("the client's clock must return seconds since the epoch (1970 to 9999), it returned " ..
                           shown, r[2].message)
        end
      end
      local c = cs{}
      for _, case in ipairs({
        { -1e20, "date must be seconds from 1970 to 9999, got -1e+20" },
        { 0 / 0, "date must be seconds from 1970 to 9999, got NaN" },
        { "garbage", "date must be seconds since the epoch or " .. form .. ', got "garbage"' },
        { true, "date must be seconds since the epoch or the date string to send, got a boolean" },
      }) do
        local date, want = case[1], case[2]
        local req, err = c:prepare("GET", "/clusters", O, { date = date })
        assert.is_nil(req)
        assert.are.equal(want, err.message)
      end
    end
    assert.are.equal(0, #emulator.requests())
  end)
end)
