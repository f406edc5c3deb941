-- The default chains find each source in the documented order (each
-- scenario in a fresh interpreter with its own environment and HOME), say
-- what each provider declined when none answers, and remember the one
-- that answered.
local cloudapi = require "cloudapi"
local emulator = require "support.emulator"
local fixtures = require "support.fixtures"
local subprocess = require "support.subprocess"

-- The default chain with the metadata and STS addresses pointed at the
-- emulator (the only difference from a client's default chain).
local ALIYUN_PROBE = [[
  local cloudapi = require "cloudapi"
  local url = os.getenv("CLOUDAPI_EMULATOR_URL")
  local chain = cloudapi.credentials.aliyun.default{ oidc = { endpoint = url }, ecs_ram_role = { endpoint = url },
                                                     ini = { sts_endpoint = url } }
  local c, err = chain:get()
  io.write(c and (tostring(chain) .. "|" .. c.access_key_id:sub(1, 7)) or ("error|" .. err.message))
]]

local HUAWEI_PROBE = [[
  local cloudapi = require "cloudapi"
  local chain = cloudapi.credentials.huaweicloud.default{ metadata = { endpoint = os.getenv("CLOUDAPI_EMULATOR_URL") } }
  local c, err = chain:get({})
  io.write(c and (tostring(chain) .. "|" .. c.ak:sub(1, 5)) or ("error|" .. err.message))
]]

before_each(function() emulator.reset() end)
after_each(function() fixtures.cleanup() end)

describe("the Alibaba default chain", function()
  -- Every source present; each scenario takes the one above away.
  local function everything()
    local home = fixtures.dir()
    fixtures.write(home, ".aliyun/config.json", '{"current":"c","profiles":[{"name":"c","mode":"AK",' ..
                   '"access_key_id":"demo-ak","access_key_secret":"demo-secret"}]}')
    fixtures.write(home, ".alibabacloud/credentials", "[default]\ntype = access_key\naccess_key_id = sts-ak\n" ..
                   "access_key_secret = sts-secret\n")
    local token = fixtures.write(home, "token", emulator.OIDC_TOKEN)
    return {
      HOME = home, ALIBABA_CLOUD_ACCESS_KEY_ID = "testid", ALIBABA_CLOUD_ACCESS_KEY_SECRET = "testsecret",
      ALIBABA_CLOUD_ROLE_ARN = emulator.OIDC_ROLE, ALIBABA_CLOUD_OIDC_PROVIDER_ARN = emulator.OIDC_PROVIDER,
      ALIBABA_CLOUD_OIDC_TOKEN_FILE = token, ALIBABA_CLOUD_ECS_METADATA_DISABLED = "false",
      ALIBABA_CLOUD_CREDENTIALS_URI = emulator.url .. "/credentials",
    }
  end

  it("asks env, oidc, the CLI profile, the INI file, the ECS RAM role, the credentials URI, in that order", function()
    local env = everything()
    local seen = {}
    local function probe(answer)
      seen[#seen + 1] = subprocess.run(env, ALIYUN_PROBE)
      assert.are.equal(answer, seen[#seen])
    end
    probe("cloudapi.credentials(aliyun default chain: env)|testid")
    env.ALIBABA_CLOUD_ACCESS_KEY_ID = false
    probe("cloudapi.credentials(aliyun default chain: oidc)|STS.EMU")
    env.ALIBABA_CLOUD_ROLE_ARN = false
    probe("cloudapi.credentials(aliyun default chain: profile)|demo-ak")
    env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED = "true"
    probe("cloudapi.credentials(aliyun default chain: ini)|sts-ak")
    os.remove(env.HOME .. "/.alibabacloud/credentials")
    probe("cloudapi.credentials(aliyun default chain: ecs_ram_role)|STS.EMU")
    env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = "true"
    probe("cloudapi.credentials(aliyun default chain: uri)|STS.EMU")
    local s = emulator.stats()
    assert.are.same({ 1, 1, 1 }, { s.sts_assume_role_with_oidc, s.imds_credentials, s.uri_requests })
  end)

  it("when nothing answers, says what each provider declined, without values", function()
    local home = fixtures.dir()
    local out = subprocess.run({ HOME = home, ALIBABA_CLOUD_ACCESS_KEY_SECRET = "hunter2",
                                 ALIBABA_CLOUD_ROLE_ARN = emulator.OIDC_ROLE }, ALIYUN_PROBE)
    assert.are.equal("error|no Alibaba Cloud credentials found; tried env (ALIBABA_CLOUD_ACCESS_KEY_ID is not set), " ..
      "oidc (skipped: ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE are not set), profile (" ..
      home .. "/.aliyun/config.json does not exist), ini (" .. home .. "/.alibabacloud/credentials does not exist), " ..
      "ecs_ram_role (skipped: ALIBABA_CLOUD_ECS_METADATA_DISABLED=true), uri (skipped: " ..
      "ALIBABA_CLOUD_CREDENTIALS_URI is not set); pass credentials = {access_key_id =, access_key_secret =} or a " ..
      "provider", out)
  end)

  it("is what a client without credentials uses", function()
    local env = everything()
    env.ALIBABA_CLOUD_ACCESS_KEY_ID = false
    env.ALIBABA_CLOUD_ROLE_ARN = false
    local out = subprocess.run(env, [[
      local c = require("cloudapi").aliyun.new{ product = "sts", version = "2015-04-01",
                                                endpoint = os.getenv("CLOUDAPI_EMULATOR_URL") }
      local res, err = c:call("GetCallerIdentity")
      io.write(res and res.Arn or tostring(err), "|", tostring(c.provider))]])
    assert.are.equal("acs:ram::" .. emulator.ACCOUNT .. ":root|cloudapi.credentials(aliyun default chain: profile)",
                     out)
  end)
end)

describe("the Huawei default chain", function()
  it("asks env, the profile, the metadata, in that order", function()
    local home = fixtures.dir()
    fixtures.write(home, ".huaweicloud/credentials", "[basic]\nak = hw-sts-ak\nsk = hw-sts-sk\n")
    local env = { HOME = home, HUAWEICLOUD_SDK_AK = "hw-ak", HUAWEICLOUD_SDK_SK = "hw-sk",
                  HUAWEICLOUD_SDK_METADATA_DISABLED = "false" }
    assert.are.equal("cloudapi.credentials(huaweicloud default chain: env)|hw-ak", subprocess.run(env, HUAWEI_PROBE))
    env.HUAWEICLOUD_SDK_AK = false
    assert.are.equal("cloudapi.credentials(huaweicloud default chain: profile)|hw-st",
                     subprocess.run(env, HUAWEI_PROBE))
    os.remove(home .. "/.huaweicloud/credentials")
    assert.are.equal("cloudapi.credentials(huaweicloud default chain: metadata)|HWTMP",
                     subprocess.run(env, HUAWEI_PROBE))
    env.HUAWEICLOUD_SDK_METADATA_DISABLED = "true"
    assert.are.equal("error|no Huawei Cloud credentials found; tried env (HUAWEICLOUD_SDK_AK is not set), " ..
      "profile (" .. home .. "/.huaweicloud/credentials does not exist), metadata (skipped: " ..
      "HUAWEICLOUD_SDK_METADATA_DISABLED=true); pass credentials = {ak =, sk =} or a provider",
      subprocess.run(env, HUAWEI_PROBE))
  end)
end)

describe("chain{...}", function()
  it("remembers the provider that answered and asks only it from then on", function()
    local asked = 0
    local p1 = function() asked = asked + 1; return nil, "not here" end
    local chain = cloudapi.credentials.aliyun.chain{
      { name = "first", provider = require("cloudapi.credentials").provider(p1) },
      cloudapi.credentials.aliyun.static(emulator.KEYS.test),
    }
    local c = cloudapi.aliyun.new{ product = "ecs", endpoint = emulator.url, credentials = chain }
    for _ = 1, 3 do assert(c:call("DescribeRegions")) end
    assert.are.equal(1, asked)
    assert.are.equal("cloudapi.credentials(aliyun chain: static)", tostring(chain))
  end)

  it("lists what each provider said when none answers", function()
    local chain = cloudapi.credentials.huaweicloud.chain{
      { name = "vault", provider = require("cloudapi.credentials").provider(function() return nil, "sealed" end) },
    }
    local _, err = chain:get({})
    assert.are.equal("no Huawei Cloud credentials found; tried vault (credential provider returned nothing: " ..
                     "sealed); pass credentials = {ak =, sk =} or a provider", err.message)
    assert.are.same({ { provider = "vault", reason = "credential provider returned nothing: sealed" } }, err.tried)
  end)

  it("refuses entries that are not providers", function()
    local ok, err = pcall(cloudapi.credentials.aliyun.chain, { 42 })
    assert.is_false(ok)
    assert.is_truthy(err:find("aliyun chain: entry 1 must be a provider", 1, true))
  end)
end)
