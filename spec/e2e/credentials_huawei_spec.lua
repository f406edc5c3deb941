-- The Huawei providers: the ECS agency's temporary AK/SK from the metadata
-- securitykey (token mode, token-less fallback, faults, expiry at the
-- gateway), and the auth method inferred from what a provider returns.
local cloudapi = require "cloudapi"
local core = require "cloudapi.core"
local emulator = require "support.emulator"

local creds = cloudapi.credentials.huaweicloud
local SERVICES = "/v1/{project_id}/vpc-endpoint-services"

local function vpcep(provider, extra)
  local opts = { service = "vpcep", region = "cn-north-4", endpoint = emulator.url, credentials = provider,
                 retry = false }
  for k, v in pairs(extra or {}) do opts[k] = v end
  return cloudapi.huaweicloud.new(opts)
end

before_each(function() emulator.reset() end)

describe("huaweicloud.metadata", function()
  it("is off at the instance's address while HUAWEICLOUD_SDK_METADATA_DISABLED=true: no request", function()
    assert.are.equal("true", os.getenv("HUAWEICLOUD_SDK_METADATA_DISABLED")) -- spec/run sets it
    local _, err = creds.metadata{}:get()
    assert.are.equal("credentials", err.kind)
    assert.are.equal("the ECS metadata service is disabled (HUAWEICLOUD_SDK_METADATA_DISABLED=true)", err.message)
    assert(creds.metadata{ endpoint = emulator.url }:get()) -- an endpoint of the caller's stays on
  end)

  it("gets the agency's temporary AK/SK with a metadata token; the gateway takes them with their token", function()
    local c = vpcep(creds.metadata{ endpoint = emulator.url })
    local res, err = c:get(SERVICES, { query = { limit = 1 } })
    assert.is_nil(err)
    assert.are.equal(25, res.total_count)
    local s = emulator.stats()
    assert.are.same({ 1, 1 }, { s.metadata_tokens, s.metadata_securitykeys })
    local key = assert(creds.metadata{ endpoint = emulator.url }:get())
    assert.are.equal("HWTMP", key.ak:sub(1, 5))
    assert.are.equal("number", type(key.expiration))
  end)

  it("goes without a token when the token request answers 404", function()
    emulator.fault{ api = "metadata_token", kind = "error", status = 404 }
    assert(creds.metadata{ endpoint = emulator.url }:get())
  end)

  it("fails clearly on other token answers and on securitykey faults", function()
    emulator.fault{ api = "metadata_token", kind = "error", status = 500 }
    local _, err = creds.metadata{ endpoint = emulator.url }:get()
    assert.are.equal("the ECS metadata token request answered HTTP 500", err.message)
    emulator.fault{ api = "metadata_securitykey", kind = "malformed" }
    _, err = creds.metadata{ endpoint = emulator.url }:get()
    assert.are.equal("the ECS metadata securitykey answered something that is not a JSON object", err.message)
    emulator.fault{ api = "metadata_securitykey", kind = "code" }
    _, err = creds.metadata{ endpoint = emulator.url }:get()
    assert.are.equal("the ECS metadata securitykey answered without access", err.message)
    emulator.credentials{ imds_role = false }
    _, err = creds.metadata{ endpoint = emulator.url }:get()
    assert.are.equal("the ECS metadata securitykey answered HTTP 404 (is an agency attached to the instance?)",
                     err.message)
  end)

  it("its keys stop working at the gateway once expired", function()
    emulator.credentials{ lifetime = 1 }
    local key = assert(creds.metadata{ endpoint = emulator.url }:get())
    local deadline = core.monotonic() + 30
    while core.now() < key.expiration + 0.2 and core.monotonic() < deadline do core.sleep(0.05) end
    local fixed = vpcep({ ak = key.ak, sk = key.sk, security_token = key.security_token },
                        { project_id = emulator.PROJECTS["cn-north-4"] })
    local _, err = fixed:get(SERVICES)
    assert.are.equal("APIGW.0301", err.code)
    assert.is_truthy(err.message:find("has expired", 1, true))
  end)
end)

describe("the Huawei auth method", function()
  it("is inferred from the first credential a provider returns: a password means IAM tokens", function()
    local c = vpcep(function() return emulator.KEYS.hw_user end)
    assert.is_nil(c.auth)
    assert(c:get(SERVICES, { query = { limit = 1 } }))
    assert.are.equal("token", c.auth)
    assert.are.equal(1, emulator.stats().iam_tokens)
    local k = vpcep(function() return emulator.KEYS.hw end)
    assert(k:get(SERVICES, { query = { limit = 1 } }))
    assert.are.equal("aksk", k.auth)
  end)

  it("given as auth=, is kept whatever the provider returns", function()
    local c = vpcep(function() return emulator.KEYS.hw end, { auth = "token" })
    local _, err = c:get(SERVICES)
    assert.are.equal("missing credentials: username, password, domain", err.message)
  end)
end)
