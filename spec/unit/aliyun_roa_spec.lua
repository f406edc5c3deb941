-- The ROA client's prepare(): the acs signature's headers and string to
-- sign, bodies, path templates (and the dot segments they refuse), and
-- the errors that name the problem.
local cloudapi = require "cloudapi"

local creds = { access_key_id = "testid", access_key_secret = "testsecret" }

local function cs(opts)
  opts = opts or {}
  opts.product, opts.region = opts.product or "cs", opts.region or "cn-hangzhou"
  opts.credentials = opts.credentials or creds
  return cloudapi.aliyun.roa(opts)
end

local SIGN = { nonce = "n-1", date = 1714564800 } -- Wed, 01 May 2024 12:00:00 GMT

describe("aliyun roa prepare (acs)", function()
  it("sends and signs exactly the acs headers", function()
    local req = assert(cs():prepare("GET", "/clusters", { query = { page_size = 10, name = "a b" },
                                                          action = "DescribeClusters" }, SIGN))
    assert.are.equal("https://cs.cn-hangzhou.aliyuncs.com/clusters?name=a%20b&page_size=10", req.url)
    local h = req.headers
    assert.are.equal("application/json", h.Accept)
    assert.are.equal("Wed, 01 May 2024 12:00:00 GMT", h.Date)
    assert.are.equal("1B2M2Y8AsgTpgAmY7PhCfg==", h["Content-MD5"])
    assert.is_nil(h["Content-Type"])
    assert.is_nil(h["x-acs-action"]) -- acs ignores the API name
    assert.is_nil(h["x-acs-date"])
    assert.are.equal("GET\napplication/json\n1B2M2Y8AsgTpgAmY7PhCfg==\n\nWed, 01 May 2024 12:00:00 GMT\n" ..
      "x-acs-signature-method:HMAC-SHA1\nx-acs-signature-nonce:n-1\nx-acs-signature-version:1.0\n" ..
      "x-acs-version:2015-12-15\n/clusters?name=a b&page_size=10", req.string_to_sign)
    assert.are.equal("acs testid:" .. require("cloudapi.core").base64(require("cloudapi.core").hmac_sha1(
      "testsecret", req.string_to_sign)), h.Authorization)
  end)

  it("signs alike through the core's one-call path and the general one", function()
    -- A query behind a __pairs proxy is read by rest.query and signed by
    -- sign(); a plain one (and none) in one C call.
    local function proxy(t) return setmetatable({}, { __pairs = function() return next, t, nil end }) end
    local sts_creds = { access_key_id = "sts-ak", access_key_secret = "s", security_token = "tok" }
    local queries = {
      { page_size = 10, page_number = 1, name = "a b" },
      { on = true, off = false, neg = -5, zero = -0.0, big = 2 ^ 53 - 1, f = 10.0, u = "中/&=?", e = "" },
    }
    for _, c in ipairs({ creds, sts_creds }) do
      for _, q in ipairs(queries) do
        local fast = assert(cs{ credentials = c }:prepare("GET", "/clusters", { query = q }, SIGN))
        local general = assert(cs{ credentials = c }:prepare("GET", "/clusters", { query = proxy(q) }, SIGN))
        assert.are.equal(general.url, fast.url)
        assert.are.same(general.headers, fast.headers)
        assert.are.equal(general.string_to_sign, fast.string_to_sign)
      end
      local none = assert(cs{ credentials = c }:prepare("DELETE", "/clusters/{id}", { path = { id = "c1" } }, SIGN))
      assert.are.equal("https://cs.cn-hangzhou.aliyuncs.com/clusters/c1", none.url)
      assert.are.equal("DELETE\napplication/json\n1B2M2Y8AsgTpgAmY7PhCfg==\n\nWed, 01 May 2024 12:00:00 GMT\n",
                       none.string_to_sign:sub(1, 80))
    end
    local odd = assert(cs():prepare("GET", "/clusters", { query = { x = 1.5 } }, SIGN)) -- the general path
    assert.are.equal("https://cs.cn-hangzhou.aliyuncs.com/clusters?x=1.5", odd.url)
    local sts = assert(cs{ credentials = sts_creds }:prepare("GET", "/clusters", nil, SIGN))
    assert.are.equal("tok", sts.headers["x-acs-security-token"])
    assert.are.equal("sts-ak", sts.headers["x-acs-accesskey-id"])
    local plain = assert(cs():prepare("get", "/clusters", nil, SIGN))
    assert.is_nil(plain.headers["x-acs-security-token"])
    assert.are.equal("GET", plain.method)
  end)

  it("sends a table body as JSON, a string body as given (octet-stream unless typed)", function()
    local req = assert(cs():prepare("POST", "/clusters", { body = { name = "k", size = 2 } }, SIGN))
    assert.are.equal('{"name":"k","size":2}', req.body)
    assert.are.equal("application/json", req.headers["Content-Type"])
    assert.are.equal("wLApiBntlQfYWQPRHFKA6g==", req.headers["Content-MD5"]) -- openssl md5 -binary | base64
    req = assert(cs():prepare("PUT", "/clusters/c1", { body = "raw" }, SIGN))
    assert.are.equal("application/octet-stream", req.headers["Content-Type"])
    req = assert(cs():prepare("PUT", "/clusters/c1", { body = "raw",
      headers = { ["content-type"] = "text/plain", accept = "application/xml" } }, SIGN))
    assert.are.equal("text/plain", req.headers["content-type"])
    assert.is_nil(req.headers["Content-Type"])
    assert.is_nil(req.headers.Accept)
    assert.is_truthy(req.string_to_sign:find("^PUT\napplication/xml\n[^\n]+\ntext/plain\n"))
  end)

  it("takes the date as the string to send", function()
    local req = assert(cs():prepare("GET", "/clusters", nil, { nonce = "n", date = "Thu, 26 Oct 2023 10:22:32 GMT" }))
    assert.are.equal("Thu, 26 Oct 2023 10:22:32 GMT", req.headers.Date)
  end)

  it("signs the STS headers", function()
    local c = cs{ credentials = { access_key_id = "sts-ak", access_key_secret = "sts-secret",
                                  security_token = "sts-token" } }
    local req = assert(c:prepare("DELETE", "/clusters/c1", nil, SIGN))
    assert.is_truthy(req.string_to_sign:find("\nx-acs-accesskey-id:sts-ak\nx-acs-security-token:sts-token\n", 1, true))
    assert.is_nil(tostring(req):find("sts-token", 1, true))
  end)

  it("fills path templates, one encoded segment per value", function()
    local req = assert(cs():prepare("GET", "/clusters/{id}/nodes/{n}", { path = { id = "c 1/中", n = 3 } }, SIGN))
    assert.are.equal("https://cs.cn-hangzhou.aliyuncs.com/clusters/c%201%2F%E4%B8%AD/nodes/3", req.url)
    local resource = "\n/clusters/c%201%2F%E4%B8%AD/nodes/3"
    assert.are.equal(resource, req.string_to_sign:sub(-#resource))
  end)

  it("uses the default version of a product it knows, and the caller's otherwise", function()
    assert.are.equal("2015-12-15", cs().version)
    assert.are.equal("2021-01-01", cs{ product = "fc", version = "2021-01-01" }.version)
    assert.has_error(function() cs{ product = "fc" } end,
      "cloudapi.aliyun.roa: no default API version for product 'fc': pass version = \"YYYY-MM-DD\"")
    assert.has_error(function() cs{ signature = "v1" } end,
      "cloudapi.aliyun.roa: signature must be \"acs\" or \"ACS3-HMAC-SHA256\"")
  end)

  describe("returns a config error naming the problem", function()
    local function fails(msg, ...)
      local req, err = cs():prepare(...)
      assert.is_nil(req)
      assert.are.equal("config", err.kind)
      assert.are.equal(msg, err.message)
    end
    it("for dot segments, missing values, bad paths, headers, bodies and signing options", function()
      fails("path value for {id} must not be '..' (a dot segment would change the path)",
            "GET", "/clusters/{id}", { path = { id = ".." } })
      fails("path value for {id} must not be '.' (a dot segment would change the path)",
            "DELETE", "/clusters/{id}", { path = { id = "." } })
      fails("path must not contain '.' or '..' segments, got '/clusters/../x'", "GET", "/clusters/../x")
      fails("path needs a value for {id}", "GET", "/clusters/{id}")
      fails("path value 'id' contains a NUL byte", "GET", "/clusters/{id}", { path = { id = "a\0b" } })
      fails("path must be a string starting with '/', got 'clusters'", "GET", "clusters")
      fails("path must not contain '?' or '#': pass query = {...}", "GET", "/clusters?x=1")
      fails("method must be one of GET, POST, PUT, DELETE, PATCH, HEAD, got TRACE", "TRACE", "/clusters")
      fails("header 'X-A' contains CR, LF or NUL", "GET", "/clusters", { headers = { ["X-A"] = "a\nb" } })
      fails("header 'Date' is set by the client", "GET", "/clusters", { headers = { Date = "x" } })
      fails("header 'Content-MD5' is set by the client", "GET", "/clusters", { headers = { ["Content-MD5"] = "x" } })
      fails("header 'x-acs-signature-nonce' is set by the client", "GET", "/clusters",
            { headers = { ["x-acs-signature-nonce"] = "x" } })
      fails("query parameter 'q': a table cannot be sent", "GET", "/clusters", { query = { q = {} } })
      fails("body must be a table (sent as JSON) or a string", "POST", "/clusters", { body = 42 })
      fails("action must be an API name such as \"DescribeClusterDetail\"", "GET", "/clusters", { action = "a b" })
      fails("nonce must be a non-empty string without control characters", "GET", "/clusters", nil, { nonce = "" })
      fails('date must be seconds since the epoch or an RFC 7231 date such as "Wed, 01 May 2024 12:00:00 GMT", ' ..
            'got "a\\\nb"', "GET", "/clusters", nil, { date = "a\nb" })
    end)

    it("under ACS3 when no action names the API", function()
      local req, err = cs{ signature = "ACS3-HMAC-SHA256" }:prepare("GET", "/clusters")
      assert.is_nil(req)
      assert.are.equal("ACS3-HMAC-SHA256 needs the API name: pass action = \"DescribeClusterDetail\" (say)",
                       err.message)
    end)

    it("for a URL over the limit", function()
      local _, err = cs():prepare("GET", "/clusters", { query = { q = string.rep("x", 40000) } })
      assert.is_truthy(err.message:find("^the request URL would be %d+ bytes %(over 32768%): send large values"))
    end)
  end)
end)
