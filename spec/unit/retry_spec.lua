-- The retry policy's pure parts: classification, policies, backoff bounds.
local retry = require "cloudapi.retry"
local errors = require "cloudapi.errors"

describe("retry.retryable", function()
  local function svc(status, code, message)
    return retry.retryable{ kind = "service", status = status, code = code, message = message }
  end
  it("follows the Alibaba conventions and the Huawei gateway codes", function()
    assert.is_true(svc(500, "InternalError"))
    assert.is_true(svc(503, "ServiceUnavailable"))
    assert.is_true(svc(400, "Throttling"))
    assert.is_true(svc(400, "Throttling.User"))
    assert.is_true(svc(503, "ServiceBusy"))
    assert.is_true(svc(400, "FlowControlError"))
    assert.is_true(svc(429, "APIGW.0308"))
    assert.is_true(svc(400, "Conflict", "Please Try it later."))
    assert.is_false(svc(400, "InvalidParameter", "bad"))
    assert.is_false(svc(403, "InvalidIdempotenceParameter.Mismatch"))
    assert.is_false(svc(401, "APIGW.0301"))
    assert.is_false(svc(404, "InvalidInstanceId.NotFound"))
    assert.is_true(retry.retryable{ kind = "network" })
    assert.is_true(retry.retryable{ kind = "timeout" })
    assert.is_false(retry.retryable{ kind = "config" })
    assert.is_false(retry.retryable{ kind = "credentials" })
  end)

  it("retries a non-idempotent request only when it never left", function()
    local refused = { kind = "network", retryable = true, maybe_sent = false }
    local reset = { kind = "network", retryable = true, maybe_sent = true }
    local timeout = { kind = "timeout", retryable = true, maybe_sent = true }
    assert.is_true(retry.should_retry(refused, false))
    assert.is_false(retry.should_retry(reset, false))
    assert.is_false(retry.should_retry(timeout, false))
    assert.is_true(retry.should_retry(timeout, true))
  end)
end)

describe("retry.policy", function()
  it("merges overrides into the defaults, false turns retries off", function()
    assert.are.same({ attempts = 5, base_delay = 0.2, max_delay = 5, deadline = 120 }, retry.policy{ attempts = 5 })
    assert.are.same({ attempts = 0, base_delay = 0.2, max_delay = 5, deadline = 120 }, retry.policy(false))
    local off = retry.policy(false, retry.policy{ deadline = 7 })
    assert.are.same({ attempts = 0, base_delay = 0.2, max_delay = 5, deadline = 7 }, off)
    assert.are.equal(off, retry.policy(nil, off))
    assert.are.same({ attempts = 3, base_delay = 0.2, max_delay = 5, deadline = 2 },
                    retry.policy({ deadline = 2 }, retry.DEFAULTS))
  end)
  it("names a bad setting", function()
    assert.are.same({ nil, "retry.attempts must be an integer from 0 to 100, got 1.5" },
                    { retry.policy{ attempts = 1.5 } })
    assert.are.same({ nil, "retry.base_delay must be a number of seconds, at least 0 and below 1000000, got -1" },
                    { retry.policy{ base_delay = -1 } })
    assert.are.same({ nil, "retry.deadline must be a number of seconds, above 0 and below 1000000, got 0" },
                    { retry.policy{ deadline = 0 } })
    assert.are.same({ nil, "retry must be false or a table {attempts=, base_delay=, max_delay=, deadline=}" },
                    { retry.policy(3) })
  end)
end)

describe("retry.delay", function()
  it("is full jitter under min(cap, base * 2^(n-1)), never less than the server's wait up to the cap", function()
    local p = { base_delay = 0.1, max_delay = 1 }
    for n = 1, 8 do
      local ceiling = math.min(1, 0.1 * 2 ^ (n - 1))
      for _ = 1, 200 do
        local d = retry.delay(p, n)
        assert.is_true(d >= 0 and d <= ceiling)
      end
    end
    assert.is_true(retry.delay(p, 1, { retry_after = 0.7 }) >= 0.7)
    assert.are.equal(1, retry.delay(p, 1, { retry_after = 3 }))
  end)

  it("neither reseeds nor draws from the program's math.random", function()
    math.randomseed(7)
    local want = { math.random(), math.random() }
    math.randomseed(7)
    for n = 1, 3 do retry.delay({ base_delay = 0.1, max_delay = 1 }, n) end
    assert.are.same(want, { math.random(), math.random() })
  end)

  it("reads x-acs-retry-after in milliseconds and Retry-After in seconds or as a date", function()
    assert.are.equal(1.5, retry.retry_after{ ["x-acs-retry-after"] = "1500" })
    assert.are.equal(2, retry.retry_after{ ["retry-after"] = "2" })
    assert.are.equal(10, retry.retry_after({ ["retry-after"] = "Sun, 22 Nov 2026 14:41:25 GMT" }, 1795358475))
    assert.is_nil(retry.retry_after{})
  end)
end)

describe("retry.run", function()
  it("counts attempts, keeps earlier failures and stops at the policy's limit", function()
    local calls, slept = 0, {}
    local res, err = retry.run({ attempts = 2, base_delay = 0.001, max_delay = 0.001 }, function(n)
      calls = calls + 1
      assert.are.equal(calls, n)
      return nil, errors.new{ kind = "service", status = 503, code = "ServiceUnavailable", retryable = true }
    end, true, { sleep = function(_, d) slept[#slept + 1] = d end })
    assert.is_nil(res)
    assert.are.equal(3, calls)
    assert.are.equal(3, err.attempts)
    assert.are.equal(2, #err.earlier)
    assert.are.equal(2, #slept)
    assert.is_true(slept[1] <= 0.001 and slept[2] <= 0.001)
  end)
end)
