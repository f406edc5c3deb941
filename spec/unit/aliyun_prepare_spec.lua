-- client:prepare: the signed request, without I/O.
local cloudapi = require "cloudapi"

local creds = { access_key_id = "testid", access_key_secret = "testsecret" }

local function query_of(url)
  local t = {}
  for k, v in url:match("%?(.*)$"):gmatch("([^&=]+)=([^&]*)") do t[k] = v end
  return t
end

describe("aliyun client:prepare", function()
  it("reproduces vector A1 exactly", function()
    local ecs = cloudapi.aliyun.new{ product = "ecs", format = "XML", credentials = creds }
    local req = assert(ecs:prepare("DescribeRegions", nil, {
      nonce = "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", timestamp = "2016-02-23T12:46:24Z" }))
    assert.are.equal("GET", req.method)
    assert.are.equal("https://ecs.aliyuncs.com/?AccessKeyId=testid&Action=DescribeRegions&Format=XML" ..
      "&SignatureMethod=HMAC-SHA1&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf" ..
      "&SignatureVersion=1.0&Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26" ..
      "&Signature=OLeaidS1JvxuMvnyHOwuJ%2BuX5qY%3D", req.url)
    assert.are.equal("GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML" ..
      "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf" ..
      "%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26",
      req.string_to_sign)
    assert.is_nil(req.body)
  end)

  it("reproduces vector A2 with RegionId from the client's region", function()
    local ecs = cloudapi.aliyun.new{ product = "ecs", region = "cn-beijing", credentials = creds }
    local req = assert(ecs:prepare("DescribeDedicatedHosts", {}, {
      nonce = "edb2b34af0af9a6d14deaf7c1a5315eb", timestamp = "2023-03-13T08:34:30Z" }))
    local q = query_of(req.url)
    assert.are.equal("cn-beijing", q.RegionId)
    assert.are.equal("JSON", q.Format)
    assert.are.equal("9NaGiOspFP5UPcwX8Iwt2YJXXuk%3D", q.Signature)
    assert.are.equal("https://ecs.cn-beijing.aliyuncs.com", req.url:match("^(.-)/%?"))
  end)

  it("accepts a numeric timestamp and keeps the caller's RegionId", function()
    local vpc = cloudapi.aliyun.new{ product = "vpc", region = "cn-hangzhou", credentials = creds }
    local req = assert(vpc:prepare("DescribeEipAddresses", { RegionId = "eu-west-1" },
                                   { nonce = "n1", timestamp = 1456231584 }))
    local q = query_of(req.url)
    assert.are.equal("eu-west-1", q.RegionId)
    assert.are.equal("2016-02-23T12%3A46%3A24Z", q.Timestamp)
    assert.are.equal("2016-04-28", q.Version)
    assert.are.equal("https://vpc.aliyuncs.com", req.url:match("^(.-)/%?"))
  end)

  it("adds SecurityToken and signs it", function()
    local ecs = cloudapi.aliyun.new{ product = "ecs", credentials = {
      access_key_id = "accessKeyId", access_key_secret = "accessKeySecret",
      security_token = "accessKeyStsToken" } }
    local req = assert(ecs:prepare("DescribeRegions", nil, { nonce = "N", timestamp = "2020-01-01T00:00:00Z" }))
    assert.are.equal("accessKeyStsToken", query_of(req.url).SecurityToken)
    assert.is_truthy(req.string_to_sign:find("SecurityToken%3DaccessKeyStsToken", 1, true))
  end)

  it("sends POST parameters as a form body and signs POST&%2F&", function()
    local ecs = cloudapi.aliyun.new{ product = "ecs", method = "POST", credentials = creds,
                                     endpoint = "http://127.0.0.1:9" }
    local req = assert(ecs:prepare("DescribeRegions", { AcceptLanguage = "en US" },
                                   { nonce = "N", timestamp = "2020-01-01T00:00:00Z" }))
    assert.are.equal("POST", req.method)
    assert.are.equal("http://127.0.0.1:9/", req.url)
    assert.are.equal("application/x-www-form-urlencoded", req.headers["Content-Type"])
    assert.are.equal("POST&%2F&", req.string_to_sign:sub(1, 9))
    assert.is_truthy(req.body:find("^AcceptLanguage=en%%20US&"))
    assert.is_truthy(req.body:find("&Signature=[^&]+$"))
  end)

  it("uses a fresh nonce and the current time when none is given", function()
    local ecs = cloudapi.aliyun.new{ product = "ecs", credentials = creds }
    local a = query_of(assert(ecs:prepare("DescribeRegions")).url)
    local b = query_of(assert(ecs:prepare("DescribeRegions")).url)
    assert.are_not.equal(a.SignatureNonce, b.SignatureNonce)
    assert.are.equal(32, #a.SignatureNonce)
    assert.is_truthy(a.Timestamp:match("^%d%d%d%d%-%d%d%-%d%dT%d%d%%3A%d%d%%3A%d%dZ$"))
  end)

  it("hides the signature when a request is printed", function()
    local ecs = cloudapi.aliyun.new{ product = "ecs", credentials = creds }
    local req = assert(ecs:prepare("DescribeRegions"))
    local shown = tostring(req)
    assert.is_truthy(shown:find("Signature=[REDACTED]", 1, true))
    assert.is_falsy(shown:find(query_of(req.url).Signature, 1, true))
  end)

  describe("returns a config error naming the problem", function()
    local ecs = cloudapi.aliyun.new{ product = "ecs", credentials = creds }
    local function fails(msg, ...)
      local req, err = ecs:prepare(...)
      assert.is_nil(req)
      assert.are.equal("config", err.kind)
      assert.are.equal(msg, err.message)
    end
    it("for a bad action", function()
      fails("action must be a non-empty string, got a nil", nil)
      fails("action must be a non-empty string, got an empty string", "")
      fails("action 'Describe Regions' is not a valid action name", "Describe Regions")
    end)
    it("for parameters the client owns", function()
      fails("parameter 'Signature' is set by the client, not by the caller", "X", { Signature = "x" })
      fails("parameter 'Timestamp' is set by the client, not by the caller", "X", { Timestamp = "x" })
    end)
    it("for values that cannot be sent", function()
      fails("parameter 'Tag.1.Key': a function cannot be sent", "X", { Tag = { { Key = print } } })
    end)
  end)
end)

describe("aliyun endpoints", function()
  local function host(product, region)
    local c = cloudapi.aliyun.new{ product = product, region = region, credentials = creds,
                                   version = "2020-01-01" }
    return c.base_url
  end
  it("follows the ECS table, the rule and the VPC central/regional split", function()
    assert.are.equal("https://ecs.aliyuncs.com", host("ecs"))
    assert.are.equal("https://ecs.cn-zhangjiakou.aliyuncs.com", host("ecs", "cn-zhangjiakou"))
    assert.are.equal("https://ecs.eu-west-1.aliyuncs.com", host("ecs", "eu-west-1"))
    assert.are.equal("https://ecs.cn-hangzhou.aliyuncs.com", host("ecs", "cn-hangzhou"))
    assert.are.equal("https://vpc.aliyuncs.com", host("vpc"))
    assert.are.equal("https://vpc.aliyuncs.com", host("vpc", "cn-beijing"))
    assert.are.equal("https://vpc.eu-central-1.aliyuncs.com", host("vpc", "eu-central-1"))
    assert.are.equal("https://slb.ap-south-1.aliyuncs.com", host("slb", "ap-south-1"))
  end)
  it("lets an explicit endpoint override everything", function()
    local c = cloudapi.aliyun.new{ product = "ecs", region = "cn-beijing", endpoint = "http://127.0.0.1:8080/" }
    assert.are.equal("http://127.0.0.1:8080", c.base_url)
    c = cloudapi.aliyun.new{ product = "ecs", endpoint = "ecs-internal.example.com" }
    assert.are.equal("https://ecs-internal.example.com", c.base_url)
  end)
end)

describe("aliyun.new misuse", function()
  local function raises(opts, msg)
    local ok, err = pcall(cloudapi.aliyun.new, opts)
    assert.is_false(ok)
    assert.is_truthy(tostring(err):find(msg, 1, true), tostring(err))
  end
  it("raises with a message naming the option", function()
    raises(nil, "expected a table of options, got a nil")
    raises({}, "product must be a name")
    raises({ product = "ecs", region = 5 }, "region must be a region id")
    raises({ product = "nosuch" }, "no default API version for product 'nosuch'")
    raises({ product = "ecs", format = "YAML" }, "format must be \"JSON\" or \"XML\"")
    raises({ product = "ecs", method = "PUT" }, "method must be \"GET\" or \"POST\"")
    raises({ product = "ecs", endpoint = "ftp://x" }, "endpoint scheme must be http or https")
    raises({ product = "ecs", endpoint = "http://" }, "has no valid host")
    raises({ product = "ecs", endpoint = "http://h:99999" }, "has an invalid port")
    raises({ product = "ecs", endpoint = "not a url" }, "endpoint contains whitespace")
    raises({ product = "ecs", endpoint = "http://h/path" }, "must not have a path")
    raises({ product = "ecs", timeout = { read = -1 } }, "timeout.read must be a positive number")
    raises({ product = "ecs", credentials = 42 }, "credentials must be a table, a function or a provider")
  end)
end)

describe("aliyun credentials", function()
  local lua = os.getenv("CLOUDAPI_TEST_LUA") or "lua5.4"
  local function run(env, code)
    local p = assert(io.popen(env .. " " .. lua .. " -e '" .. code .. "' 2>&1"))
    local out = p:read("*a")
    p:close()
    return out
  end

  it("are read from the environment", function()
    local out = run("ALIBABA_CLOUD_ACCESS_KEY_ID=envid ALIBABA_CLOUD_ACCESS_KEY_SECRET=envsecret " ..
                    "ALIBABA_CLOUD_SECURITY_TOKEN=envtoken",
      [[local c = require("cloudapi").aliyun.new{product="ecs"}
        local r = assert(c:prepare("DescribeRegions"))
        io.write(r.url:match("AccessKeyId=([^&]*)"), " ", r.url:match("SecurityToken=([^&]*)"))]])
    assert.are.equal("envid envtoken", out)
  end)

  it("missing ones are a credentials error before anything is sent", function()
    local out = run("env -u ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET=s HOME=/nonexistent",
      [[local c = require("cloudapi").aliyun.new{product="ecs", endpoint="http://127.0.0.1:9"}
        local r, e = c:call("DescribeRegions")
        io.write(e.kind, "|", e.message)]])
    assert.are.equal("credentials|no Alibaba Cloud credentials found; tried env (ALIBABA_CLOUD_ACCESS_KEY_ID " ..
      "is not set), oidc (skipped: ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, " ..
      "ALIBABA_CLOUD_OIDC_TOKEN_FILE are not set), profile (/nonexistent/.aliyun/config.json does not exist), " ..
      "ini (/nonexistent/.alibabacloud/credentials does not exist), ecs_ram_role (skipped: " ..
      "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true), uri (skipped: ALIBABA_CLOUD_CREDENTIALS_URI is not set); " ..
      "pass credentials = {access_key_id =, access_key_secret =} or a provider", out)
  end)

  it("can come from a function provider", function()
    local ecs = cloudapi.aliyun.new{ product = "ecs", credentials = function()
      return { access_key_id = "fromfn", access_key_secret = "s" } end }
    assert.is_truthy(assert(ecs:prepare("X")).url:find("AccessKeyId=fromfn", 1, true))
    local bad = cloudapi.aliyun.new{ product = "ecs", credentials = function() error("vault down") end }
    local req, err = bad:prepare("X")
    assert.is_nil(req)
    assert.are.equal("credentials", err.kind)
    assert.is_truthy(err.message:find("vault down", 1, true))
  end)

  it("an empty secret is a credentials error naming the field, not the value", function()
    local ecs = cloudapi.aliyun.new{ product = "ecs", credentials = { access_key_id = "x", access_key_secret = "" } }
    local _, err = ecs:prepare("X")
    assert.are.equal("missing credentials: access_key_secret", err.message)
  end)
end)
