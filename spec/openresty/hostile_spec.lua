-- The ngx transport inside a real nginx against the hostile server: the
-- same table of cases as the curl transport (spec/support/hostile.lua),
-- the same checks of what goes on the wire, the path sent as given.
local core = require "cloudapi.core"
local json = require "cloudapi.json"
local emulator = require "support.emulator"
local hostile = require "support.hostile"
local nginx = require "support.nginx"

describe("the ngx transport", function()
  local server

  setup(function() server = nginx.start{ workers = 1 } end)
  teardown(function() if server then server.stop() end end)

  local function send(spec)
    local s = core.http_session()
    local status, _, body = s:request{ method = "POST", url = server.url .. "/send", timeout = 90,
                                       headers = { ["Content-Type"] = "application/json" }, body = json.encode(spec) }
    s:close()
    assert(status == 200, "POST /send: " .. tostring(status) .. " " .. tostring(body))
    local out = assert(json.decode(body), body)
    for k, v in pairs(out) do if v == json.null then out[k] = nil end end
    return out
  end

  describe("against a hostile server", function()
    for _, case in ipairs(hostile.CASES) do
      it(case.name, function()
        assert.is_nil(hostile.mismatch(case, send{ case = case.name }))
      end)
    end
  end)

  it("sends the path as given: dot segments are not resolved", function()
    local out = send{ method = "GET", path = "/__hostile/echo/a/../b/./c" }
    assert.are.equal(200, out.status)
    assert.are.equal("GET /__hostile/echo/a/../b/./c HTTP/1.1\r\n", out.body:match("^[^\n]*\n"))
  end)

  it("refuses CR, LF and NUL in the method, header names and values, and ':' in a name", function()
    emulator.reset()
    local cases = {
      { { method = "GET /x HTTP/1.1\r\nX-A: b", path = "/__hostile/echo" },
        'the HTTP method "GET /x HTTP/1.1\\x0D\\x0AX-A: b" is not a token (letters, digits and !#$%&\'*+-.^_`|~)' },
      { { method = "GET", path = "/__hostile/echo", headers = { ["X-A"] = "1\r\nX-Injected: 2" } },
        "the value of header X-A has a CR, LF or NUL byte" },
      { { method = "GET", path = "/__hostile/echo", headers = { ["X-A:b"] = "1" } },
        'the header name "X-A:b" is not a token (letters, digits and !#$%&\'*+-.^_`|~)' },
      { { method = "GET", path = "/__hostile/echo", headers = { ["X-A\r\nX-B"] = "1" } },
        'the header name "X-A\\x0D\\x0AX-B" is not a token (letters, digits and !#$%&\'*+-.^_`|~)' },
      { { method = "GET", path = "/__hostile/echo x HTTP/1.1\r\nX-C: 1" },
        "the URL has a space or control byte (0x20) at byte " .. (#emulator.url + 16) },
    }
    for _, c in ipairs(cases) do
      local out = send(c[1])
      assert.are.equal("config", out.kind)
      assert.are.equal(c[2], out.message)
    end
    -- a prepared request passed to client:send: refused, nothing sent
    local s = core.http_session()
    local status, _, body = s:request{ method = "GET", url = server.url .. "/send_prepared", timeout = 20 }
    s:close()
    assert.are.equal(200, status)
    local r = json.decode(body)
    assert.are.equal("config", r.kind)
    assert.are.equal("the value of header X-Evil has a CR, LF or NUL byte", r.message)
    assert.are.same({}, emulator.requests())
  end)
end)
