-- The C core through its Lua API: encoding, vectors A1-A4, primitives.
local core = require "cloudapi.core"

describe("core.encode", function()
  it("leaves exactly the RFC 3986 unreserved set alone", function()
    for b = 32, 126 do
      local c = string.char(b)
      local want = c:match("[A-Za-z0-9%-_.~]") and c or string.format("%%%02X", b)
      assert.are.equal(want, core.encode(c))
    end
  end)

  it("encodes space, star, plus, tilde and slash the RPC way", function()
    assert.are.equal("%20", core.encode(" "))
    assert.are.equal("%2A", core.encode("*"))
    assert.are.equal("%2B", core.encode("+"))
    assert.are.equal("~", core.encode("~"))
    assert.are.equal("%2F", core.encode("/"))
  end)

  it("encodes every byte of multi-byte UTF-8 and emoji in uppercase hex", function()
    assert.are.equal("%E4%B8%AD%E6%96%87", core.encode("中文"))
    assert.are.equal("%F0%9F%98%80", core.encode("😀"))
    assert.are.equal("%C3%A9t%C3%A9", core.encode("été"))
  end)

  it("encodes control bytes, NUL and invalid UTF-8 byte by byte", function()
    assert.are.equal("%00%01%0A%7F%FF%FE", core.encode("\0\1\n\127\255\254"))
  end)
end)

describe("core.rpc_sign", function()
  local A1 = {
    AccessKeyId = "testid", Action = "DescribeRegions", Format = "XML",
    SignatureMethod = "HMAC-SHA1", SignatureNonce = "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    SignatureVersion = "1.0", Timestamp = "2016-02-23T12:46:24Z", Version = "2014-05-26",
  }

  it("reproduces vector A1", function()
    local query, sts, sig = core.rpc_sign("GET", A1, "testsecret")
    assert.are.equal("OLeaidS1JvxuMvnyHOwuJ+uX5qY=", sig)
    assert.are.equal("GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML" ..
      "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf" ..
      "%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26", sts)
    assert.are.equal("AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1" ..
      "&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0" ..
      "&Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26&Signature=OLeaidS1JvxuMvnyHOwuJ%2BuX5qY%3D", query)
    assert.are.equal("OLeaidS1JvxuMvnyHOwuJ%2BuX5qY%3D", core.encode(sig))
  end)

  it("does not reproduce A1 with the misspelled TimeStamp (the trap)", function()
    local p = {}
    for k, v in pairs(A1) do p[k] = v end
    p.TimeStamp, p.Timestamp = p.Timestamp, nil
    assert.are_not.equal("OLeaidS1JvxuMvnyHOwuJ+uX5qY=", select(3, core.rpc_sign("GET", p, "testsecret")))
  end)

  it("reproduces vector A2", function()
    local _, _, sig = core.rpc_sign("GET", {
      AccessKeyId = "testid", Action = "DescribeDedicatedHosts", Format = "JSON",
      RegionId = "cn-beijing", SignatureMethod = "HMAC-SHA1",
      SignatureNonce = "edb2b34af0af9a6d14deaf7c1a5315eb", SignatureVersion = "1.0",
      Timestamp = "2023-03-13T08:34:30Z", Version = "2014-05-26" }, "testsecret")
    assert.are.equal("9NaGiOspFP5UPcwX8Iwt2YJXXuk=", sig)
  end)

  it("reproduces vector A3 with and without a SecurityToken", function()
    local p = { Version = "", Action = "", Format = "JSON", Timestamp = "mock date",
                SignatureMethod = "HMAC-SHA1", SignatureVersion = "1.0", SignatureType = "",
                SignatureNonce = "MOCK_UUID", AccessKeyId = "accessKeyId", RegionId = "regionId" }
    assert.are.equal("7loPmFjvDnzOVnQeQNj85S6nFGY=", select(3, core.rpc_sign("GET", p, "accessKeySecret")))
    p.SecurityToken = "accessKeyStsToken"
    assert.are.equal("5Nxdcler+ihqWqv0Hr2On4PsBf4=", select(3, core.rpc_sign("GET", p, "accessKeySecret")))
  end)

  it("reproduces the A3 string to sign with a URL value", function()
    local _, sts = core.rpc_sign("GET", { key = "value", q = "http://domain/?q=value&q2=value2" }, "x")
    assert.are.equal("GET&%2F&key%3Dvalue%26q%3Dhttp%253A%252F%252Fdomain%252F%253Fq%253Dvalue%2526q2%253Dvalue2", sts)
  end)

  it("sorts by raw key bytes (uppercase before lowercase)", function()
    local query = core.rpc_sign("GET", { b = "1", B = "2", a = "3", ["A.1"] = "4", A = "5" }, "x")
    assert.are.equal("A=5&A.1=4&B=2&a=3&b=1&Signature=", query:sub(1, 32))
  end)

  it("signs POST with POST&%2F&", function()
    local _, sts = core.rpc_sign("POST", { A = "1" }, "x")
    assert.are.equal("POST&%2F&A%3D1", sts)
  end)

  it("reuses the keyed HMAC state only for the same secret", function()
    local p = { A = "1" }
    local s1 = select(3, core.rpc_sign("GET", p, "secret-one"))
    local s2 = select(3, core.rpc_sign("GET", p, "secret-two"))
    assert.are_not.equal(s1, s2)
    assert.are.equal(s1, select(3, core.rpc_sign("GET", p, "secret-one")))
    assert.are.equal(core.base64(core.hmac_sha1("secret-two&", "GET&%2F&A%3D1")),
                     select(3, core.rpc_sign("GET", p, "secret-two")))
  end)

  it("raises on a non-string value (core misuse)", function()
    assert.has_error(function() core.rpc_sign("GET", { A = 1 }, "x") end,
                     "params: value of 'A' must be a string, got number")
  end)
end)

describe("core primitives", function()
  it("HMAC-SHA1 matches vector A4", function()
    assert.are.equal("Jv4yi8SobFhg5t1C7nWLbhBSFZQ=", core.base64(core.hmac_sha1("secret", "source")))
    assert.are.equal("szlfHs3WVaO/HgY3Cg7/uyXDaRw=", core.base64(core.hmac_sha1("secret", "中文unicode")))
  end)

  it("HMAC-SHA256 matches RFC 4231 case 2", function()
    assert.are.equal("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                     core.hex(core.hmac_sha256("Jefe", "what do ya want for nothing?")))
  end)

  it("SHA-256 hex", function()
    assert.are.equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", core.sha256_hex(""))
    assert.are.equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", core.sha256_hex("abc"))
  end)

  it("base64 pads", function()
    assert.are.equal("", core.base64(""))
    assert.are.equal("YQ==", core.base64("a"))
    assert.are.equal("YWI=", core.base64("ab"))
    assert.are.equal("YWJj", core.base64("abc"))
  end)

  it("nonce is 128 random bits as 32 hex chars, never repeated", function()
    local seen = {}
    for _ = 1, 5000 do -- more than one 4 KiB pool refill
      local n = core.nonce()
      assert.is_truthy(n:match("^%x+$"))
      assert.are.equal(32, #n)
      assert.is_nil(seen[n])
      seen[n] = true
    end
  end)

  it("formats UTC timestamps for both clouds", function()
    assert.are.equal("2016-02-23T12:46:24Z", core.timestamp(1456231584))
    assert.are.equal("20200608T023900Z", core.sdk_date(1591583940))
    assert.are.equal("1970-01-01T00:00:00Z", core.timestamp(0.9))
    assert.is_truthy(core.timestamp():match("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$"))
    assert.has_error(function() core.timestamp(0 / 0) end, "time out of range")
  end)
end)

describe("core.rpc_sign_args (the fast path)", function()
  local params = require "cloudapi.aliyun.params"
  local COMMON = { "Action", "X", "Version", "2014-05-26" }
  local RESERVED = { Action = true, Signature = true }

  local function general(args)
    local flat = assert(params.flatten(args))
    for i = 1, #COMMON, 2 do flat[COMMON[i]] = COMMON[i + 1] end
    flat.SignatureMethod, flat.SignatureVersion = "HMAC-SHA1", "1.0"
    flat.SignatureNonce, flat.Timestamp = "n1", "t1"
    return core.rpc_sign("GET", flat, "secret")
  end

  local function unpack_common()
    return (table.unpack or unpack)(COMMON)
  end

  it("signs exactly as the general path does", function()
    local cases = {
      {},
      { A = "x y", B = 42, C = -7, D = true, E = false, F = "中文 ~*+😀", G = "a\255b" },
      { Tag = { { Key = "k1", Value = "v1" }, { Key = "k2", Value = "v2" } }, Ids = { "i-1", "i-2", "i-3" } },
      { Filter = { Name = "n", Values = { "a", "b" } }, N = 1000000000000000 },
      { Deep = { { L2 = { { L3 = { "x" } } } } } },
      { Empty = {}, S = "" },
    }
    for i, args in ipairs(cases) do
      local q1, s1, g1 = core.rpc_sign_args("GET", "secret", args, RESERVED, "", true, "t1", "n1", unpack_common())
      local q2, s2, g2 = general(args)
      assert.are.equal(q2, q1, "case " .. i)
      assert.are.equal(s2, s1, "case " .. i)
      assert.are.equal(g2, g1, "case " .. i)
    end
  end)

  it("leaves to the general path what it cannot flatten or must report", function()
    local t = {}
    t.t = t
    for _, args in ipairs({
      { F = 1.5 }, { N = 0 / 0 }, { S = "a\0b" }, { [1] = "x" }, { M = { 1, x = 2 } }, { H = { [1] = 1, [3] = 3 } },
      { J = require("cloudapi").json{ 1 } }, { Loop = t }, { Action = "reserved" }, { Fn = print }, { [""] = "x" },
    }) do
      assert.is_nil(core.rpc_sign_args("GET", "secret", args, RESERVED, "", true, "t1", "n1", unpack_common()))
    end
  end)
end)

describe("core.rpc_sign_args prefix and string to sign", function()
  it("writes the prefix in front and makes the string to sign only when asked", function()
    local url, sts, sig = core.rpc_sign_args("GET", "testsecret", {}, {}, "https://ecs.aliyuncs.com/?", false,
      1456231584, "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
      "AccessKeyId", "testid", "Action", "DescribeRegions", "Format", "XML", "Version", "2014-05-26")
    assert.are.equal("OLeaidS1JvxuMvnyHOwuJ+uX5qY=", sig)
    assert.is_false(sts)
    assert.are.equal("https://ecs.aliyuncs.com/?AccessKeyId=testid&", url:sub(1, 45))
    assert.are.equal("&Signature=OLeaidS1JvxuMvnyHOwuJ%2BuX5qY%3D", url:sub(-43))
    local u1 = core.rpc_sign_args("GET", "s", {}, {}, "", false, 0, nil, "A", "1")
    local u2 = core.rpc_sign_args("GET", "s", {}, {}, "", false, 0, nil, "A", "1")
    local n1, n2 = u1:match("SignatureNonce=(%x+)"), u2:match("SignatureNonce=(%x+)")
    assert.are.equal(32, #n1)
    assert.are_not.equal(n1, n2) -- drawn from the pool when not given
    assert.is_truthy(u1:find("Timestamp=1970-01-01T00%3A00%3A00Z", 1, true))
  end)
end)

local vectors = require "support.vectors"
local EMPTY_SHA256 = vectors.EMPTY_SHA256

describe("core.acs3_sign (ACS3-HMAC-SHA256)", function()
  it("reproduces vector A5", function()
    local A5 = vectors.A5
    local auth, query, canonical, sts = core.acs3_sign{
      method = "POST", path = "/", query = A5.query,
      headers = { host = A5.host, ["x-acs-action"] = A5.action, ["x-acs-content-sha256"] = EMPTY_SHA256,
                  ["x-acs-date"] = A5.date, ["x-acs-signature-nonce"] = A5.nonce,
                  ["x-acs-version"] = A5.version, ["User-Agent"] = "not signed" },
      payload_hash = EMPTY_SHA256, ak = A5.ak, secret = A5.secret,
    }
    assert.are.equal(A5.canonical_request, canonical)
    assert.are.equal(A5.string_to_sign, sts)
    assert.are.equal(A5.canonical_query, query)
    assert.are.equal(A5.authorization, auth)
  end)

  it("reproduces vector A6 (a repeated name's values sorted and joined, an empty value keeps its =)", function()
    local auth, query, canonical = core.acs3_sign{
      method = "GET", path = "/", query = { test = "ok", empty = "" },
      headers = { ["x-acs-test"] = "http", ["x-acs-TEST"] = "https" },
      payload_hash = "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23",
      ak = "acesskey", secret = "secret",
    }
    assert.are.equal("empty=&test=ok", query)
    assert.are.equal("GET\n/\nempty=&test=ok\nx-acs-test:http,https\n\nx-acs-test\n" ..
      "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23", canonical)
    assert.are.equal("ACS3-HMAC-SHA256 Credential=acesskey,SignedHeaders=x-acs-test," ..
      "Signature=d16b30a7699ae9e43875b13195b2f81bcc3ed10c14a9b5eb780e51619aa50be1", auth)
  end)

  it("refuses a payload hash that is not 64 lowercase hex characters", function()
    assert.has_error(function()
      core.acs3_sign{ method = "GET", path = "/", payload_hash = EMPTY_SHA256:upper(), ak = "a", secret = "s" }
    end, "the payload hash must be 64 lowercase hex characters")
  end)
end)

describe("core.roa_sign_args (ROA acs)", function()
  local MD5_EMPTY = "1B2M2Y8AsgTpgAmY7PhCfg=="

  it("reproduces vector R1 (but for the Content-MD5 it signs)", function()
    local _, query, md5, sts = core.roa_sign_args("GET", "/", {}, { Accept = "application/octet-stream",
      Date = "2018-12-04T03:55:31Z", ["x-acs-signature-method"] = "HMAC-SHA1",
      ["x-acs-signature-version"] = "1.0" }, nil, "access_key_secret", "access_key_id", true)
    assert.are.equal("", query)
    assert.are.equal(MD5_EMPTY, md5)
    assert.are.equal("GET\napplication/octet-stream\n" .. MD5_EMPTY .. "\n\n2018-12-04T03:55:31Z\n" ..
      "x-acs-signature-method:HMAC-SHA1\nx-acs-signature-version:1.0\n/", sts)
    -- R1 itself (no Content-MD5) is exact through the C tests and the emulator's self-test
  end)

  it("signs the Content-MD5 of the body and puts the sorted query, values as they are, after the path", function()
    local auth, query, md5, sts = core.roa_sign_args("DELETE", "/clusters/c%201", { b = "x y&z", a = "", c = "中" },
                                                     {}, "hello world", "s", "ak", true)
    assert.are.equal("XrY7u+Ae7tCTyyK7j1rNww==", md5)
    assert.are.equal("DELETE\n\nXrY7u+Ae7tCTyyK7j1rNww==\n\n\n/clusters/c%201?a=&b=x y&z&c=中", sts)
    assert.are.equal("acs ak:" .. core.base64(core.hmac_sha1("s", sts)), auth)
    assert.are.equal("a=&b=x%20y%26z&c=%E4%B8%AD", query)
    local auth2, query2, md52, none = core.roa_sign_args("DELETE", "/clusters/c%201",
      { b = "x y&z", a = "", c = "中" }, {}, "hello world", "s", "ak", false)
    assert.are.same({ auth, query, md5 }, { auth2, query2, md52 })
    assert.is_nil(none) -- the string to sign only when wanted
  end)

  it("refuses a signed header given twice (names are case-insensitive)", function()
    assert.has_error(function()
      core.roa_sign_args("GET", "/", {}, { Date = "a", date = "b" }, nil, "s", "ak", false)
    end, "a signed header is given twice")
  end)
end)

describe("core.roa_sign_query (the ROA client's one-call path)", function()
  local BASE = "https://cs.example"
  local DATE = "Wed, 01 May 2024 12:00:00 GMT"

  it("signs as roa_sign_args does, adding the algorithm's own headers and the Date of a time", function()
    local url, auth, nonce, date, sts = core.roa_sign_query("GET", BASE, "/clusters",
      { page_size = 10, name = "a b", on = true, neg = -5, f = 10.0 }, "s", "ak", true, "n-1", 1714564800.75,
      "Accept", "application/json", "x-acs-version", "2015-12-15")
    assert.are.equal("n-1", nonce)
    assert.are.equal(DATE, date)
    assert.are.equal(BASE .. "/clusters?f=10&name=a%20b&neg=-5&on=true&page_size=10", url)
    local auth2, query2, _, sts2 = core.roa_sign_args("GET", "/clusters",
      { page_size = "10", name = "a b", on = "true", neg = "-5", f = "10" },
      { Accept = "application/json", Date = DATE, ["x-acs-signature-method"] = "HMAC-SHA1",
        ["x-acs-signature-version"] = "1.0", ["x-acs-signature-nonce"] = "n-1", ["x-acs-version"] = "2015-12-15" },
      nil, "s", "ak", true)
    assert.are.equal(sts2, sts)
    assert.are.equal(auth2, auth)
    assert.are.equal(BASE .. "/clusters?" .. query2, url)
    local _, _, _, _, none = core.roa_sign_query("GET", BASE, "/clusters", nil, "s", "ak", false, "n-1", DATE)
    assert.is_nil(none) -- the string to sign only when wanted
  end)

  it("draws a nonce from the pool when given none, and makes the Date of any second", function()
    local url, _, nonce, date = core.roa_sign_query("GET", BASE, "/clusters", nil, "s", "ak", false, nil, 0)
    assert.are.equal(BASE .. "/clusters", url) -- no query: no '?'
    assert.is_truthy(nonce:match("^" .. ("[0-9a-f]"):rep(32) .. "$"))
    assert.are.equal("Thu, 01 Jan 1970 00:00:00 GMT", date)
    local _, _, nonce2, last = core.roa_sign_query("GET", BASE, "/", {}, "s", "ak", false, nil, 253402300799)
    assert.are_not.equal(nonce, nonce2)
    assert.are.equal("Fri, 31 Dec 9999 23:59:59 GMT", last)
    local _, _, _, given = core.roa_sign_query("GET", BASE, "/", {}, "s", "ak", false, nil, DATE)
    assert.are.equal(DATE, given)
    assert.has_error(function() core.roa_sign_query("GET", BASE, "/", {}, "s", "ak", false, nil, -1) end,
      "time out of range")
    assert.has_error(function() core.roa_sign_query("GET", BASE, "/", {}, "s", "ak", false, nil, 0 / 0) end,
      "time out of range")
  end)

  it("leaves to the general path a query it does not read", function()
    for _, q in ipairs({ { x = { "a" } }, { x = 1.5 }, { x = 2 ^ 53 }, { x = "a\0b" }, { [""] = "x" }, { "x" },
                         setmetatable({}, {}), "x=1" }) do
      assert.is_nil(core.roa_sign_query("GET", BASE, "/", q, "s", "ak", false, "n", DATE))
    end
  end)
end)
