-- File descriptors of the curl transport: a session used only through a
-- shared multi handle holds none of its own, a wide cloudapi.all leaves
-- none behind, a process with few descriptors runs high concurrency, and
-- running out of them says so.
local cloudapi = require "cloudapi"
local emulator = require "support.emulator"

-- This process's open descriptors (ls runs in a child: it lists ours).
local function pid()
  local f = assert(io.open("/proc/self/stat"))
  local s = f:read("*l")
  f:close()
  return s:match("^(%d+)")
end

local function fds()
  -- what earlier specs left unreachable closes now, not in the middle of a count
  collectgarbage()
  collectgarbage()
  local p = assert(io.popen("ls /proc/" .. pid() .. "/fd | wc -l"))
  local n = tonumber(p:read("*a"))
  p:close()
  return n - 1 -- the pipe popen reads through
end

local function ecs()
  return cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", endpoint = emulator.url,
                              credentials = emulator.KEYS.test, retry = false }
end

-- Runs `calls` DescribeRegions at `concurrency` in a child process whose
-- descriptor limit is `limit`; returns how many succeeded and the
-- distinct error messages.
local function child(limit, calls, concurrency)
  local script = os.tmpname()
  local f = assert(io.open(script, "w"))
  f:write(([[
    local cloudapi = require "cloudapi"
    local c = cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", endpoint = %q,
                                   credentials = { access_key_id = "testid", access_key_secret = "testsecret" },
                                   retry = false }
    local list = {}
    for i = 1, %d do list[i] = { c, "call", "DescribeRegions" } end
    local ok, seen = 0, {}
    for _, r in ipairs(cloudapi.all(list, { concurrency = %d })) do
      local m = r[2] and r[2].message
      if r[1] then ok = ok + 1 elseif not seen[m] then seen[m] = true; print("E " .. m) end
    end
    print("OK " .. ok)
  ]]):format(emulator.url, calls, concurrency))
  f:close()
  local lua = os.getenv("CLOUDAPI_TEST_LUA") or "lua5.4"
  local p = assert(io.popen(("ulimit -n %d && %s %s 2>&1"):format(limit, lua, script)))
  local out = p:read("*a")
  p:close()
  os.remove(script)
  local errors = {}
  for m in out:gmatch("E ([^\n]*)") do errors[#errors + 1] = m end
  return tonumber(out:match("OK (%d+)")), errors, out
end

describe("file descriptors", function()
  before_each(function() emulator.reset() end)

  -- In a process of its own: a full run's earlier specs leave objects
  -- whose descriptors may close (or a library open one) mid-count.
  it("a new session holds none until it makes a call of its own", function()
    local script = os.tmpname()
    local f = assert(io.open(script, "w"))
    f:write(([[
      local core = require "cloudapi.core"
      local function fds()
        collectgarbage(); collectgarbage()
        local stat = assert(io.open("/proc/self/stat"))
        local pid = stat:read("*l"):match("^(%%d+)")
        stat:close()
        local p = assert(io.popen("ls /proc/" .. pid .. "/fd | wc -l"))
        local n = tonumber(p:read("*a"))
        p:close()
        return n - 1
      end
      local url = %q
      local counts = { fds() }
      local sessions = {}
      for i = 1, 20 do sessions[i] = core.http_session() end
      counts[2] = fds()
      local m = core.http_multi()
      for i = 1, 20 do assert(m:add(sessions[i], { method = "GET", url = url .. "/__emulator/ping" })) end
      local done = 0
      while done < 20 do
        local _, n = m:step(1)
        done = done + n
      end
      m:close()
      for i = 1, 20 do assert(sessions[i]:result() == 200) end
      counts[3] = fds()
      assert(sessions[1]:request{ method = "GET", url = url .. "/__emulator/ping" } == 200)
      counts[4] = fds()
      for i = 1, 20 do sessions[i]:close() end
      counts[5] = fds()
      print("COUNTS " .. table.concat(counts, " "))
    ]]):format(emulator.url))
    f:close()
    local lua = os.getenv("CLOUDAPI_TEST_LUA") or "lua5.4"
    local p = assert(io.popen(lua .. " " .. script .. " 2>&1"))
    local out = p:read("*a")
    p:close()
    os.remove(script)
    local n = {}
    for c in (out:match("COUNTS ([%d ]+)") or ""):gmatch("%d+") do n[#n + 1] = tonumber(c) end
    assert.are.equal(5, #n, out)
    assert.are.equal(n[1], n[2], "20 new sessions opened descriptors")
    assert.are.equal(n[1], n[3], "requests through a shared multi left descriptors")
    assert.is_true(n[4] > n[1], "a plain call opened nothing") -- its multi handle, its connection
    assert.are.equal(n[1], n[5], "closing the sessions left descriptors")
  end)

  it("cloudapi.all at concurrency 1000 leaves no descriptor behind", function()
    local c = ecs()
    local before = fds()
    local list = {}
    for i = 1, 1000 do list[i] = { c, "call", "DescribeRegions" } end
    local ok = 0
    for _, r in ipairs(cloudapi.all(list, { concurrency = 1000 })) do
      if r[1] then ok = ok + 1 end
    end
    assert.are.equal(1000, ok)
    assert.is_true(fds() - before <= 0, (fds() - before) .. " descriptors left")
    c:close()
  end)

  it("runs concurrency 100 in a process limited to 200 descriptors", function()
    local ok, errors, out = child(200, 300, 100)
    assert.are.same({}, errors)
    assert.are.equal(300, ok, out)
  end)

  it("says when it runs out of them", function()
    local ok, errors, out = child(48, 200, 100)
    assert.is_true(ok ~= nil and ok > 0 and ok < 200, out)
    assert.are.same({ "out of file descriptors (Too many open files): raise the limit (ulimit -n) or lower " ..
                      "the concurrency" }, errors)
  end)
end)
