-- No secret (AccessKeySecret, SK, password, token, signature) in any error,
-- its printed form, a printed client or a printed request.
local cloudapi = require "cloudapi"
local core = require "cloudapi.core"
local emulator = require "support.emulator"

local SECRETS = {
  "aliyun-wrong-secret-1", "sts-token", "hw-sts-token", "hw-wrong-sk-9", "hunter2-password",
  "sts-secret", "hw-sts-sk",
}

local function scan(value, where, seen)
  seen = seen or {}
  local tv = type(value)
  if tv == "string" then
    for _, s in ipairs(SECRETS) do
      for _, form in ipairs({ s, core.encode(s), core.encode(core.encode(s)) }) do
        assert(not value:find(form, 1, true), where .. " shows a secret: " .. value)
      end
    end
  elseif tv == "table" and not seen[value] then
    seen[value] = true
    for k, v in pairs(value) do
      scan(k, where .. " key", seen)
      scan(v, where .. "." .. tostring(k), seen)
    end
    if getmetatable(value) and getmetatable(value).__tostring then scan(tostring(value), where .. " printed", seen) end
  end
end

describe("secrets", function()
  before_each(function() emulator.reset() end)

  it("never appear in Alibaba errors, clients or printed requests", function()
    local cases = {
      { access_key_id = "testid", access_key_secret = "aliyun-wrong-secret-1" },
      { access_key_id = "sts-ak", access_key_secret = "aliyun-wrong-secret-1", security_token = "sts-token" },
      { access_key_id = "sts-ak", access_key_secret = "sts-secret", security_token = "sts-token" },
    }
    local produced = 0
    for i, creds in ipairs(cases) do
      for _, format in ipairs({ "JSON", "XML" }) do
        local c = cloudapi.aliyun.new{ product = "ecs", endpoint = emulator.url, credentials = creds, format = format }
        scan(tostring(c), "client")
        local req = assert(c:prepare("DescribeRegions", { AcceptLanguage = "x" }))
        scan(tostring(req), "request")
        for k, v in pairs(req) do -- a debug dump shows no secret beyond the signed URL itself
          if k ~= "url" and k ~= "string_to_sign" and k ~= "body" then scan(v, "request." .. k) end
        end
        local _, err = c:call("DescribeRegions", { Bad = 0 / 0 })
        scan(err, "config error")
        emulator.fault{ kind = "reset" }
        local _, nerr = c:call("DescribeRegions")
        scan(nerr, "network error")
        local res, serr = c:call(i == 3 and "NoSuchAction" or "DescribeRegions")
        assert.is_nil(res)
        scan(serr, "service error " .. i .. " " .. format)
        produced = produced + 3
      end
    end
    local dead = cloudapi.aliyun.new{ product = "ecs", endpoint = "http://127.0.0.1:9", credentials = cases[2] }
    scan(select(2, dead:call("DescribeRegions")), "refused")
    assert.are.equal(18, produced)
  end)

  it("the STS token inside a server string to sign is redacted on both sides", function()
    local c = cloudapi.aliyun.new{ product = "ecs", endpoint = emulator.url, credentials =
      { access_key_id = "sts-ak", access_key_secret = "aliyun-wrong-secret-1", security_token = "sts-token" } }
    local _, err = c:call("DescribeRegions")
    assert.are.equal("SignatureDoesNotMatch", err.code)
    assert.is_truthy(err.server_string_to_sign:find("SecurityToken%3D[REDACTED]", 1, true))
    assert.are.equal(err.client_string_to_sign, err.server_string_to_sign)
    assert.is_truthy(err.diagnosis:find("wrong secret", 1, true))
  end)

  it("never appear in Huawei errors or printed clients", function()
    local cases = {
      { ak = "hw-ak", sk = "hw-wrong-sk-9" },
      { ak = "hw-sts-ak", sk = "hw-wrong-sk-9", security_token = "hw-sts-token" },
      { ak = "hw-sts-ak", sk = "hw-sts-sk", security_token = "hw-sts-token" },
      { username = "demo-user", password = "hunter2-password", domain = "demo-domain" },
    }
    for i, creds in ipairs(cases) do
      local c = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", endpoint = emulator.url,
                                          project_id = emulator.PROJECTS["cn-north-4"], credentials = creds }
      scan(tostring(c), "client")
      local res, err = c:get(i == 3 and "/v1/{project_id}/vpc-endpoint-services/nope"
                                      or "/v1/{project_id}/vpc-endpoint-services")
      assert.is_nil(res)
      scan(err, "huawei error " .. i)
      local _, cerr = c:get("/v1/{project_id}/x", { headers = { ["X-Bad"] = "a\nb" } })
      scan(cerr, "huawei config error " .. i)
    end
  end)
end)
