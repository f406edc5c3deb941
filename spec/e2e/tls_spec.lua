-- TLS through the curl transport against a local `openssl s_server`:
-- peer and host verification are on by default, the CA is overridable.
local core = require "cloudapi.core"

local function sh(cmd)
  local ok = os.execute(cmd)
  return ok == true or ok == 0
end

describe("curl transport TLS", function()
  local dir, port, pid

  setup(function()
    dir = os.tmpname()
    os.remove(dir)
    assert(sh("mkdir -p " .. dir))
    -- A self-signed certificate for 127.0.0.1 and one for another name.
    for name, san in pairs({ good = "IP:127.0.0.1,DNS:localhost", other = "DNS:other.example" }) do
      assert(sh(("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=%s -addext subjectAltName=%s " ..
                 "-keyout %s/%s.key -out %s/%s.pem >/dev/null 2>&1"):format(name, san, dir, name, dir, name)))
    end
    -- LuaJIT does not seed math.random by itself
    math.randomseed(os.time() + math.floor(os.clock() * 1e6))
    port = 20000 + math.random(0, 20000)
  end)

  teardown(function()
    if pid then sh("kill " .. pid .. " 2>/dev/null") end
    sh("rm -rf " .. dir)
  end)

  -- Polls until it answers a TLS handshake: a loaded machine may take
  -- long to start openssl (the deadline is generous, the poll quick).
  -- A port another process holds (or the previous server's, not yet
  -- released) makes s_server exit at once: then another port.
  local function serve(name)
    local deadline = core.monotonic() + 60
    for _ = 1, 20 do
      pid = io.popen(("openssl s_server -quiet -accept 127.0.0.1:%d -cert %s/%s.pem -key %s/%s.key -www " ..
                      ">/dev/null 2>&1 & echo $!"):format(port, dir, name, dir, name)):read("*l")
      repeat
        if sh(("openssl s_client -connect 127.0.0.1:%d </dev/null >/dev/null 2>&1"):format(port)) then return end
        if not sh("kill -0 " .. pid .. " 2>/dev/null") then break end
        core.sleep(0.05)
      until core.monotonic() > deadline
      if core.monotonic() > deadline then error("s_server did not start within 60 s") end
      port = 20000 + math.random(0, 20000)
    end
    error("s_server exited at once on 20 ports")
  end

  -- Until it is gone, so the port is free for the next one.
  local function stop()
    if not pid then return end
    sh("kill " .. pid .. " 2>/dev/null")
    local deadline = core.monotonic() + 60
    while sh("kill -0 " .. pid .. " 2>/dev/null") and core.monotonic() < deadline do core.sleep(0.05) end
    pid = nil
  end

  local function get(opts)
    local s = core.http_session(opts)
    local status, headers_or_kind, body_or_msg = s:request{ method = "GET", url = "https://127.0.0.1:" .. port .. "/",
                                                           connect_timeout = 5, timeout = 10 }
    s:close()
    return status, headers_or_kind, body_or_msg
  end

  it("rejects an unknown CA, accepts the right CA file, and checks the host name", function()
    serve("good")
    local status, kind, msg = get()
    assert.is_nil(status)
    assert.are.equal("network", kind)
    assert.is_truthy(msg:lower():find("certificate", 1, true), msg)

    status = get{ cainfo = dir .. "/good.pem" }
    assert.are.equal(200, status)

    status = get{ verify = false }
    assert.are.equal(200, status)
    stop()

    -- The same through a client's tls option (a fresh s_server: it serves
    -- one connection at a time and the clients keep theirs alive).
    stop()
    serve("good")
    local cloudapi = require "cloudapi"
    local c = cloudapi.aliyun.new{ product = "ecs", endpoint = "https://127.0.0.1:" .. port,
                                   credentials = { access_key_id = "a", access_key_secret = "b" } }
    local _, err = c:call("DescribeRegions")
    assert.are.equal("network", err.kind)
    c:close()
    c = cloudapi.aliyun.new{ product = "ecs", endpoint = "https://127.0.0.1:" .. port,
                             tls = { cainfo = dir .. "/good.pem" },
                             credentials = { access_key_id = "a", access_key_secret = "b" } }
    local res = assert(c.transport:send{ method = "GET", url = "https://127.0.0.1:" .. port .. "/",
                                         connect_timeout = 5, read_timeout = 5 })
    assert.are.equal(200, res.status)
    c:close()
    stop()

    serve("other") -- trusted CA, wrong name
    status, kind, msg = get{ cainfo = dir .. "/other.pem" }
    assert.is_nil(status)
    assert.are.equal("network", kind)
    assert.is_truthy(msg:find("no alternative certificate subject name matches", 1, true), msg)
    stop()
  end)
end)
