-- Huawei IAM tokens and project lookups: a token belongs to the password
-- that got it, and IAM requests share the call's retry policy and
-- deadline; concurrent first calls make one IAM request.
local cloudapi = require "cloudapi"
local core = require "cloudapi.core"
local emulator = require "support.emulator"

local KEYS = emulator.KEYS
local SERVICES = "/v1/{project_id}/vpc-endpoint-services"
local FAST = { base_delay = 0.01, max_delay = 0.05 }
local TOKEN_OP = "KeystoneCreateUserTokenByPassword"
-- Tokens stay cached in the process (the emulator forgets them on reset):
-- each test asks for its own scope, a region or a project id.
local P = { cn = emulator.PROJECTS["cn-north-4"], ap = emulator.PROJECTS["ap-southeast-1"],
            eu = "2c3d4e5f60718293a4b5c6d7e8f90a1b" }

local function user(password, opts)
  opts = opts or {}
  opts.service, opts.endpoint = "vpcep", emulator.url
  opts.region = opts.region or "cn-north-4"
  opts.credentials = { username = "demo-user", password = password, domain = "demo-domain" }
  if opts.retry == nil then opts.retry = FAST end
  return cloudapi.huaweicloud.new(opts)
end

local function aksk(region, opts)
  opts = opts or {}
  opts.service, opts.region, opts.endpoint, opts.credentials = "vpcep", region, emulator.url, KEYS.hw
  if opts.retry == nil then opts.retry = FAST end
  return cloudapi.huaweicloud.new(opts)
end

describe("IAM tokens", function()
  before_each(function() emulator.reset() end)

  it("a wrong password fails even when another client has the user's token cached", function()
    assert(user("demo-password"):get(SERVICES, { query = { limit = 1 } }))
    local res, err = user("wrong-pw-4417x"):get(SERVICES, { query = { limit = 1 } })
    assert.is_nil(res)
    assert.are.equal("credentials", err.kind)
    assert.are.equal(401, err.status)
    assert.are.equal("The username or password is wrong.", err.message)
    assert(user("demo-password"):get(SERVICES, { query = { limit = 1 } })) -- the cached token again
    assert.are.equal(1, emulator.stats().iam_tokens)
    assert.are.equal(2, #emulator.requests{ operation = TOKEN_OP })
  end)

  it("a throttled token request is retried under the call's policy", function()
    emulator.fault{ kind = "throttle", api = "huawei" } -- the token request comes first
    local res, err, info = user("demo-password", { region = "ap-southeast-1" }):get(SERVICES, { query = { limit = 1 } })
    assert.is_nil(err)
    assert.are.equal(1, #res.endpoint_services)
    assert.are.equal(1, info.attempts)
    local log = emulator.requests{ operation = TOKEN_OP }
    assert.are.same({ 429, 201 }, { log[1].status, log[2].status })
    -- and with retries off, the 429 is the call's answer
    emulator.fault{ kind = "throttle", api = "huawei" }
    local _, off = user("demo-password", { project_id = P.ap }):get(SERVICES, { retry = false })
    assert.are.equal("credentials", off.kind)
    assert.are.equal(429, off.status)
  end)

  it("a slow IAM counts against the call's deadline", function()
    emulator.fault{ kind = "delay", seconds = 3, api = "huawei" }
    local t0 = core.monotonic()
    local _, err = user("demo-password", { region = "eu-west-101" }):get(SERVICES, { deadline = 1 })
    local took = core.monotonic() - t0
    assert.are.equal("timeout", err.kind)
    assert.is_true(took < 1 * 5, "took " .. took .. " s")
    emulator.settled() -- the delayed token request would issue its token during a later test
    -- IAM answers in 0.6 s, the service in 0.6 s: 1.2 s in all, over a 1 s deadline
    emulator.reset()
    emulator.fault{ kind = "delay", seconds = 0.6, api = "huawei", count = 2 }
    local _, both = user("demo-password", { project_id = P.eu, region = "eu-west-101" })
      :get(SERVICES, { deadline = 1 })
    assert.are.equal("timeout", both.kind)
    emulator.settled() -- the delayed token request would issue its token during a later test
  end)
end)

describe("project lookups", function()
  before_each(function() emulator.reset() end)

  it("are retried when throttled", function()
    emulator.fault{ kind = "throttle", api = "huawei" }
    local res, err = aksk("ap-southeast-1"):get(SERVICES, { query = { limit = 1 } })
    assert.is_nil(err)
    assert.are.equal(1, #res.endpoint_services)
    assert.are.equal(1, emulator.stats().iam_project_lookups)
  end)

  it("64 concurrent first calls under cloudapi.all make one lookup, and one token request", function()
    local c = aksk("eu-west-101")
    local calls = {}
    for i = 1, 64 do calls[i] = { c, "get", SERVICES, { query = { limit = 1 } } } end
    local out = cloudapi.all(calls, { concurrency = 64 })
    for i = 1, 64 do assert.is_nil(out[i][2]) end
    assert.are.equal(1, emulator.stats().iam_project_lookups)

    local u = user("demo-password", { project_id = P.cn })
    for i = 1, 64 do calls[i] = { u, "get", SERVICES, { query = { limit = 1 } } } end
    out = cloudapi.all(calls, { concurrency = 64 })
    for i = 1, 64 do assert.is_nil(out[i][2]) end
    assert.are.equal(1, emulator.stats().iam_tokens)
  end)
end)
