-- Retries, idempotency, timeouts, deadlines and clock skew, proven against
-- the emulator's fault injection and its request log.
local cloudapi = require "cloudapi"
local core = require "cloudapi.core"
local emulator = require "support.emulator"

local KEYS = emulator.KEYS
local PID = emulator.PROJECTS["cn-north-4"]
local FAST = { base_delay = 0.01, max_delay = 0.05 }

local function aliyun(product, opts)
  opts = opts or {}
  opts.product = product
  opts.endpoint = opts.endpoint or emulator.url
  opts.credentials = opts.credentials or KEYS.test
  opts.region = opts.region or "cn-hangzhou"
  if opts.retry == nil then opts.retry = FAST end
  return cloudapi.aliyun.new(opts)
end

local function vpcep(opts)
  opts = opts or {}
  opts.service, opts.region, opts.endpoint = "vpcep", "cn-north-4", opts.endpoint or emulator.url
  opts.project_id = PID
  opts.credentials = opts.credentials or KEYS.hw
  if opts.retry == nil then opts.retry = FAST end
  return cloudapi.huaweicloud.new(opts)
end

local function distinct(list, field)
  local seen, n = {}, 0
  for _, r in ipairs(list) do
    if r[field] ~= nil and not seen[r[field]] then seen[r[field]] = true; n = n + 1 end
  end
  return n
end

local SERVICES = "/v1/{project_id}/vpc-endpoint-services"

describe("retries", function()
  before_each(function() emulator.reset() end)

  it("a throttled call that succeeds on the third attempt returns the result", function()
    emulator.fault{ kind = "throttle", count = 2 }
    local res, err, info = aliyun("ecs"):call("DescribeRegions")
    assert.is_nil(err)
    assert.are.equal(13, #res.Regions.Region)
    assert.are.equal(3, info.attempts)
    assert.are.equal(2, #info.errors)
    assert.are.equal("Throttling", info.errors[1].code)
    local log = emulator.requests{ action = "DescribeRegions" }
    assert.are.equal(3, #log)
    assert.are.equal(3, distinct(log, "nonce")) -- signed anew every attempt
    assert.are.same({ "throttle", "throttle" }, { log[1].fault, log[2].fault })
    assert.are.equal(200, log[3].status)
  end)

  it("retries 5xx up to 3 times after the first attempt, then reports the count and the cause", function()
    emulator.fault{ kind = "error", status = 503, code = "ServiceUnavailable", count = 4 }
    local res, err = aliyun("ecs"):call("DescribeRegions")
    assert.is_nil(res)
    assert.are.equal("ServiceUnavailable", err.code)
    assert.are.equal(503, err.status)
    assert.are.equal(4, err.attempts)
    assert.is_truthy(tostring(err):find("after 4 attempts$"))
    assert.are.equal(4, #emulator.requests{ action = "DescribeRegions" })
    assert.are.equal(4, distinct(emulator.requests(), "nonce"))
  end)

  it("retries an InternalError 500, a 4xx saying 'Try it later', resets and truncated bodies", function()
    emulator.fault{ kind = "error", status = 500, code = "InternalError" }
    emulator.fault{ kind = "error", status = 400, code = "OperationConflict",
                    message = "The operation conflicts with another one. Try it later." }
    emulator.fault{ kind = "truncate" } -- the server closes the connection after it
    emulator.fault{ kind = "reset" }    -- so this one meets a fresh connection
    local _, err = aliyun("ecs", { retry = { attempts = 3, base_delay = 0.01 } }):call("DescribeRegions")
    assert.are.equal("network", err.kind) -- the fourth attempt was reset
    assert.are.equal(4, #emulator.requests())
    assert.are.equal(4, err.attempts)
    assert.are.same({ "InternalError", "OperationConflict" }, { err.earlier[1].code, err.earlier[2].code })
    local res, err2, info = aliyun("ecs"):call("DescribeRegions")
    assert.is_nil(err2)
    assert.are.equal(1, info.attempts)
    assert.are.equal(13, #res.Regions.Region)
  end)

  it("never retries other 4xx: exactly one attempt", function()
    local c = aliyun("ecs")
    local _, e1 = c:call("DescribeNothing")
    assert.are.equal("InvalidAction.NotFound", e1.code)
    assert.are.equal(1, e1.attempts)
    local _, e2 = aliyun("ecs", { credentials = { access_key_id = "testid", access_key_secret = "wrong" } })
      :call("DescribeRegions")
    assert.are.equal("SignatureDoesNotMatch", e2.code)
    local _, e3 = c:call("DescribeInstances", { PageSize = 1000 })
    assert.are.equal("InvalidParameter", e3.code)
    assert.are.equal(3, #emulator.requests())
  end)

  it("honours x-acs-retry-after (milliseconds)", function()
    emulator.fault{ kind = "throttle", retry_after_ms = 400 }
    local t0 = core.monotonic()
    local _, err, info = aliyun("ecs", { retry = { base_delay = 0.01, max_delay = 5 } }):call("DescribeRegions")
    assert.is_nil(err)
    assert.are.equal(2, info.attempts)
    assert.is_true(core.monotonic() - t0 >= 0.4)
  end)

  it("can be turned off per client and per call", function()
    emulator.fault{ kind = "throttle", count = 2 }
    local _, e1 = aliyun("ecs", { retry = false }):call("DescribeRegions")
    assert.are.equal(1, e1.attempts)
    local _, e2 = aliyun("ecs"):call("DescribeRegions", nil, { retry = false })
    assert.are.equal(1, e2.attempts)
    assert.are.equal(2, #emulator.requests())
  end)

  it("a deadline shorter than the backoff stops early with a timeout error", function()
    emulator.fault{ kind = "throttle", count = 5, retry_after_ms = 3000 }
    local t0 = core.monotonic()
    local res, err = aliyun("ecs", { retry = { base_delay = 0.01, max_delay = 5 } })
      :call("DescribeRegions", nil, { deadline = 0.5 })
    assert.is_nil(res)
    assert.are.equal("timeout", err.kind)
    assert.are.equal(1, err.attempts)
    assert.are.equal("Throttling", err.cause.code)
    assert.is_truthy(err.message:find("^deadline of 0.5s reached after 1 attempt; last error: "))
    assert.is_true(core.monotonic() - t0 < 0.5 * 5)
  end)

  it("a deadline also bounds an attempt that hangs", function()
    emulator.fault{ kind = "delay", seconds = 3 }
    local t0 = core.monotonic()
    local _, err = aliyun("ecs"):call("DescribeRegions", nil, { deadline = 0.4 })
    assert.are.equal("timeout", err.kind)
    assert.is_true(core.monotonic() - t0 < 0.4 * 5)
  end)

  it("Huawei: 429 APIGW.0308 is retried, Retry-After honoured", function()
    emulator.fault{ kind = "throttle", api = "huawei", count = 2 }
    local res, err, info = vpcep():get(SERVICES, { query = { limit = 1 } })
    assert.is_nil(err)
    assert.are.equal(1, #res.endpoint_services)
    assert.are.equal(3, info.attempts)
    assert.are.equal("APIGW.0308", info.errors[1].code)
    assert.are.equal(429, info.errors[1].status)
    emulator.fault{ kind = "throttle", api = "huawei", retry_after = 1 }
    local t0 = core.monotonic()
    assert(vpcep{ retry = { base_delay = 0.01, max_delay = 5 } }:get(SERVICES))
    assert.is_true(core.monotonic() - t0 >= 1)
  end)
end)

describe("idempotency", function()
  before_each(function() emulator.reset() end)

  it("act then stall: AllocateEipAddress retried after a read timeout leaves exactly one EIP", function()
    emulator.fault{ kind = "stall", seconds = 1.5 }
    local vpc = aliyun("vpc", { timeout = { connect = 2, read = 0.5 } })
    local res, err, info = vpc:call("AllocateEipAddress", { Bandwidth = 5 })
    assert.is_nil(err)
    assert.are.equal(2, info.attempts)
    assert.are.equal("timeout", info.errors[1].kind)
    local log = emulator.requests{ action = "AllocateEipAddress" }
    assert.are.equal(2, #log)
    assert.is_truthy(log[1].client_token:match("^%x+$"))
    assert.are.equal(log[1].client_token, log[2].client_token) -- one token per logical call
    assert.are.equal(2, distinct(log, "nonce"))
    assert.are.equal(1, emulator.stats().eips)
    local list = assert(vpc:call("DescribeEipAddresses", {}))
    assert.are.equal(1, list.TotalCount)
    assert.are.equal(res.AllocationId, list.EipAddresses.EipAddress[1].AllocationId)
  end)

  it("each logical create gets its own token", function()
    local vpc = aliyun("vpc")
    local a = assert(vpc:call("AllocateEipAddress", {}))
    local b = assert(vpc:call("AllocateEipAddress", {}))
    assert.are_not.equal(a.AllocationId, b.AllocationId)
    local log = emulator.requests{ action = "AllocateEipAddress" }
    assert.are_not.equal(log[1].client_token, log[2].client_token)
  end)

  it("keeps the caller's ClientToken and retries with it", function()
    emulator.fault{ kind = "error", status = 500, code = "InternalError" }
    local vpc = aliyun("vpc")
    local params = { ClientToken = "caller-token-1" }
    assert(vpc:call("AllocateEipAddress", params))
    assert.are.same({ ClientToken = "caller-token-1" }, params) -- not modified
    local log = emulator.requests{ action = "AllocateEipAddress" }
    assert.are.same({ "caller-token-1", "caller-token-1" }, { log[1].client_token, log[2].client_token })
  end)

  it("adds tokens for the client's extra actions and for Run/Purchase/Create", function()
    local ecs = aliyun("ecs", { token_actions = { "StartInstance" } })
    local stopped = assert(ecs:call("DescribeInstances", { Status = "Stopped", PageSize = 1 })).Instances.Instance[1]
    assert(ecs:call("StartInstance", { InstanceId = stopped.InstanceId }))
    assert(ecs:call("CreateSnapshot", { DiskId = "d-1" }))
    assert.is_truthy(emulator.requests{ action = "StartInstance" }[1].client_token)
    assert.is_truthy(emulator.requests{ action = "CreateSnapshot" }[1].client_token)
    assert.is_nil(emulator.requests{ action = "DescribeInstances" }[1].client_token)
  end)

  it("a create without a token is not retried after a read timeout", function()
    emulator.fault{ kind = "stall", seconds = 1 }
    local vpc = aliyun("vpc", { timeout = { connect = 2, read = 0.3 }, client_token = false })
    local _, err = vpc:call("AllocateEipAddress", {})
    assert.are.equal("timeout", err.kind)
    assert.are.equal(1, err.attempts)
    assert.is_nil(emulator.requests{ action = "AllocateEipAddress" }[1].client_token)
    -- until the stalled answer has gone out (a generous deadline)
    local deadline = core.monotonic() + 30
    while not emulator.requests{ action = "AllocateEipAddress" }[1].done and core.monotonic() < deadline do
      core.sleep(0.05)
    end
    assert.is_true(emulator.requests{ action = "AllocateEipAddress" }[1].done)
    assert.are.equal(1, emulator.stats().eips)
  end)

  it("a create without a token is retried when the connection was refused", function()
    local vpc = aliyun("vpc", { endpoint = "http://127.0.0.1:9", client_token = false })
    local _, err = vpc:call("AllocateEipAddress", {})
    assert.are.equal("network", err.kind)
    assert.is_false(err.maybe_sent)
    assert.are.equal(4, err.attempts)
  end)

  it("keeps connections alive, but sends a request that must not be resent on a fresh one", function()
    local c = vpcep()
    for _ = 1, 3 do assert(c:get(SERVICES, { query = { limit = 1 } })) end
    assert(c:post(SERVICES, { body = { vpc_id = "v", port_id = "p", server_type = "VM",
                                       ports = { { client_port = 1, server_port = 1, protocol = "TCP" } } } }))
    assert(c:get(SERVICES, { query = { limit = 1 } }))
    local log = emulator.requests{ api = "huawei" }
    assert.are.equal(5, #log)
    assert.are.equal(log[1].connection, log[3].connection) -- keep-alive reuse
    assert.are_not.equal(log[3].connection, log[4].connection) -- the POST: fresh
  end)

  it("rejects a malformed ClientToken", function()
    local _, err = aliyun("vpc"):call("AllocateEipAddress", { ClientToken = string.rep("x", 65) })
    assert.are.equal("config", err.kind)
    assert.are.equal("parameter 'ClientToken' must be 1 to 64 printable ASCII characters", err.message)
  end)

  it("Huawei: a POST is retried only when it never reached the server", function()
    emulator.fault{ kind = "reset", api = "huawei" }
    local body = { vpc_id = "v", port_id = "p", server_type = "VM",
                   ports = { { client_port = 1, server_port = 1, protocol = "TCP" } } }
    local _, err = vpcep():post(SERVICES, { body = body })
    assert.are.equal("network", err.kind)
    assert.are.equal(1, err.attempts)
    local _, refused = vpcep{ endpoint = "http://127.0.0.1:9" }:post(SERVICES, { body = body })
    assert.are.equal(4, refused.attempts)
    emulator.fault{ kind = "reset", api = "huawei" }
    local res, err2, info = vpcep():post(SERVICES, { body = body, idempotent = true })
    assert.is_nil(err2)
    assert.are.equal("creating", res.status)
    assert.are.equal(2, info.attempts)
    emulator.fault{ kind = "reset", api = "huawei" }
    local _, err3, info3 = vpcep():get(SERVICES)
    assert.is_nil(err3)
    assert.are.equal(2, info3.attempts)
  end)
end)

describe("timeouts", function()
  before_each(function() emulator.reset() end)

  it("default read timeout exceeds the 30 s SLA; connect and read are separate", function()
    local c = aliyun("ecs")
    assert.is_true(c.timeout.read > 30)
    assert.are.equal(10, c.timeout.connect)
    assert.is_true(vpcep().timeout.read > 30)
  end)

  it("is overridable per call and is an error of kind timeout", function()
    emulator.fault{ kind = "delay", seconds = 1 }
    local t0 = core.monotonic()
    local _, err = aliyun("ecs", { retry = false }):call("DescribeRegions", nil, { timeout = { read = 0.2 } })
    assert.are.equal("timeout", err.kind)
    assert.is_true(core.monotonic() - t0 < 0.9)
    local _, bad = aliyun("ecs"):call("DescribeRegions", nil, { timeout = { read = -1 } })
    assert.are.equal("timeout.read must be a positive number of seconds (less than 1e6), got -1", bad.message)
  end)
end)

describe("clock skew", function()
  before_each(function() emulator.reset() end)

  local function shifted() return core.now() + 3600 end

  it("Alibaba: a client clock an hour off still succeeds after one re-sign, and remembers", function()
    local ecs = aliyun("ecs", { clock = shifted, retry = false })
    local res, err, info = ecs:call("DescribeRegions")
    assert.is_nil(err)
    assert.are.equal(13, #res.Regions.Region)
    assert.are.equal(2, info.attempts)
    assert.are.equal("InvalidTimeStamp.Expired", info.errors[1].code)
    assert.is_true(math.abs(ecs.clock_offset + 3600) < 3)
    local _, _, info2 = ecs:call("DescribeRegions")
    assert.are.equal(1, info2.attempts)
  end)

  it("Huawei: an X-Sdk-Date an hour off still succeeds after one re-sign, and remembers", function()
    local c = vpcep{ clock = shifted, retry = false }
    local _, err, info = c:get(SERVICES)
    assert.is_nil(err)
    assert.are.equal(2, info.attempts)
    assert.are.equal("APIGW.0303", info.errors[1].code)
    local _, _, info2 = c:get(SERVICES)
    assert.are.equal(1, info2.attempts)
  end)
end)

describe("bad input", function()
  before_each(function() emulator.reset() end)

  it("a 1 MB parameter: a clear error over GET, signed correctly over POST", function()
    local big = string.rep("a", 1024 * 1024)
    local _, err = aliyun("ecs"):call("DescribeRegions", { AcceptLanguage = big })
    assert.are.equal("config", err.kind)
    assert.is_truthy(err.message:find("^the request URL would be %d+ bytes %(over 32768%): " ..
                                      "create the client with method = \"POST\""))
    local res = assert(aliyun("ecs", { method = "POST" }):call("DescribeRegions", { AcceptLanguage = big }))
    assert.are.equal(13, #res.Regions.Region)
    local _, herr = vpcep():get(SERVICES, { query = { q = big } })
    assert.is_truthy(herr.message:find("^the request URL would be"))
    local _, perr = vpcep():post(SERVICES, { body = { vpc_id = big } })
    assert.are.equal("EndPoint.0002", perr.code) -- sent, signed right, refused for its content
  end)

  it("invalid UTF-8 in a Huawei query and body is sent as bytes and signed correctly", function()
    local res = assert(vpcep():get(SERVICES, { query = { limit = 1, note = "\255\254\128" } }))
    assert.are.equal(1, #res.endpoint_services)
  end)

  it("CR/LF and NUL never reach the wire", function()
    local _, e1 = vpcep():get(SERVICES, { headers = { ["X-A"] = "v\r\nX-Injected: 1" } })
    local _, e2 = vpcep():get(SERVICES, { query = { a = "x\0y" } })
    local _, e3 = aliyun("ecs"):call("DescribeRegions", { A = "x\0y" })
    local _, e4 = vpcep():get(SERVICES, { headers = { ["X-A\r\nX-Injected"] = "1" } })
    assert.are.equal('header name "X-A\\13\\10X-Injected" is not a valid HTTP token', e4.message)
    assert.are.equal("header 'X-A' contains CR, LF or NUL", e1.message)
    assert.are.equal("query parameter 'a' contains a NUL byte", e2.message)
    assert.are.equal("parameter 'A' contains a NUL byte", e3.message)
    assert.are.equal(0, #emulator.requests())
  end)

  it("nil and empty actions and paths, cycles, NaN and infinities in bodies", function()
    local t = {}
    t.t = t
    local cases = {
      { aliyun("ecs"):call(nil) }, { aliyun("ecs"):call("") },
      { vpcep():get(nil) }, { vpcep():get("") },
      { vpcep():post(SERVICES, { body = t }) },
      { vpcep():post(SERVICES, { body = { n = 0 / 0 } }) },
      { vpcep():post(SERVICES, { body = { n = -math.huge } }) },
      { vpcep():get(SERVICES, { query = { [1] = "x" } }) },
    }
    local messages = {}
    for i, c in ipairs(cases) do
      assert.is_nil(c[1])
      assert.are.equal("config", c[2].kind)
      messages[i] = c[2].message
    end
    assert.are.same({
      "action must be a non-empty string, got a nil",
      "action must be a non-empty string, got an empty string",
      "path must be a string starting with '/', got a nil",
      "path must be a string starting with '/', got ''",
      "body.t: contains a cycle",
      "body.n: NaN is not a valid number",
      "body.n: infinity is not a valid number",
      "query parameter names must be non-empty strings",
    }, messages)
    assert.are.equal(0, #emulator.requests())
  end)
end)
