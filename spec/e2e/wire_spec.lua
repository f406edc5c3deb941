-- What the curl transport puts on the wire, seen by a real server (the
-- emulator's /__hostile/echo answers with the request as it arrived, and
-- its signature checks): the path as given, the headers as they are at
-- each send, empty headers sent empty, and nothing a caller's value can
-- split (the ngx transport: spec/openresty/hostile_spec.lua).
local cloudapi = require "cloudapi"
local core = require "cloudapi.core"
local curl = require "cloudapi.transport.curl"
local emulator = require "support.emulator"

local ECHO = emulator.url .. "/__hostile/echo"

-- The request line and the headers (name -> value) the server received.
local function echoed(res)
  assert.are.equal(200, res.status)
  local line, rest = res.body:match("^([^\r\n]*)\r\n(.*)$")
  local headers = {}
  for name, value in rest:gmatch("([^:\r\n]+):[ \t]*([^\r\n]*)\r\n") do headers[name:lower()] = value end
  return line, headers
end

local TOKEN = "(letters, digits and !#$%&'*+-.^_`|~)"

describe("the curl transport on the wire", function()
  before_each(function() emulator.reset() end)

  it("sends the path as given: dot segments are not resolved", function()
    local t = curl.new()
    for _, path in ipairs({ "/a/../b", "/./x/./y", "/v1/p/../../etc", "/a/%2e%2e/b" }) do
      local line = echoed(assert(t:send{ method = "GET", url = ECHO .. path }))
      assert.are.equal("GET /__hostile/echo" .. path .. " HTTP/1.1", line)
    end
    t:close()
  end)

  it("sends a prepared request's headers as they are at each send", function()
    local t = curl.new()
    local headers = { ["X-One"] = "1", ["X-Two"] = "2" }
    local req = { method = "GET", url = ECHO, headers = headers }
    local _, h = echoed(assert(t:send(req)))
    assert.are.equal("1", h["x-one"])
    headers["X-One"] = "changed"
    headers["X-Two"] = nil
    headers["X-Three"] = "3"
    _, h = echoed(assert(t:send(req)))
    assert.are.equal("changed", h["x-one"])
    assert.is_nil(h["x-two"])
    assert.are.equal("3", h["x-three"])
    t:close()
  end)

  it("sends an empty or blank header value as an empty header", function()
    local t = curl.new()
    local _, h = echoed(assert(t:send{ method = "GET", url = ECHO,
                                       headers = { ["X-Empty"] = "", ["X-Blank"] = "  \t" } }))
    assert.are.equal("", h["x-empty"])
    assert.are.equal("", h["x-blank"])
    t:close()
  end)

  it("signs and sends a Huawei header with an empty or blank value alike (the gateway verifies it)", function()
    local hw = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", endpoint = emulator.url,
                                         project_id = emulator.PROJECTS["cn-north-4"],
                                         credentials = emulator.KEYS.hw, retry = false }
    for _, v in ipairs({ "", " ", "\t \t" }) do
      local res, err = hw:get("/v1/{project_id}/vpc-endpoint-services", { query = { limit = 1 },
                                                                         headers = { ["X-Note"] = v } })
      assert.is_nil(err)
      assert.are.equal(1, #res.endpoint_services)
    end
    local req = assert(hw:prepare("GET", "/v1/{project_id}/vpc-endpoint-services", { headers = { ["X-Note"] = "" } }))
    assert.is_truthy(req.headers.Authorization:find("SignedHeaders=[^,]*x%-note"))
    hw:close()
  end)

  it("refuses CR, LF and NUL in the method, header names and values, and ':' in a name", function()
    local t = curl.new()
    local cases = {
      { { method = "GET /x HTTP/1.1\r\nX-A: b" },
        'the HTTP method "GET /x HTTP/1.1\\x0D\\x0AX-A: b" is not a token ' .. TOKEN },
      { { method = "GE T" }, 'the HTTP method "GE T" is not a token ' .. TOKEN },
      { { method = "" }, 'the HTTP method "" is not a token ' .. TOKEN },
      { { headers = { ["X-A"] = "1\r\nX-Injected: 2" } }, "the value of header X-A has a CR, LF or NUL byte" },
      { { headers = { ["X-A"] = "1\nX-Injected: 2" } }, "the value of header X-A has a CR, LF or NUL byte" },
      { { headers = { ["X-A"] = "wire-secret-7\0tail" } }, "the value of header X-A has a CR, LF or NUL byte" },
      { { headers = { ["X-A:b"] = "1" } }, 'the header name "X-A:b" is not a token ' .. TOKEN },
      { { headers = { ["X-A\r\nX-B"] = "1" } }, 'the header name "X-A\\x0D\\x0AX-B" is not a token ' .. TOKEN },
      { { headers = { ["X A"] = "1" } }, 'the header name "X A" is not a token ' .. TOKEN },
      { { headers = { [""] = "1" } }, 'the header name "" is not a token ' .. TOKEN },
      { { url = ECHO .. " HTTP/1.1\r\nX-C: 1" }, "the URL has a space or control byte (0x20) at byte " .. (#ECHO + 1) },
      { { url = ECHO .. "\r\n" }, "the URL has a space or control byte (0x0D) at byte " .. (#ECHO + 1) },
    }
    for i, c in ipairs(cases) do
      local req = c[1]
      req.method, req.url = req.method or "GET", req.url or ECHO
      local res, kind, msg, sent = t:send(req)
      assert.is_nil(res, i)
      assert.are.equal("config", kind, i)
      assert.are.equal(c[2], msg, i)
      assert.is_false(sent, i)
      assert.is_nil(msg:find("wire-secret-7", 1, true))
    end
    -- a value that is not a string: a config error too, never a raise
    local res, kind, msg = t:send{ method = "GET", url = ECHO, headers = { ["X-N"] = 5 } }
    assert.is_nil(res)
    assert.are.equal("config", kind)
    assert.are.equal("the value of header X-N must be a string, got number", msg)
    t:close()
    assert.are.same({}, emulator.requests())
  end)

  it("refuses a prepared request spoiled before client:send, and sends nothing", function()
    local c = cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", endpoint = emulator.url,
                                   credentials = emulator.KEYS.test }
    local req = assert(c:prepare("DescribeRegions"))
    req.headers = { ["X-Evil"] = "wire-secret-7\r\nX-Injected: 1" }
    local res, err = c:send(req)
    assert.is_nil(res)
    assert.are.equal("config", err.kind)
    assert.are.equal("the value of header X-Evil has a CR, LF or NUL byte", err.message)
    assert.is_false(err.retryable)
    req = assert(c:prepare("DescribeRegions"))
    req.method = "GET / HTTP/1.1\r\nX: y\r\n\r\nGET"
    res, err = c:send(req)
    assert.is_nil(res)
    assert.are.equal("config", err.kind)
    -- and under cloudapi.all, one spoiled request fails alone
    local bad = assert(c:prepare("DescribeRegions"))
    bad.headers = { ["Bad:Name"] = "1" }
    local out = cloudapi.all({ { c, "send", bad }, { c, "call", "DescribeRegions" } })
    assert.are.equal("config", out[1][2].kind)
    assert.are.equal(13, #out[2][1].Regions.Region)
    c:close()
    assert.are.equal(1, #emulator.requests())
  end)

  it("keeps no copy of a sent request (its signed URL, its headers) on the transport", function()
    local c = cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", endpoint = emulator.url,
                                   credentials = emulator.KEYS.test }
    assert(c:call("DescribeRegions"))
    local found, seen = {}, {}
    local function scan(v, where)
      if type(v) == "string" and v:find("Signature=", 1, true) then found[#found + 1] = where end
      if type(v) == "table" and not seen[v] then
        seen[v] = true
        for k, x in pairs(v) do scan(x, where .. "." .. tostring(k)) end
      end
    end
    scan(c.transport, "transport")
    assert.are.same({}, found)
    c:close()
  end)

  it("checks a raw session request the same way", function()
    local s = core.http_session()
    local status, kind, msg = s:request{ method = "GET", url = ECHO, headers = { ["X"] = "a\rb" } }
    assert.is_nil(status)
    assert.are.equal("config", kind)
    assert.are.equal("the value of header X has a CR, LF or NUL byte", msg)
    s:close()
  end)
end)
