-- The C core's Lua functions called wrongly (issue 14 item 6): each
-- raises a clean Lua error naming the problem, or (for what a request
-- carries) returns a config error; none crashes. spec/fuzz/lua/core_args.lua
-- does the same with random types and counts.
local core = require "cloudapi.core"

local function raises(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok, "did not raise")
  assert.are.equal("string", type(err))
  assert.is_truthy(err:find(pattern), err)
end

describe("the core called wrongly", function()
  it("rpc_sign_args: fewer arguments than its fixed ones, an odd count, wrong types", function()
    local RES = {}
    for n = 0, 7 do
      local args = { "GET", "secret", {}, RES, "", false, 0, "nonce" }
      raises("", core.rpc_sign_args, (table.unpack or unpack)(args, 1, n))
    end
    raises("rpc_sign_args: bad arguments", core.rpc_sign_args, "GET", "s", {}, {}, "", false)
    raises("rpc_sign_args: bad arguments", core.rpc_sign_args, "GET", "s", {}, {}, "", false, 0, nil, "A")
    raises("rpc_sign_args: bad arguments", core.rpc_sign_args, "GET", "s", "args", {}, "", false, 0, nil)
    raises("method must be a string, got no value", core.rpc_sign_args)
    raises("parameter value must be a string, got table", core.rpc_sign_args, "GET", "s", {}, {}, "", false, 0, nil,
           "A", {})
    -- and it still signs afterwards (no state was left broken)
    assert.are.equal("OLeaidS1JvxuMvnyHOwuJ+uX5qY=", select(3, core.rpc_sign_args("GET", "testsecret", {}, {}, "",
      false, 1456231584, "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", "AccessKeyId", "testid", "Action", "DescribeRegions",
      "Format", "XML", "Version", "2014-05-26")))
    assert.are.equal("A=1", core.canonical_query{ A = "1" })
  end)

  it("roa_sign_query: fewer arguments than its fixed ones, an odd count, wrong types", function()
    for n = 0, 8 do
      local args = { "GET", "https://h", "/", {}, "s", "ak", false, "n", 0 }
      raises("", core.roa_sign_query, (table.unpack or unpack)(args, 1, n))
    end
    raises("roa_sign_query: bad arguments", core.roa_sign_query, "GET", "https://h", "/", {}, "s", "ak", false, nil, 0,
           "Accept")
    raises("header value must be a string, got table", core.roa_sign_query, "GET", "https://h", "/", {}, "s", "ak",
           false, nil, 0, "Accept", {})
    raises("nonce must be a string, got boolean", core.roa_sign_query, "GET", "https://h", "/", {}, "s", "ak", false,
           true, 0)
    raises("number expected, got table", core.roa_sign_query, "GET", "https://h", "/", {}, "s", "ak", false, nil, {})
    assert.are.equal("https://h/?a=1",
      (core.roa_sign_query("GET", "https://h", "/", { a = 1 }, "s", "ak", false, nil, 0)))
  end)

  it("session:request and multi:add: headers as a string or with non-string parts", function()
    local s, m = core.http_session(), core.http_multi()
    local cases = {
      { "x", "headers must be a table {name = value}, got string" },
      { 5, "headers must be a table {name = value}, got number" },
      { { "Name: value" }, "header names must be strings, got number" },
      { { X = 1 }, "the value of header X must be a string, got number" },
      { { X = {} }, "the value of header X must be a string, got table" },
    }
    for _, c in ipairs(cases) do
      local req = { method = "GET", url = "http://127.0.0.1:1/", headers = c[1] }
      local status, kind, msg, sent = s:request(req)
      assert.are.same({ nil, "config", c[2], false }, { status, kind, msg, sent })
      local added, akind, amsg = m:add(s, req)
      assert.are.same({ nil, "config", c[2] }, { added, akind, amsg })
    end
    assert.are.equal(0, m:count())
    raises("bad argument #2 .*table expected", s.request, s, "GET http://x/")
    raises("field 'method' is required", s.request, s, {})
    raises("field 'url' must be a string", s.request, s, { method = "GET", url = 5 })
    raises("field 'timeout' must be a number", s.request, s,
           { method = "GET", url = "http://127.0.0.1:1/", timeout = "1" })
    raises("timeout out of range", s.request, s, { method = "GET", url = "http://127.0.0.1:1/", timeout = -1 })
    raises("bad argument #1 .*cloudapi.core.http_session expected", s.request, m, {})
    raises("bad argument #2 .*cloudapi.core.http_session expected", m.add, m, m, {})
    raises("bad argument #3 .*table expected", m.add, m, s, "req")
    raises("wait out of range", m.step, m, -1)
    raises("the session has no finished request", s.result, s)
    s:close()
    m:close()
  end)

  it("the other functions: wrong types and missing arguments", function()
    raises("argument must be a string, got no value", core.encode)
    raises("argument must be a string, got table", core.hex, {})
    raises("bad argument #1 .*table expected", core.canonical_query, "a=1")
    raises("query: keys must be strings, got number", core.canonical_query, { "a" })
    raises("params: value of 'A' must be a string, got boolean", core.rpc_sign, "GET", { A = true }, "s")
    raises("secret must be a string, got no value", core.rpc_sign, "GET", {})
    raises("field 'query' must be a table", core.sdk_sign, { method = "GET", path = "/", ak = "a", sk = "s",
                                                               date = "20200608T023900Z", query = "a=1" })
    raises("field 'headers' must be a table", core.sdk_sign, { method = "GET", path = "/", ak = "a", sk = "s",
                                                                 date = "20200608T023900Z", headers = "X: 1" })
    raises("bad argument #1 .*table expected", core.sdk_sign)
    raises("key must be a string, got number", core.hmac_sha256, 1, "m")
    raises("time out of range", core.timestamp, -1)
    raises("number expected", core.sdk_date, {})
    raises("sleep: seconds out of range", core.sleep, 1e300)
    raises("bad argument #1 .*table expected", core.integers, "x")
    raises("headers must be a string, got no value", core.parse_headers)
    raises("method must be a string, got no value", core.http_check)
    raises("field 'max_body' out of range", core.http_session, { max_body = -1 })
    raises("bad argument #1 .*table expected", core.http_session, "opts")
  end)
end)
