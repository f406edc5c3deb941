-- Paging and waiting inside a real nginx: items over the cosocket
-- transport (RPC, Huawei, ROA), and wait sleeping with ngx.sleep, which
-- leaves the worker free to serve other requests meanwhile.
local core = require "cloudapi.core"
local json = require "cloudapi.json"
local emulator = require "support.emulator"
local nginx = require "support.nginx"

describe("paging and waiting inside OpenResty", function()
  local server

  setup(function() server = nginx.start{ workers = 1 } end)
  teardown(function() if server then server.stop() end end)
  before_each(function() emulator.reset() end)

  it("iterates over every page of both clouds", function()
    local r = server.get("/items")
    assert.is_true(r.ok)
    assert.are.equal(300, r.instances)
    assert.are.equal(25, r.services)
    assert.are.equal(3, #emulator.requests{ action = "DescribeInstances" })
    assert.are.equal(3, #emulator.requests{ operation = "ListEndpointServices" })
  end)

  it("pages and waits with the ROA client under both signatures", function()
    for _, signature in ipairs({ "acs", "ACS3-HMAC-SHA256" }) do
      emulator.reset()
      emulator.cs{ running_after = 2.5 }
      local r = server.get("/roa_items?signature=" .. signature)
      assert.is_true(r.ok, r.message)
      assert.are.equal("ngx1,ngx2,ngx3,ngx4,ngx5", r.names)
      assert.are.equal("running", r.state)
      assert.is_true(r.polls >= 2, r.polls .. " polls") -- initial for 2.5 s: read more than once
      assert.are.equal(3, #emulator.requests{ operation = "DescribeClusters" })
    end
  end)

  it("waits with ngx.sleep: the one worker answers other requests meanwhile", function()
    emulator.lifecycle(0.5)
    local m = core.http_multi()
    local waiting = core.http_session()
    assert(m:add(waiting, { method = "GET", url = server.url .. "/wait?id=i-hz000003", timeout = 30 }))
    -- Until the handler's first read has reached the emulator (then it sleeps 1 to 2 s).
    local deadline, done = core.monotonic() + 20, false
    while core.monotonic() < deadline and #emulator.requests{ action = "DescribeInstances" } == 0 do
      if #m:step(0.02) > 0 then done = true; break end
    end
    assert.is_false(done)
    local t0 = core.monotonic()
    local r = server.get("/aliyun")
    local latency = core.monotonic() - t0
    assert.is_true(r.ok)
    -- A blocking sleep would hold the worker for a second or more.
    assert.is_true(latency < 0.5, "an other request took " .. latency .. " s during the wait")
    while core.monotonic() < deadline and not done do
      if #m:step(0.1) > 0 then done = true end
    end
    assert.is_true(done)
    local status, _, body = waiting:result()
    assert.are.equal(200, status)
    local w = json.decode(body)
    assert.is_true(w.ok, body)
    assert.are.equal("Running", w.status)
    assert.are.equal(2, w.polls)
  end)
end)
