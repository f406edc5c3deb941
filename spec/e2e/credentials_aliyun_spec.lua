-- The Alibaba credential providers against the emulator's STS, instance
-- metadata and credentials URI: what each returns, its faults, the
-- temporary keys' expiry, and refresh timing with a fake clock.
local cloudapi = require "cloudapi"
local core = require "cloudapi.core"
local emulator = require "support.emulator"
local fixtures = require "support.fixtures"
local subprocess = require "support.subprocess"

local creds = cloudapi.credentials.aliyun

-- Who the emulator's STS says signed a call made with provider p.
local function caller(p, on_event)
  local sts = cloudapi.aliyun.new{ product = "sts", version = "2015-04-01", endpoint = emulator.url,
                                   credentials = p, on_event = on_event }
  local res, err = sts:call("GetCallerIdentity")
  if not res then return nil, err end
  return res.Arn
end

local function recorder()
  local events = {}
  return events, function(ev) events[#events + 1] = ev end
end

local function warnings(events)
  local out = {}
  for _, ev in ipairs(events) do if ev.warning then out[#out + 1] = ev.warning end end
  return out
end

before_each(function() emulator.reset() end)
after_each(function() fixtures.cleanup() end)

describe("aliyun.static", function()
  it("signs with the keys it was given", function()
    assert.are.equal("acs:ram::" .. emulator.ACCOUNT .. ":root", caller(creds.static(emulator.KEYS.test)))
  end)

  it("refuses keys that are not strings, naming the field", function()
    local ok, err = pcall(creds.static, { access_key_id = "x", access_key_secret = 5 })
    assert.is_false(ok)
    assert.is_truthy(err:find("cloudapi.credentials.aliyun.static: access_key_secret must be a non-empty string",
                              1, true))
  end)

  it("shared by two clients, each holds its secrets (errors of both are scrubbed)", function()
    local p = creds.static{ access_key_id = "testid", access_key_secret = "not-the-secret" }
    for _ = 1, 2 do
      local _, err = cloudapi.aliyun.new{ product = "ecs", endpoint = emulator.url, credentials = p,
                                          retry = false }:call("DescribeRegions")
      assert.are.equal("SignatureDoesNotMatch", err.code)
      assert.is_falsy(tostring(err):find("not-the-secret", 1, true))
    end
  end)
end)

describe("aliyun.env", function()
  it("reads ALIBABA_CLOUD_ACCESS_KEY_ID, _SECRET and _SECURITY_TOKEN", function()
    local out = subprocess.run({ ALIBABA_CLOUD_ACCESS_KEY_ID = "sts-ak", ALIBABA_CLOUD_ACCESS_KEY_SECRET = "sts-secret",
                                 ALIBABA_CLOUD_SECURITY_TOKEN = "sts-token" }, [[
      local cloudapi = require "cloudapi"
      local c = cloudapi.aliyun.new{ product = "ecs", endpoint = os.getenv("CLOUDAPI_EMULATOR_URL"),
                                     credentials = cloudapi.credentials.aliyun.env }
      local res, err = c:call("DescribeRegions")
      io.write(res and #res.Regions.Region or tostring(err))]])
    assert.are.equal("13", out)
  end)

  it("says which variable is missing", function()
    local out = subprocess.run({ ALIBABA_CLOUD_ACCESS_KEY_ID = "testid" }, [[
      local p = require("cloudapi").credentials.aliyun.env
      local _, err = p:get()
      io.write(err.kind, "|", err.message)]])
    assert.are.equal("credentials|ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set", out)
  end)
end)

describe("aliyun.ecs_ram_role", function()
  it("is off at the instance's address while ALIBABA_CLOUD_ECS_METADATA_DISABLED=true, as in the official " ..
     "libraries: no request", function()
    assert.are.equal("true", os.getenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED")) -- spec/run sets it
    local _, err = creds.ecs_ram_role{ role_name = "EcsDemoRole" }:get()
    assert.are.equal("credentials", err.kind)
    assert.are.equal("IMDS credentials is disabled (ALIBABA_CLOUD_ECS_METADATA_DISABLED=true)", err.message)
    local out = subprocess.run({ ALIBABA_CLOUD_ECS_METADATA_DISABLED = "True" }, [[
      local _, err = require("cloudapi").credentials.aliyun.ecs_ram_role{}:get()
      io.write(err.message)]])
    assert.are.equal("IMDS credentials is disabled (ALIBABA_CLOUD_ECS_METADATA_DISABLED=true)", out)
    -- an endpoint of the caller's is not the instance's service
    assert(creds.ecs_ram_role{ endpoint = emulator.url, role_name = "EcsDemoRole" }:get())
  end)

  it("asks for a metadata token, discovers the role, signs with its temporary key", function()
    local p = creds.ecs_ram_role{ endpoint = emulator.url }
    assert.are.equal("acs:ram::" .. emulator.ACCOUNT .. ":assumed-role/EcsDemoRole/i-emulator", caller(p))
    local s = emulator.stats()
    assert.are.same({ 1, 1, 1, 0 }, { s.imds_tokens, s.imds_role_listings, s.imds_credentials, s.imds_tokenless })
    local c = assert(p:get())
    assert.are.equal("STS.EMU", c.access_key_id:sub(1, 7))
    assert.are.equal("number", type(c.expiration))
  end)

  it("with role_name, does not list the roles", function()
    assert(caller(creds.ecs_ram_role{ endpoint = emulator.url, role_name = "EcsDemoRole" }))
    assert.are.equal(0, emulator.stats().imds_role_listings)
  end)

  it("falls back to token-less access when the token request fails", function()
    emulator.fault{ api = "imds_token", kind = "error", status = 404 }
    assert(caller(creds.ecs_ram_role{ endpoint = emulator.url, role_name = "EcsDemoRole" }))
    assert.are.equal(1, emulator.stats().imds_tokenless)
  end)

  it("never goes token-less when ALIBABA_CLOUD_IMDSV1_DISABLED=true", function()
    emulator.fault{ api = "imds_token", kind = "error", status = 404 }
    local out = subprocess.run({ ALIBABA_CLOUD_IMDSV1_DISABLED = "true" }, [[
      local p = require("cloudapi").credentials.aliyun.ecs_ram_role{ endpoint = os.getenv("CLOUDAPI_EMULATOR_URL") }
      local _, err = p:get()
      io.write(err.kind, "|", err.message)]])
    assert.are.equal("credentials|the ECS metadata token request answered HTTP 404 and " ..
                     "ALIBABA_CLOUD_IMDSV1_DISABLED=true forbids token-less access", out)
    assert.are.equal(0, emulator.stats().imds_tokenless)
  end)

  it("fails clearly when the metadata refuses token-less access", function()
    emulator.credentials{ imds_token_required = true }
    emulator.fault{ api = "imds_token", kind = "error", status = 503 }
    local _, err = creds.ecs_ram_role{ endpoint = emulator.url, role_name = "EcsDemoRole" }:get()
    assert.are.equal("the ECS metadata credentials of role EcsDemoRole answered HTTP 403", err.message)
  end)

  it("says when no role is attached", function()
    emulator.credentials{ imds_role = false }
    local _, err = creds.ecs_ram_role{ endpoint = emulator.url }:get()
    assert.are.equal("credentials", err.kind)
    assert.are.equal("the ECS metadata role listing answered HTTP 404 (is a RAM role attached to the instance?)",
                     err.message)
  end)

  local FAULTS = {
    { { kind = "error", status = 500 }, "the ECS metadata credentials of role EcsDemoRole answered HTTP 500" },
    { { kind = "malformed" }, "the ECS metadata credentials of role EcsDemoRole answered something that is " ..
                              "not a JSON object" },
    { { kind = "code" }, "the ECS metadata credentials of role EcsDemoRole answered Code Failure, not Success" },
  }
  for _, case in ipairs(FAULTS) do
    it("fails clearly on a metadata fault: " .. case[1].kind, function()
      case[1].api = "imds_credentials"
      emulator.fault(case[1])
      local _, err = creds.ecs_ram_role{ endpoint = emulator.url, role_name = "EcsDemoRole" }:get()
      assert.are.equal("credentials", err.kind)
      assert.are.equal(case[2], err.message)
    end)
  end

  it("gives up after its 1 s timeout", function()
    emulator.fault{ api = "imds_credentials", kind = "delay", seconds = 6 }
    local t0 = core.monotonic()
    local _, err = creds.ecs_ram_role{ endpoint = emulator.url, role_name = "EcsDemoRole" }:get()
    assert.is_true(core.monotonic() - t0 < 5, "the 1 s timeout did not apply")
    assert.are.equal("credentials", err.kind)
    assert.are.equal("timeout", err.cause_kind)
    assert.is_truthy(err.message:find("^the ECS metadata credentials of role EcsDemoRole failed: "))
  end)

  it("checks its options at construction", function()
    local ok, err = pcall(creds.ecs_ram_role, { endpoint = "ftp://x" })
    assert.is_false(ok)
    assert.is_truthy(err:find("cloudapi.credentials.aliyun.ecs_ram_role: endpoint scheme must be http or https",
                              1, true))
    ok, err = pcall(creds.ecs_ram_role, { role_name = "a/b" })
    assert.is_false(ok)
    assert.is_truthy(err:find("role_name must be a RAM role name", 1, true))
  end)
end)

describe("aliyun.assume_role", function()
  it("assumes the role with a plain source, signed through cloudapi's RPC client", function()
    local events, hook = recorder()
    local p = creds.assume_role{ source = emulator.KEYS.test, role_arn = emulator.ROLE, session_name = "tests",
                                 endpoint = emulator.url }
    assert.are.equal("acs:ram::" .. emulator.ACCOUNT .. ":assumed-role/demo-role/tests", caller(p, hook))
    local actions = {}
    for _, ev in ipairs(events) do if ev.type == "attempt" then actions[#actions + 1] = ev.action end end
    assert.are.same({ "AssumeRole", "GetCallerIdentity" }, actions) -- the STS client's events reach the caller
  end)

  it("names its session cloudapi-lua-<ms> by default", function()
    local arn = caller(creds.assume_role{ source = emulator.KEYS.test, role_arn = emulator.ROLE,
                                          endpoint = emulator.url })
    assert.is_truthy(arn:match("^acs:ram::%d+:assumed%-role/demo%-role/cloudapi%-lua%-%d+$"), arn)
  end)

  it("works over a source that is itself temporary, and over another assumed role", function()
    local ecs = creds.ecs_ram_role{ endpoint = emulator.url, role_name = "EcsDemoRole" }
    local first = creds.assume_role{ source = ecs, role_arn = emulator.ROLE, session_name = "over-ecs",
                                     endpoint = emulator.url }
    assert.are.equal("acs:ram::" .. emulator.ACCOUNT .. ":assumed-role/demo-role/over-ecs", caller(first))
    local second = creds.assume_role{ source = first, role_arn = "acs:ram::" .. emulator.ACCOUNT .. ":role/ci-role",
                                      session_name = "over-role", endpoint = emulator.url }
    assert.are.equal("acs:ram::" .. emulator.ACCOUNT .. ":assumed-role/ci-role/over-role", caller(second))
    assert.are.equal(2, emulator.stats().sts_assume_role)
  end)

  it("turns an STS refusal into a credentials error with STS's code", function()
    local p = creds.assume_role{ source = emulator.KEYS.test, role_arn = "acs:ram::" .. emulator.ACCOUNT ..
                                 ":role/nope", endpoint = emulator.url }
    local _, err = caller(p)
    assert.are.equal("credentials", err.kind)
    assert.are.equal("EntityNotExist.Role", err.code)
    assert.are.equal("STS AssumeRole for acs:ram::" .. emulator.ACCOUNT .. ":role/nope failed: The role not " ..
                     "exists: acs:ram::" .. emulator.ACCOUNT .. ":role/nope.", err.message)
    assert.is_false(err.retryable)
    assert.are.equal("service", err.cause_kind)
    local dead = creds.assume_role{ source = emulator.KEYS.test, role_arn = emulator.ROLE,
                                    endpoint = "http://127.0.0.1:9", retry = false }
    local _, nerr = caller(dead)
    assert.are.same({ "credentials", "network" }, { nerr.kind, nerr.cause_kind })
  end)

  it("reports a wrong source secret without showing it", function()
    local p = creds.assume_role{ source = { access_key_id = "testid", access_key_secret = "aliyun-wrong-secret-1" },
                                 role_arn = emulator.ROLE, endpoint = emulator.url }
    local _, err = p:get()
    assert.are.equal("SignatureDoesNotMatch", err.code)
    assert.is_falsy(tostring(err):find("aliyun-wrong-secret-1", 1, true))
  end)

  it("uses HTTPS STS endpoints unless told otherwise", function()
    local sts = require "cloudapi.aliyun.credentials.sts"
    assert.are.equal("https://sts.aliyuncs.com", sts.endpoint({}))
    assert.are.equal("https://sts.cn-shanghai.aliyuncs.com", sts.endpoint({ sts_region = "cn-shanghai" }))
    assert.are.equal("http://127.0.0.1:1", sts.endpoint({ endpoint = "http://127.0.0.1:1" }))
  end)

  it("checks its options at construction", function()
    local function raises(opts, msg)
      local ok, err = pcall(creds.assume_role, opts)
      assert.is_false(ok)
      assert.is_truthy(tostring(err):find(msg, 1, true), tostring(err))
    end
    raises({ source = emulator.KEYS.test, role_arn = "demo-role" }, "role_arn must look like acs:ram::")
    raises({ role_arn = emulator.ROLE }, "source must be a provider or a credential table")
    raises({ source = emulator.KEYS.test, role_arn = emulator.ROLE, duration = 60 },
           "duration must be a whole number of seconds from 900 to 43200")
  end)
end)

describe("aliyun.oidc", function()
  local function token_file(text)
    local dir = fixtures.dir()
    return fixtures.write(dir, "token", text or (emulator.OIDC_TOKEN .. "\n"))
  end

  it("exchanges the token file for a temporary key, unsigned", function()
    local p = creds.oidc{ role_arn = emulator.OIDC_ROLE, provider_arn = emulator.OIDC_PROVIDER,
                          token_file = token_file(), session_name = "pod", endpoint = emulator.url }
    assert.are.equal("acs:ram::" .. emulator.ACCOUNT .. ":assumed-role/oidc-role/pod", caller(p))
    assert.are.equal(1, emulator.stats().sts_assume_role_with_oidc)
  end)

  it("reads the token file again at each refresh", function()
    local path = token_file("an-old-token")
    local t = core.now()
    local p = creds.oidc{ role_arn = emulator.OIDC_ROLE, provider_arn = emulator.OIDC_PROVIDER,
                          token_file = path, endpoint = emulator.url, clock = function() return t end }
    local _, err = p:get()
    assert.are.equal("AuthenticationFail.OIDCToken.Invalid", err.code)
    assert.is_falsy(tostring(err):find("an-old-token", 1, true))
    fixtures.write(path:match("^(.*)/"), "token", emulator.OIDC_TOKEN)
    assert(p:get())
  end)

  it("takes what it is not given from the environment, at the first refresh", function()
    local path = token_file()
    local out = subprocess.run({ ALIBABA_CLOUD_ROLE_ARN = emulator.OIDC_ROLE,
                                 ALIBABA_CLOUD_OIDC_PROVIDER_ARN = emulator.OIDC_PROVIDER,
                                 ALIBABA_CLOUD_OIDC_TOKEN_FILE = path }, [[
      local p = require("cloudapi").credentials.aliyun.oidc{ endpoint = os.getenv("CLOUDAPI_EMULATOR_URL") }
      local c, err = p:get()
      io.write(c and c.access_key_id:sub(1, 7) or tostring(err))]])
    assert.are.equal("STS.EMU", out)
    local none = creds.oidc{ endpoint = emulator.url }
    local _, err = none:get()
    assert.are.equal("ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE are " ..
                     "not set", err.message)
  end)

  it("warns once when the token file is readable by others", function()
    local events, hook = recorder()
    local path = fixtures.write(fixtures.dir(), "token", emulator.OIDC_TOKEN, "644")
    local p = creds.oidc{ role_arn = emulator.OIDC_ROLE, provider_arn = emulator.OIDC_PROVIDER,
                          token_file = path, endpoint = emulator.url }
    assert(caller(p, hook))
    assert.are.same({ path .. " is readable by group or others (mode 0644): chmod 600 it" }, warnings(events))
  end)
end)

describe("aliyun.uri", function()
  it("signs with the key the credentials URI serves", function()
    local p = creds.uri{ url = emulator.url .. "/credentials" }
    assert.are.equal("acs:ram::" .. emulator.ACCOUNT .. ":assumed-role/demo-role/credentials-uri", caller(p))
  end)

  it("fails clearly on a Code other than Success, and on a 500", function()
    emulator.fault{ api = "uri", kind = "code" }
    local p = creds.uri{ url = emulator.url .. "/credentials?secret=not-in-errors" }
    local _, err = p:get()
    assert.are.equal("the credentials URI " .. emulator.url .. " answered Code Failure, not Success", err.message)
    emulator.fault{ api = "uri", kind = "error", status = 500 }
    _, err = p:get()
    assert.are.equal("the credentials URI " .. emulator.url .. " answered HTTP 500", err.message)
  end)

  it("never shows a user:password@ of ALIBABA_CLOUD_CREDENTIALS_URI", function()
    local out = subprocess.run({ ALIBABA_CLOUD_CREDENTIALS_URI = "http://user:PW-SECRET-9@127.0.0.1:1/c?t=x" }, [[
      local _, err = require("cloudapi").credentials.aliyun.uri{}:get()
      io.write(err.message)]])
    assert.is_truthy(out:find("^the credentials URI http://127%.0%.0%.1:1 failed: "), out)
    assert.is_nil(out:find("PW-SECRET-9", 1, true), out)
    assert.is_nil(out:find("user", 1, true), out)
  end)
end)

describe("what reaches STS and the metadata service", function()
  it("a policy and an external id reach AssumeRole (the emulator checks the policy's grammar)", function()
    local p = creds.assume_role{ source = emulator.KEYS.test, role_arn = emulator.ROLE, endpoint = emulator.url,
                                 policy = "not json", external_id = "ext-1", retry = false }
    local _, err = p:get()
    assert.are.equal("credentials", err.kind)
    assert.are.equal("InvalidParameter.PolicyGrammar", err.code)
    local good = creds.assume_role{ source = emulator.KEYS.test, role_arn = emulator.ROLE, endpoint = emulator.url,
                                    policy = '{"Version":"1","Statement":[]}', external_id = "ext-1" }
    assert(good:get())
  end)

  it("the STS endpoint of a region: sts_region, else ALIBABA_CLOUD_STS_REGION (with the VPC switch)", function()
    local sts = require "cloudapi.aliyun.credentials.sts"
    assert.are.equal("https://sts.cn-beijing.aliyuncs.com", sts.endpoint{ sts_region = "cn-beijing" })
    assert.are.equal("http://127.0.0.1:1", sts.endpoint{ sts_region = "cn-beijing", endpoint = "http://127.0.0.1:1" })
    local out = subprocess.run({ ALIBABA_CLOUD_STS_REGION = "eu-central-1",
                                 ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED = "true" },
      [[io.write(require("cloudapi.aliyun.credentials.sts").endpoint{})]])
    assert.are.equal("https://sts-vpc.eu-central-1.aliyuncs.com", out)
  end)

  it("the role named by ALIBABA_CLOUD_ECS_METADATA: no role listing", function()
    local out = subprocess.run({ ALIBABA_CLOUD_ECS_METADATA = "EcsDemoRole" }, [[
      local c = assert(require("cloudapi").credentials.aliyun.ecs_ram_role{
        endpoint = os.getenv("CLOUDAPI_EMULATOR_URL") }:get())
      io.write(c.access_key_id:sub(1, 7))]])
    assert.are.equal("STS.EMU", out)
    local s = emulator.stats()
    assert.are.same({ 1, 0, 1 }, { s.imds_tokens, s.imds_role_listings, s.imds_credentials })
  end)
end)

describe("what a temporary key shared by nginx workers is keyed by (source:shared_key)", function()
  local function key(p) return assert(p.source:shared_key({})) end

  it("assume_role: its options and the key that signs, hashed (never the secret itself)", function()
    local base = { source = emulator.KEYS.test, role_arn = emulator.ROLE, endpoint = emulator.url }
    local function with(extra)
      local o = {}
      for k, v in pairs(base) do o[k] = v end
      for k, v in pairs(extra) do o[k] = v end
      return key(creds.assume_role(o))
    end
    local plain = with{}
    assert.are.equal(plain, with{})
    assert.is_nil(plain:find(emulator.KEYS.test.access_key_secret, 1, true))
    for _, extra in ipairs({ { policy = '{"Version":"1"}' }, { external_id = "e" }, { duration = 900 },
                             { session_name = "s" }, { sts_region = "cn-beijing" },
                             { source = { access_key_id = "testid", access_key_secret = "other-secret" } } }) do
      assert.are_not.equal(plain, with(extra))
    end
  end)

  it("oidc: the role, provider and token file it would read, from the options or the environment", function()
    local o = { role_arn = emulator.OIDC_ROLE, provider_arn = emulator.OIDC_PROVIDER, token_file = "/t" }
    local k = key(creds.oidc(o))
    assert.are.equal(k, key(creds.oidc{ role_arn = o.role_arn, provider_arn = o.provider_arn, token_file = "/t" }))
    assert.are_not.equal(k, key(creds.oidc{ role_arn = o.role_arn, provider_arn = o.provider_arn,
                                            token_file = "/other" }))
    local out = subprocess.run({ ALIBABA_CLOUD_ROLE_ARN = o.role_arn, ALIBABA_CLOUD_OIDC_PROVIDER_ARN = o.provider_arn,
                                 ALIBABA_CLOUD_OIDC_TOKEN_FILE = "/t" }, [[
      io.write(assert(require("cloudapi").credentials.aliyun.oidc{}.source:shared_key({})))]])
    assert.are.equal(k, out) -- the same role named in the environment shares the key
  end)
end)

describe("a credential fetch within a call", function()
  local function ecs(p)
    return cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", endpoint = emulator.url, credentials = p }
  end

  it("ends by the call's deadline: a credentials URI that trickles forever", function()
    local p = creds.uri{ url = emulator.url .. "/__hostile/trickle?interval=0.2&bytes=0" }
    local t0 = core.monotonic()
    local res, err = ecs(p):call("DescribeRegions", nil, { deadline = 2 })
    local took = core.monotonic() - t0
    assert.is_nil(res)
    assert.are.same({ "credentials", "timeout" }, { err.kind, err.cause_kind })
    assert.is_true(took < 10, "took " .. took .. " s for a 2 s deadline") -- 5x: a loaded machine
    assert.is_true(took > 1.5, "gave up after " .. took .. " s")
  end)

  it("ends by the call's deadline: an STS that answers late", function()
    emulator.fault{ api = "rpc", kind = "delay", seconds = 10, count = 3 }
    local p = creds.assume_role{ source = emulator.KEYS.test, role_arn = emulator.ROLE, endpoint = emulator.url }
    local t0 = core.monotonic()
    local res, err = ecs(p):call("DescribeRegions", nil, { deadline = 1.5 })
    local took = core.monotonic() - t0
    assert.is_nil(res)
    assert.are.same({ "credentials", "timeout" }, { err.kind, err.cause_kind })
    assert.is_truthy(err.message:find("^STS AssumeRole for " .. emulator.ROLE:gsub("%p", "%%%0") .. " failed"),
                     err.message)
    assert.is_true(took < 7.5, "took " .. took .. " s for a 1.5 s deadline")
  end)
end)

describe("temporary keys", function()
  it("are refused by the emulator once expired: InvalidSecurityToken.Expired", function()
    emulator.credentials{ lifetime = 1 }
    local c = assert(creds.assume_role{ source = emulator.KEYS.test, role_arn = emulator.ROLE,
                                        endpoint = emulator.url }:get())
    local deadline = core.monotonic() + 30
    while core.now() < c.expiration + 0.2 and core.monotonic() < deadline do core.sleep(0.05) end
    local fixed = cloudapi.aliyun.new{ product = "ecs", endpoint = emulator.url, retry = false, credentials = {
      access_key_id = c.access_key_id, access_key_secret = c.access_key_secret, security_token = c.security_token } }
    local _, err = fixed:call("DescribeRegions")
    assert.are.equal("InvalidSecurityToken.Expired", err.code)
  end)
end)

describe("refresh timing (fake clock)", function()
  -- A role assumed under a clock the test moves; STS lifetimes from the emulator.
  local function assumed(lifetime)
    emulator.credentials{ lifetime = lifetime }
    local now = core.now()
    local p = creds.assume_role{ source = emulator.KEYS.test, role_arn = emulator.ROLE, endpoint = emulator.url,
                                 retry = false, clock = function() return now end }
    local first = assert(p:get())
    return p, first, function(t) now = t end
  end

  local CASES = { { 60, 12, "a 60 s key at 48 s" }, { 3600, 720, "a 1 h key at 48 min" },
                  { 7200, 900, "a 2 h key 15 min before expiry" } }
  for _, case in ipairs(CASES) do
    it("refreshes " .. case[3], function()
      local p, first, set = assumed(case[1])
      set(first.expiration - case[2] - 0.5)
      assert.are.equal(first, p:get())
      assert.are.equal(1, emulator.stats().sts_assume_role)
      set(first.expiration - case[2] + 0.5)
      local second = assert(p:get())
      assert.are_not.equal(first.access_key_id, second.access_key_id)
      assert.are.equal(2, emulator.stats().sts_assume_role)
    end)
  end

  it("keeps serving a still valid key when a refresh fails, and says so", function()
    local p, first, set = assumed(60)
    local events, hook = recorder()
    local c = cloudapi.aliyun.new{ product = "ecs", endpoint = emulator.url, credentials = p, on_event = hook,
                                   retry = false }
    assert(c:call("DescribeRegions"))
    emulator.fault{ api = "rpc", kind = "error", status = 403, code = "NoPermission", message = "denied" }
    set(first.expiration - 10)
    assert(c:call("DescribeRegions")) -- with the old key
    local stale
    for _, ev in ipairs(events) do if ev.stale then stale = ev end end
    assert.are.equal("credentials", stale.type)
    assert.are.equal("aliyun ecs", stale.client)
    assert.are.equal("NoPermission", stale.error.code)
    assert.are.equal(10, stale.expires_in)
    -- not asked again at once, but a few seconds later
    set(first.expiration - 9)
    assert.are.equal(first, p:get())
    assert.are.equal(1, emulator.stats().sts_assume_role)
    set(first.expiration - 4)
    assert.are_not.equal(first.access_key_id, assert(p:get()).access_key_id)
    assert.are.equal(2, emulator.stats().sts_assume_role)
  end)

  it("fails once the old key has expired too", function()
    local p, first, set = assumed(60)
    emulator.fault{ api = "rpc", kind = "error", status = 403, code = "NoPermission", message = "denied" }
    set(first.expiration + 1)
    local _, err = p:get()
    assert.are.equal("NoPermission", err.code)
  end)
end)
