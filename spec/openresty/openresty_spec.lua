-- cloudapi inside a real nginx (Debian's nginx-light + Lua module, LuaJIT
-- build of the core): the cosocket transport, phases without cosockets,
-- keep-alive, non-blocking behaviour, TLS, shared token caches.
local core = require "cloudapi.core"
local json = require "cloudapi.json"
local emulator = require "support.emulator"
local nginx = require "support.nginx"

local function get(server, path)
  local s = core.http_session()
  local status, _, body = s:request{ method = "GET", url = server.url .. path, timeout = 20 }
  s:close()
  assert(status == 200, "GET " .. path .. ": " .. tostring(status) .. " " .. tostring(body))
  return assert(json.decode(body), body)
end

describe("inside OpenResty", function()
  local server

  setup(function() server = nginx.start{ workers = 1 } end)
  teardown(function() if server then server.stop() end end)
  before_each(function() emulator.reset() end)

  it("calls Alibaba RPC through the cosocket transport, JSON and XML", function()
    local r = get(server, "/aliyun")
    assert.is_true(r.ok)
    assert.are.equal(13, r.regions)
    assert.are.equal("cloudapi.transport.ngx", r.transport)
    local x = get(server, "/aliyun_xml")
    assert.are.equal(300, x.total)
    assert.are.equal("i-hz000001", x.first)
  end)

  it("carries ACS3-HMAC-SHA256 RPC calls and Container Service (ROA acs and ACS3) over cosockets", function()
    local r = get(server, "/aliyun_acs3")
    assert.is_true(r.ok, r.message)
    assert.are.equal(300, r.GET)
    assert.are.equal(300, r.POST)
    assert.are.equal("cloudapi.transport.ngx", r.transport)
    for _, signature in ipairs({ "acs", "ACS3-HMAC-SHA256" }) do
      r = get(server, "/roa?signature=" .. signature)
      assert.is_true(r.ok, r.message)
      assert.are.equal(1, r.total)
      assert.is_true(r.same)
      assert.are.equal(202, r.deleted)
      assert.are.equal("cloudapi.transport.ngx", r.transport)
    end
  end)

  it("returns service errors as error objects", function()
    local r = get(server, "/aliyun_error")
    assert.is_false(r.ok)
    assert.are.equal("service", r.kind)
    assert.are.equal("InvalidAction.NotFound", r.code)
    assert.are.equal(1, r.attempts)
  end)

  it("calls Huawei REST with AK/SK", function()
    local r = get(server, "/huawei")
    assert.is_true(r.ok)
    assert.are.equal(3, r.count)
    assert.are.equal(25, r.total)
  end)

  it("retries with ngx.sleep inside nginx", function()
    emulator.fault{ kind = "throttle", count = 2 }
    local r = get(server, "/aliyun")
    assert.is_true(r.ok)
    assert.are.equal(3, r.attempts)
  end)

  it("reuses connections: many calls, few TCP connections", function()
    local r = get(server, "/many?n=50")
    assert.are.equal(50, r.done)
    local conns, n = {}, 0
    for _, q in ipairs(emulator.requests()) do
      if not conns[q.connection] then conns[q.connection] = true; n = n + 1 end
    end
    assert.are.equal(50, #emulator.requests())
    assert.is_true(n <= 2, n .. " connections for 50 calls")
  end)

  it("does not block the worker: 20 concurrent requests with 500 ms answers", function()
    emulator.fault{ kind = "delay", seconds = 0.5, count = 20 }
    local m = core.http_multi()
    local sessions = {}
    local t0 = core.monotonic()
    for i = 1, 20 do
      sessions[i] = core.http_session()
      assert(m:add(sessions[i], { method = "GET", url = server.url .. "/aliyun", timeout = 20 }))
    end
    local done, ok = 0, 0
    while done < 20 do
      for _, s in ipairs(m:step(1)) do
        done = done + 1
        local status, _, body = s:result()
        if status == 200 and json.decode(body).ok then ok = ok + 1 end
      end
    end
    local elapsed = core.monotonic() - t0
    assert.are.equal(20, ok)
    -- 0.5 s with a 5x margin; one worker serving them one after the other: 10 s.
    assert.is_true(elapsed < 0.5 * 5, "took " .. elapsed .. " s")
  end)

  it("never pools a connection left half read", function()
    emulator.fault{ kind = "truncate" }
    local r = get(server, "/aliyun") -- the truncated answer is retried
    assert.is_true(r.ok)
    assert.are.equal(2, r.attempts)
    assert.are.equal(5, get(server, "/many?n=5").done)
    local log = emulator.requests()
    assert.are.equal(7, #log)
    assert.are_not.equal(log[1].connection, log[2].connection)
  end)

  it("collapses concurrent token refreshes within a worker into one request", function()
    local r = get(server, "/token_burst?region=ap-southeast-1")
    assert.are.equal(5, r.succeeded)
    assert.are.equal(1, emulator.stats().iam_tokens)
  end)

  it("waits at most max_delay when the server asks for 31 years", function()
    emulator.fault{ kind = "error", status = 503, api = "rpc", headers = { ["x-acs-retry-after"] = "1e12" } }
    local r = get(server, "/retry_hint")
    assert.is_true(r.ok)
    assert.are.equal(2, r.attempts)
    assert.is_true(r.took < 0.3 * 5, "took " .. tostring(r.took))
  end)

  it("runs cloudapi.all on ngx.thread", function()
    local r = get(server, "/all")
    assert.are.same({ 1, 2, 3, 4, 5, 6 }, r.pages)
    assert.are.same({ 1, 2, 3, 4, 5, 6 }, r.streamed)
    assert.is_true(r.ok)
  end)

  it("verifies TLS peers against lua_ssl_trusted_certificate", function()
    local r = get(server, "/tls?port=" .. server.tls_port)
    assert.is_true(r.ok)
    assert.are.equal("tls-ok", r.request_id)
    local bad = get(server, "/tls?port=" .. server.tls_other_port)
    assert.is_false(bad.ok)
    assert.are.equal("network", bad.kind)
    assert.is_truthy(bad.message:find("TLS handshake with api.test failed", 1, true))
  end)

  it("in init_worker a call fails clearly and prepare works", function()
    local r = get(server, "/init_result")
    assert.are.equal("config|cannot send from nginx's init_worker phase: cosockets are not available " ..
                     "there (run the call from ngx.timer.at(0, fn) or a rewrite/access/content handler)", r.call)
    assert.is_truthy(r.prepare:find("Signature=OLeaidS1JvxuMvnyHOwuJ%2BuX5qY%3D", 1, true))
    assert.are.equal("credentials|the ECS metadata credentials of role EcsDemoRole failed: cannot send from " ..
                     "nginx's init_worker phase: cosockets are not available there (run the call from " ..
                     "ngx.timer.at(0, fn) or a rewrite/access/content handler)", r.creds)
  end)

  it("logged no Lua errors (the refused TLS peer above is logged by nginx itself)", function()
    local lua_errors = {}
    for line in server.log():gmatch("[^\n]+") do
      if line:find("[error]", 1, true) and not line:find("lua ssl certificate", 1, true) then
        lua_errors[#lua_errors + 1] = line
      end
    end
    assert.are.same({}, lua_errors)
  end)
end)

describe("inside OpenResty with two workers", function()
  local server

  setup(function() server = nginx.start{ workers = 2 } end)
  teardown(function() if server then server.stop() end end)

  -- GET path until both workers have answered (a new connection each
  -- time: either worker may answer), checking each answer.
  local function from_both_workers(path, check)
    local workers = {}
    for _ = 1, 200 do
      local r = get(server, path)
      check(r)
      workers[r.worker] = true
      if workers[0] and workers[1] then return end
    end
    error("only one worker answered " .. path)
  end

  it("shares one IAM token across workers through the shared dict", function()
    emulator.reset()
    from_both_workers("/huawei_token", function(r) assert.is_true(r.ok) end)
    assert.are.equal(1, emulator.stats().iam_tokens)
  end)

  it("a wrong password fails in every worker though the shared dict holds the user's token", function()
    emulator.reset()
    assert.is_true(get(server, "/huawei_token").ok) -- one worker gets the token, the dict shares it
    from_both_workers("/huawei_token_wrong", function(r)
      assert.are.same({ false, "credentials", 401 }, { r.ok, r.kind, r.status })
    end)
    assert.are.equal(1, emulator.stats().iam_tokens)
  end)

  it("shares an assumed role only with providers that would assume it alike: same signing key, options", function()
    emulator.reset()
    from_both_workers("/role_shared", function(r) assert.is_true(r.ok) end)
    assert.are.equal(1, #emulator.requests{ action = "AssumeRole", status = 200 }) -- one for both workers
    -- a wrong source secret never gets the key the dict holds for the role
    from_both_workers("/role_shared_wrong", function(r) assert.are.same({ false, "credentials" }, { r.ok, r.kind }) end)
    -- nor does a scoped-down policy get the broader key
    assert.is_true(get(server, "/role_shared_policy").ok)
    assert.are.equal(2, #emulator.requests{ action = "AssumeRole", status = 200 })
  end)

  it("shares one refreshed temporary key across workers through the shared dict", function()
    emulator.reset()
    -- a slow metadata answer: the other worker's first calls come while one refreshes
    emulator.fault{ api = "imds_credentials", kind = "delay", seconds = 0.5 }
    local workers, calls = {}, 0
    for _ = 1, 25 do
      local m, sessions = core.http_multi(), {}
      for i = 1, 6 do
        sessions[i] = core.http_session()
        assert(m:add(sessions[i], { method = "GET", url = server.url .. "/cred_shared", timeout = 20 }))
      end
      local done = 0
      while done < #sessions do
        for _, s in ipairs(m:step(1)) do
          done = done + 1
          local status, _, body = s:result()
          local r = assert(json.decode(body), body)
          assert.are.equal(200, status)
          assert.is_true(r.ok, body)
          workers[r.worker] = true
          calls = calls + 1
          s:close()
        end
      end
      if workers[0] and workers[1] then break end
    end
    assert.is_true(workers[0] and workers[1], "only one worker answered in " .. calls .. " calls")
    local s = emulator.stats()
    assert.are.same({ 1, 1 }, { s.imds_tokens, s.imds_credentials })
  end)
end)
