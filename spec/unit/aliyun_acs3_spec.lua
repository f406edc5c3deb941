-- ACS3-HMAC-SHA256 through the clients' prepare(): A5 exact through the
-- ROA client's POST-with-query layout, the RPC client's headers, query and
-- form body, STS, caller headers on both signatures, and the errors.
local cloudapi = require "cloudapi"

local vectors = require "support.vectors"
local EMPTY_SHA256 = vectors.EMPTY_SHA256
local creds = { access_key_id = "testid", access_key_secret = "testsecret" }
local sts = { access_key_id = "sts-ak", access_key_secret = "sts-secret", security_token = "sts-token" }

local function ecs(opts)
  opts = opts or {}
  opts.product, opts.region = "ecs", opts.region or "cn-hangzhou"
  opts.credentials = opts.credentials or creds
  opts.signature = opts.signature or "ACS3-HMAC-SHA256"
  return cloudapi.aliyun.new(opts)
end

describe("ACS3-HMAC-SHA256 prepare", function()
  it("reproduces vector A5 through the ROA client's prepare(\"POST\", \"/\", {query=, action=})", function()
    local A5 = vectors.A5
    local c = cloudapi.aliyun.roa{ product = "ecs", region = "cn-shanghai", version = A5.version,
      signature = "ACS3-HMAC-SHA256", credentials = { access_key_id = A5.ak, access_key_secret = A5.secret } }
    local req = assert(c:prepare("POST", "/", { query = A5.query, action = A5.action },
                                 { nonce = A5.nonce, date = A5.date }))
    assert.are.equal("https://" .. A5.host .. "/?" .. A5.canonical_query, req.url)
    assert.are.equal(A5.authorization, req.headers.Authorization)
    assert.are.equal(A5.canonical_request, req.canonical_request)
    assert.are.equal(A5.string_to_sign, req.string_to_sign)
  end)

  it("RPC GET: the parameters in the query, Action and Version in headers, no v1 common parameters", function()
    local req = assert(ecs():prepare("DescribeInstances", { PageSize = 50, Tag = { { Key = "env", Value = "a b" } } },
      { nonce = "n1", timestamp = 1698315752 }))
    assert.are.equal("GET", req.method)
    assert.are.equal("https://ecs.cn-hangzhou.aliyuncs.com/?PageSize=50&RegionId=cn-hangzhou" ..
                     "&Tag.1.Key=env&Tag.1.Value=a%20b", req.url)
    local h = req.headers
    assert.are.equal("ecs.cn-hangzhou.aliyuncs.com", h.host)
    assert.are.equal("DescribeInstances", h["x-acs-action"])
    assert.are.equal("2014-05-26", h["x-acs-version"])
    assert.are.equal("2023-10-26T10:22:32Z", h["x-acs-date"])
    assert.are.equal("n1", h["x-acs-signature-nonce"])
    assert.are.equal(EMPTY_SHA256, h["x-acs-content-sha256"])
    assert.is_nil(h["x-acs-security-token"])
    for _, v1 in ipairs({ "Format", "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp",
                          "AccessKeyId", "Action", "Version", "Signature" }) do
      assert.is_nil(req.url:find("[?&]" .. v1 .. "="), v1)
    end
    assert.is_truthy(h.Authorization:find("^ACS3%-HMAC%-SHA256 Credential=testid,SignedHeaders=host;x%-acs%-action;" ..
      "x%-acs%-content%-sha256;x%-acs%-date;x%-acs%-signature%-nonce;x%-acs%-version,Signature=%x+$"))
  end)

  it("RPC POST: a form body, its SHA-256 and its content-type signed", function()
    local req = assert(ecs{ method = "POST" }:prepare("DescribeRegions", { AcceptLanguage = "zh CN" },
      { nonce = "n2", timestamp = "2023-10-26T10:22:32Z" }))
    assert.are.equal("https://ecs.cn-hangzhou.aliyuncs.com/", req.url)
    assert.are.equal("AcceptLanguage=zh%20CN&RegionId=cn-hangzhou", req.body)
    assert.are.equal("application/x-www-form-urlencoded", req.headers["Content-Type"])
    assert.are.equal(require("cloudapi.core").sha256_hex(req.body), req.headers["x-acs-content-sha256"])
    assert.is_truthy(req.canonical_request:find("\ncontent-type:application/x-www-form-urlencoded\n", 1, true))
    assert.is_truthy(req.headers.Authorization:find("SignedHeaders=content-type;host;", 1, true))
  end)

  it("signs alike through the core's one-call path and the Lua flattener, keeping the caller's nonce", function()
    -- Parameters behind a __pairs proxy are flattened in Lua (params.flatten);
    -- plain ones in the same C call that signs.
    local function proxy(t) return setmetatable({}, { __pairs = function() return next, t, nil end }) end
    local params = { PageSize = 10, Status = "Running", Name = "中 /&=?", Empty = "", Flag = true,
                     Tag = { { Key = "env", Value = "prod" } } }
    local SIGN = { nonce = "n-1", timestamp = 1714564800 }
    for _, method in ipairs({ "GET", "POST" }) do
      for _, c in ipairs({ creds, sts }) do
        local fast = assert(ecs{ method = method, credentials = c }:prepare("DescribeInstances", params, SIGN))
        local general = assert(ecs{ method = method, credentials = c }:prepare("DescribeInstances", proxy(params),
                                                                                SIGN))
        assert.are.equal("n-1", general.headers["x-acs-signature-nonce"])
        assert.are.equal("2024-05-01T12:00:00Z", general.headers["x-acs-date"])
        assert.are.equal(general.url, fast.url)
        assert.are.equal(general.body, fast.body)
        assert.are.same(general.headers, fast.headers)
        assert.are.equal(general.canonical_request, fast.canonical_request)
        assert.are.equal(general.string_to_sign, fast.string_to_sign)
      end
    end
  end)

  it("signs x-acs-security-token and x-acs-accesskey-id with STS credentials", function()
    local req = assert(ecs{ credentials = sts }:prepare("DescribeRegions", nil, { nonce = "n3", timestamp = 0 }))
    assert.are.equal("sts-token", req.headers["x-acs-security-token"])
    assert.are.equal("sts-ak", req.headers["x-acs-accesskey-id"])
    assert.is_truthy(req.headers.Authorization:find("SignedHeaders=host;x-acs-accesskey-id;x-acs-action;" ..
      "x-acs-content-sha256;x-acs-date;x-acs-security-token;", 1, true))
    assert.is_nil(tostring(req):find("sts-token", 1, true))
  end)

  it("adds the caller's headers, signing x-acs-* ones, under either signature", function()
    local req = assert(ecs():prepare("DescribeRegions", nil,
      { nonce = "n4", timestamp = 0, headers = { ["X-Acs-Trace"] = " t1 ", ["X-Other"] = "o" } }))
    assert.are.equal(" t1 ", req.headers["X-Acs-Trace"])
    assert.are.equal("o", req.headers["X-Other"])
    assert.is_truthy(req.canonical_request:find("\nx-acs-trace:t1\n", 1, true))
    assert.is_nil(req.canonical_request:find("x-other", 1, true))
    local v1 = assert(ecs{ signature = "v1" }:prepare("DescribeRegions", nil, { headers = { ["X-Other"] = "o",
      ["User-Agent"] = "mine/1" } }))
    assert.are.equal("o", v1.headers["X-Other"])
    assert.are.equal("mine/1", v1.headers["User-Agent"])
  end)

  it("refuses a nonce or timestamp with control characters: they would be header lines", function()
    for _, sign in ipairs({ { nonce = "n\r\nX-Evil: 1" }, { timestamp = "2024-05-01T12:00:00Z\n" }, { nonce = "" } }) do
      for _, signature in ipairs({ "ACS3-HMAC-SHA256", "v1" }) do
        local req, err = ecs{ signature = signature }:prepare("DescribeRegions", nil, sign)
        assert.is_nil(req)
        assert.are.equal("config", err.kind)
        assert.are.equal(sign.timestamp and
          "timestamp must be a string without control characters or a number of seconds" or
          "nonce must be a non-empty string without control characters", err.message)
      end
    end
  end)

  it("refuses headers the client sets, CR/LF in values and a bad signature name", function()
    for _, bad in ipairs({ { { ["x-acs-date"] = "x" }, "header 'x-acs-date' is set by the client" },
                           { { Authorization = "x" }, "header 'Authorization' is set by the client" },
                           { { ["Content-Type"] = "x" }, "header 'Content-Type' is set by the client" },
                           { { ["X-A"] = "a\r\nX-B: 1" }, "header 'X-A' contains CR, LF or NUL" },
                           { { ["X-A"] = "1", ["x-a"] = "2" }, "is given twice (names are case-insensitive)" } }) do
      local req, err = ecs():prepare("DescribeRegions", nil, { headers = bad[1] })
      assert.is_nil(req)
      assert.are.equal("config", err.kind)
      assert.is_truthy(err.message:find(bad[2], 1, true), err.message)
    end
    local _, err = ecs():call("DescribeRegions", nil, { headers = { Host = "evil" } })
    assert.are.equal("header 'Host' is set by the client", err.message)
    assert.has_error(function() ecs{ signature = "v2" } end,
                     "cloudapi.aliyun.new: signature must be \"v1\" or \"ACS3-HMAC-SHA256\"")
    assert.has_error(function() ecs{ format = "XML" } end,
                     "cloudapi.aliyun.new: format = \"XML\" needs signature v1 (ACS3 answers JSON)")
  end)
end)

describe("network = \"vpc\" endpoints", function()
  it("are <product>-vpc.<region>.aliyuncs.com on every Alibaba constructor", function()
    local function host(new, product, region, network)
      return new{ product = product, region = region, network = network, credentials = creds }.base_url
    end
    local rpc, roa = cloudapi.aliyun.new, cloudapi.aliyun.roa
    assert.are.equal("https://ecs-vpc.cn-hangzhou.aliyuncs.com", host(rpc, "ecs", "cn-hangzhou", "vpc"))
    assert.are.equal("https://vpc-vpc.cn-shanghai.aliyuncs.com", host(rpc, "vpc", "cn-shanghai", "vpc"))
    assert.are.equal("https://vpc.aliyuncs.com", host(rpc, "vpc", "cn-shanghai", "public"))
    assert.are.equal("https://cs-vpc.cn-beijing.aliyuncs.com", host(roa, "cs", "cn-beijing", "vpc"))
    assert.are.equal("https://cs.cn-beijing.aliyuncs.com", host(roa, "cs", "cn-beijing"))
    assert.are.equal("https://cs.aliyuncs.com", host(roa, "cs"))
    for _, new in ipairs({ rpc, roa }) do
      local ok, err = pcall(new, { product = "ecs", version = "2014-05-26", network = "vpc", credentials = creds })
      assert.is_false(ok)
      assert.is_truthy(err:find("network = \"vpc\" needs a region", 1, true), err)
      ok, err = pcall(new, { product = "ecs", version = "2014-05-26", network = "intranet", credentials = creds })
      assert.is_false(ok)
      assert.is_truthy(err:find("network must be \"public\" or \"vpc\"", 1, true), err)
    end
  end)
end)
