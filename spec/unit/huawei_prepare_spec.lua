-- Huawei SDK-HMAC-SHA256 / V11 signing: vectors H1-H5 through the core and
-- through client:prepare, path and query encoding, misuse.
local core = require "cloudapi.core"
local cloudapi = require "cloudapi"

local AKSK = { ak = "AccessKey", sk = "SecretKey" }
local EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

local function sign(t)
  t.ak, t.sk = "AccessKey", "SecretKey"
  t.region, t.service = "test-region-1", "demo"
  return core.sdk_sign(t)
end

describe("core.sdk_sign vectors", function()
  local h1 = { Host = "service.endpoint.myhuaweicloud.com", ["X-Sdk-Date"] = "20200608T023900Z",
               TEST_UNDERSCORE = "TEST_VALUE" }
  local h3 = { ["X-Sdk-Date"] = "20060102T150405Z", TEST_UNDERSCORE = "TEST_VALUE" }

  it("H1: GET, host signed, both algorithms", function()
    local auth, canonical = sign{ method = "GET", path = "/resources", query = { size = "1" },
                                  headers = h1, date = "20200608T023900Z" }
    assert.are.equal("GET\n/resources/\nsize=1\nhost:service.endpoint.myhuaweicloud.com\n" ..
                     "x-sdk-date:20200608T023900Z\n\nhost;x-sdk-date\n" .. EMPTY, canonical)
    assert.are.equal("de94dd1e1ccdb730b403ce35d7e14f7c7b04337f6def1c3a3a2ba936852b133f", core.sha256_hex(canonical))
    assert.are.equal("SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, " ..
                     "Signature=cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842", auth)
    assert.are.equal("V11-HMAC-SHA256 Credential=AccessKey/20200608/test-region-1/demo, " ..
                     "SignedHeaders=host;x-sdk-date, " ..
                     "Signature=f7dfee056692e58dede80fc80cb89bbfabf45552dd7cd8d18a0a13484455b98e",
                     (sign{ method = "GET", path = "/resources", query = { size = "1" }, headers = h1,
                            date = "20200608T023900Z", algorithm = "V11-HMAC-SHA256" }))
  end)

  it("H2: POST with a JSON body", function()
    local body = '{"name":"test","id":1}'
    assert.are.equal("8ed555081b9961769014bc1182c629bb0fe68d7b01c1fc1caab4dc791f377e8c", core.sha256_hex(body))
    assert.are.equal("SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, " ..
                     "Signature=436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f",
                     (sign{ method = "POST", path = "/resources", query = { size = "1" }, headers = h1,
                            body = body, date = "20200608T023900Z" }))
    assert.are.equal("V11-HMAC-SHA256 Credential=AccessKey/20200608/test-region-1/demo, " ..
                     "SignedHeaders=host;x-sdk-date, " ..
                     "Signature=8e2d91eaf9656ec5d6fab27812e2d898a35aaaa5e16ee0a0365c38527ccfb3cf",
                     (sign{ method = "POST", path = "/resources", query = { size = "1" }, headers = h1,
                            body = body, date = "20200608T023900Z", algorithm = "V11-HMAC-SHA256" }))
  end)

  it("H3: GET, host not signed", function()
    assert.are.equal("SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, " ..
                     "Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624",
                     (sign{ method = "GET", path = "/path", query = { limit = "1" }, headers = h3,
                            date = "20060102T150405Z" }))
    assert.are.equal("V11-HMAC-SHA256 Credential=AccessKey/20060102/test-region-1/demo, SignedHeaders=x-sdk-date, " ..
                     "Signature=8fd3610508884bb19718317797c7378716a94bc740d97502e569322e366341cc",
                     (sign{ method = "GET", path = "/path", query = { limit = "1" }, headers = h3,
                            date = "20060102T150405Z", algorithm = "V11-HMAC-SHA256" }))
  end)

  it("H4: POST, body with its trailing newline, Content-Type present but not signed", function()
    local body = '{"Name":"test","Id":1}\n'
    assert.are.equal("a29d7b4c5efd1a22011d69fd7b7aee76fe51e4083c609244228de258afd61289", core.sha256_hex(body))
    assert.are.equal("SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, " ..
                     "Signature=cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59",
                     (sign{ method = "POST", path = "/path", query = { key = "value" }, headers = h3, body = body,
                            date = "20060102T150405Z" }))
    assert.are.equal("V11-HMAC-SHA256 Credential=AccessKey/20060102/test-region-1/demo, SignedHeaders=x-sdk-date, " ..
                     "Signature=4112f88b92d82dd1e1b7dd142f1e99e4f1762c42ca8fe0968b3045120870a903",
                     (sign{ method = "POST", path = "/path", query = { key = "value" }, headers = h3, body = body,
                            date = "20060102T150405Z", algorithm = "V11-HMAC-SHA256" }))
  end)

  it("H5: canonical query", function()
    assert.are.equal("enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123" ..
                     "&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29",
                     core.canonical_query{ limit = "1", enable = "true", test = "一 (&=?!#%.*)",
                                           path = "/tmp/123", multi = { "3", "1", "2" } })
  end)

  it("uses X-Sdk-Content-Sha256 as the payload hash when given", function()
    local _, canonical = sign{ method = "PUT", path = "/o", headers = h3, body = "stream",
                               payload_hash = "UNSIGNED-PAYLOAD", date = "20060102T150405Z" }
    assert.are.equal("UNSIGNED-PAYLOAD", canonical:match("([^\n]*)$"))
  end)

  it("keeps an empty query value's '=' and trims header values", function()
    local _, canonical, q = sign{ method = "GET", path = "/", query = { a = "", b = "x" },
                                  headers = { ["X-Sdk-Date"] = "20060102T150405Z", ["X-A"] = "  v  " },
                                  date = "20060102T150405Z" }
    assert.are.equal("a=&b=x", q)
    assert.is_truthy(canonical:find("\nx-a:v\n", 1, true))
  end)
end)

describe("huaweicloud client:prepare", function()
  it("reproduces H1 through the client, both algorithms", function()
    for alg, want in pairs({
      ["SDK-HMAC-SHA256"] = "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, " ..
        "Signature=cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842",
      ["V11-HMAC-SHA256"] = "V11-HMAC-SHA256 Credential=AccessKey/20200608/test-region-1/demo, " ..
        "SignedHeaders=host;x-sdk-date, Signature=f7dfee056692e58dede80fc80cb89bbfabf45552dd7cd8d18a0a13484455b98e",
    }) do
      local c = cloudapi.huaweicloud.new{ service = "demo", region = "test-region-1", algorithm = alg,
                                          endpoint = "https://service.endpoint.myhuaweicloud.com",
                                          credentials = AKSK }
      local req = assert(c:prepare("GET", "/resources", { query = { size = 1 },
                                   headers = { TEST_UNDERSCORE = "TEST_VALUE" } }, { date = "20200608T023900Z" }))
      assert.are.equal(want, req.headers.Authorization)
      assert.are.equal("https://service.endpoint.myhuaweicloud.com/resources?size=1", req.url)
      assert.are.equal("20200608T023900Z", req.headers["X-Sdk-Date"])
      assert.are.equal("TEST_VALUE", req.headers.TEST_UNDERSCORE)
    end
  end)

  it("sends exactly the canonical query (H5) and encodes path values", function()
    local c = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", project_id = "p1",
                                        credentials = AKSK }
    local req = assert(c:prepare("GET", "/v1/{project_id}/things/{name}", {
      path = { name = "a b?中" },
      query = { limit = 1, enable = true, test = "一 (&=?!#%.*)", path = "/tmp/123", multi = { 1, 2, 3 } },
    }, { date = "20200608T023900Z" }))
    assert.are.equal("https://vpcep.cn-north-4.myhuaweicloud.com/v1/p1/things/a%20b%3F%E4%B8%AD" ..
                     "?enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123" ..
                     "&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29", req.url)
    assert.are.equal("p1", req.headers["X-Project-Id"])
  end)

  -- Filled paths are remembered per client when they use only the client's
  -- own values: a changed project id, per-call values and a flood of
  -- distinct paths must all still come out right.
  it("remembers filled paths only while they stay right", function()
    local c = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", project_id = "p1",
                                        credentials = AKSK }
    local function url(path, opts) return assert(c:prepare("GET", path, opts, { date = "20200608T023900Z" })).url end
    local base = "https://vpcep.cn-north-4.myhuaweicloud.com"
    assert.are.equal(base .. "/v1/p1/things", url("/v1/{project_id}/things"))
    assert.are.equal(base .. "/v1/p1/things", url("/v1/{project_id}/things"))
    c.project_id = "p 2"
    assert.are.equal(base .. "/v1/p%202/things", url("/v1/{project_id}/things"))
    assert.are.equal(base .. "/v1/p%202/things/a", url("/v1/{project_id}/things/{id}", { path = { id = "a" } }))
    assert.are.equal(base .. "/v1/p%202/things/b", url("/v1/{project_id}/things/{id}", { path = { id = "b" } }))
    local _, err = c:prepare("GET", "/v1/{project_id}/things/{id}")
    assert.are.equal("path needs a value for {id}", err.message)
    for i = 1, 600 do assert.are.equal(base .. "/v1/p%202/n" .. i, url("/v1/{project_id}/n" .. i)) end
    assert.is_true(c.paths.n <= 256, c.paths.n .. " paths remembered")
    assert.are.equal(base .. "/v1/p%202/things", url("/v1/{project_id}/things"))
  end)

  -- Gateways disagree on whether %2F splits a segment: refuse rather than
  -- risk a signature the gateway computes differently.
  it("refuses a path (or path value) with an encoded '/' inside a segment", function()
    local c = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", project_id = "p1",
                                        credentials = AKSK }
    local req, err = c:prepare("GET", "/v1/a%2Fb", nil, { date = "20200608T023900Z" })
    assert.is_nil(req)
    assert.are.equal("cannot sign: the path has an encoded '/' or NUL inside a segment", err.message)
    req, err = c:prepare("GET", "/v1/{x}", { path = { x = "a/b" } }, { date = "20200608T023900Z" })
    assert.is_nil(req)
    assert.are.equal("path value for {x} must not contain '/': gateways disagree on whether an encoded " ..
                     "'/' splits a segment", err.message)
  end)

  it("sends a table body as JSON and signs content-type and x-security-token", function()
    local c = cloudapi.huaweicloud.new{ service = "iam", credentials = { ak = "A", sk = "S", security_token = "tok" },
                                        domain_id = "d1" }
    local req = assert(c:prepare("POST", "/v3/x", { body = { b = 2, a = { 1 } } }, { date = "20200608T023900Z" }))
    assert.are.equal("https://iam.myhuaweicloud.com/v3/x", req.url)
    assert.are.equal('{"a":[1],"b":2}', req.body)
    assert.are.equal("application/json", req.headers["Content-Type"])
    assert.are.equal("d1", req.headers["X-Domain-Id"])
    assert.is_nil(req.headers["X-Project-Id"])
    assert.is_truthy(req.headers.Authorization:find(
      "SignedHeaders=content-type;host;x-domain-id;x-sdk-date;x-security-token,", 1, true))
  end)

  describe("endpoints", function()
    local function base(service, region)
      return cloudapi.huaweicloud.new{ service = service, region = region, credentials = AKSK }.base_url
    end
    it("follow the regional rule, the .eu region and global IAM", function()
      assert.are.equal("https://vpcep.cn-north-4.myhuaweicloud.com", base("vpcep", "cn-north-4"))
      assert.are.equal("https://vpcep.eu-west-101.myhuaweicloud.eu", base("vpcep", "eu-west-101"))
      assert.are.equal("https://iam.ap-southeast-1.myhuaweicloud.com", base("iam", "ap-southeast-1"))
      assert.are.equal("https://iam.myhuaweicloud.com", base("iam"))
      local c = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", credentials = AKSK }
      assert.are.equal("https://iam.cn-north-4.myhuaweicloud.com", c.iam_url)
    end)
  end)

  describe("returns a config error naming the problem", function()
    local c = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", project_id = "p1",
                                        credentials = AKSK }
    local function fails(msg, ...)
      local req, err = c:prepare(...)
      assert.is_nil(req)
      assert.are.equal("config", err.kind)
      assert.are.equal(msg, err.message)
    end
    it("for bad methods, paths, queries, headers and bodies", function()
      fails("method must be one of GET, POST, PUT, DELETE, PATCH, HEAD, got TRACE", "TRACE", "/")
      fails("path must be a string starting with '/', got a nil", "GET", nil)
      fails("path must be a string starting with '/', got 'v1'", "GET", "v1")
      fails("path needs a value for {id}", "GET", "/v1/{project_id}/x/{id}")
      fails("path must not contain '?' or '#': pass query = {...}", "GET", "/v1?x=1")
      fails("query parameter 'n': NaN is not a valid number", "GET", "/", { query = { n = 0 / 0 } })
      fails("header 'X-A' contains CR, LF or NUL", "GET", "/", { headers = { ["X-A"] = "a\r\nX-Evil: 1" } })
      fails('header name "Bad Name" is not a valid HTTP token', "GET", "/", { headers = { ["Bad Name"] = "x" } })
      fails("header 'Authorization' is set by the client", "GET", "/", { headers = { Authorization = "x" } })
      fails("body.f: cannot encode a function as JSON", "POST", "/", { body = { f = print } })
      fails("date must look like 20200608T023900Z", "GET", "/", nil, { date = "yesterday" })
    end)
  end)

  it("new() raises on misuse", function()
    local function raises(opts, msg)
      local ok, err = pcall(cloudapi.huaweicloud.new, opts)
      assert.is_false(ok)
      assert.is_truthy(tostring(err):find(msg, 1, true), tostring(err))
    end
    raises({}, "service must be a name")
    raises({ service = "vpcep" }, "region is required for the regional service 'vpcep'")
    raises({ service = "vpcep", region = "r", algorithm = "MD5" }, "algorithm must be")
    raises({ service = "vpcep", region = "r", auth = "magic" }, "auth must be \"aksk\" or \"token\"")
    raises({ service = "vpcep", region = "r", endpoint = "gopher://x" }, "endpoint scheme must be http or https")
  end)
end)
