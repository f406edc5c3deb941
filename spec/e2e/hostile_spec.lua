-- The curl transport against a hostile server (the emulator's
-- /__hostile/): every case of spec/support/hostile.lua ends as the table
-- says (the ngx transport is held to the same in spec/openresty).
local core = require "cloudapi.core"
local curl = require "cloudapi.transport.curl"
local emulator = require "support.emulator"
local hostile = require "support.hostile"

describe("the curl transport against a hostile server", function()
  for _, case in ipairs(hostile.CASES) do
    it(case.name, function()
      local t = curl.new{ max_body = case.req and case.req.max_body }
      local out = hostile.send(t, emulator.url, case, core.monotonic)
      t:close()
      assert.is_nil(hostile.mismatch(case, out))
    end)
  end

  it("makes a malformed answer a retryable network error of the call", function()
    local cloudapi = require "cloudapi"
    local c = cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", credentials = emulator.KEYS.test,
                                   endpoint = emulator.url }
    for _, path in ipairs({ "garbage-status", "status-then-close", "long-header-line", "header-flood" }) do
      local req = assert(c:prepare("DescribeRegions"))
      req.url = emulator.url .. "/__hostile/" .. path
      local _, err = c:send(req)
      assert.are.equal("network", err.kind, path)
      assert.is_true(err.retryable, path)
      assert.is_true(err.maybe_sent, path)
    end
    c:close()
  end)
end)
