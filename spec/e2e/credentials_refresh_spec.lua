-- Temporary credentials in use: one upstream request for many concurrent
-- callers, a refresh that does not hold up the other calls of cloudapi.all,
-- and clients that keep working while their short-lived keys expire.
local cloudapi = require "cloudapi"
local core = require "cloudapi.core"
local concurrent = require "cloudapi.concurrent"
local emulator = require "support.emulator"
local fixtures = require "support.fixtures"

local creds = cloudapi.credentials.aliyun

local function ecs(provider)
  return cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", endpoint = emulator.url, credentials = provider }
end

before_each(function() emulator.reset() end)
after_each(function() fixtures.cleanup() end)

describe("a refresh under cloudapi.all", function()
  it("is one upstream request for 50 concurrent callers", function()
    emulator.fault{ api = "imds_credentials", kind = "delay", seconds = 0.3 } -- all 50 arrive meanwhile
    local c = ecs(creds.ecs_ram_role{ endpoint = emulator.url, role_name = "EcsDemoRole" })
    local calls = {}
    for i = 1, 50 do calls[i] = { c, "call", "DescribeRegions" } end
    local out = cloudapi.all(calls, { concurrency = 50 })
    local ok = 0
    for _, r in ipairs(out) do if r[1] then ok = ok + 1 end end
    assert.are.equal(50, ok)
    local s = emulator.stats()
    assert.are.same({ 1, 1 }, { s.imds_tokens, s.imds_credentials })
  end)

  it("does not hold up the other calls", function()
    emulator.fault{ api = "imds_credentials", kind = "delay", seconds = 2 }
    local slow = ecs(creds.ecs_ram_role{ endpoint = emulator.url, role_name = "EcsDemoRole",
                                         timeout = { connect = 5, read = 20 } })
    local fast = ecs(emulator.KEYS.test)
    local calls = { { slow, "call", "DescribeRegions" } }
    for i = 2, 11 do calls[i] = { fast, "call", "DescribeRegions" } end
    local order = {}
    cloudapi.all(calls, { concurrency = 11, each = function(i, res)
      assert(res, "call " .. i .. " failed")
      order[#order + 1] = i
    end })
    assert.are.equal(11, #order)
    assert.are.equal(1, order[11]) -- the ten others finished during the 2 s refresh
  end)
end)

describe("clients with short-lived keys", function()
  it("keep working across two expiries: ECS RAM role, OIDC, assumed role", function()
    emulator.credentials{ lifetime = 5 }
    local token = fixtures.write(fixtures.dir(), "token", emulator.OIDC_TOKEN)
    local providers = {
      creds.ecs_ram_role{ endpoint = emulator.url, role_name = "EcsDemoRole" },
      creds.oidc{ role_arn = emulator.OIDC_ROLE, provider_arn = emulator.OIDC_PROVIDER, token_file = token,
                  endpoint = emulator.url },
      creds.assume_role{ source = emulator.KEYS.test, role_arn = emulator.ROLE, endpoint = emulator.url },
    }
    local stop = core.now() + 11.5 -- keys issued at 0, ~4 and ~8 s; expiries at ~5 and ~10 s
    local calls, failed, keys = {}, {}, {}
    for i, p in ipairs(providers) do
      keys[i], failed[i] = {}, 0
      local c = ecs(p)
      calls[i] = function()
        local n = 0
        while core.now() < stop do
          local res = c:call("DescribeRegions")
          if not res then failed[i] = failed[i] + 1 end
          local key = assert(p:get())
          if not keys[i][key.access_key_id] then keys[i][key.access_key_id] = true; n = n + 1 end
          concurrent.sleep(0.05)
        end
        return n
      end
    end
    local out = cloudapi.all(calls)
    for i = 1, #providers do
      assert.are.equal(0, failed[i], tostring(providers[i]) .. " had failed calls")
      assert.is_true(out[i][1] >= 3, tostring(providers[i]) .. " used " .. tostring(out[i][1]) .. " keys")
    end
  end)
end)
