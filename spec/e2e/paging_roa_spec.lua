-- client:pages and client:items with the Alibaba ROA client against the
-- emulator's Container Service (GET /clusters by page_number/page_size,
-- page_info.total_count), under both signatures: every item once, the
-- style found from the answer alone, a fault mid-way, a retried page, an
-- early stop, an empty page while the total says more, and several
-- listings at once under cloudapi.all.
local cloudapi = require "cloudapi"
local emulator = require "support.emulator"

local LIST = "DescribeClusters"

local function cs(signature, opts)
  opts = opts or {}
  opts.product, opts.signature = "cs", signature
  if opts.retry == nil then opts.retry = { base_delay = 0.01, max_delay = 0.05 } end
  return emulator.aliyun(cloudapi.aliyun.roa, opts)
end

-- n clusters named prefix1..prefixn, oldest first (the order CS lists them).
local function make(c, n, prefix)
  for i = 1, n do
    assert(c:post("/clusters", { body = { name = (prefix or "n") .. i, region_id = "cn-hangzhou" },
                                 action = "CreateCluster" }))
  end
end

local function names(list)
  local out = {}
  for i, x in ipairs(list) do out[i] = x.name end
  return out
end

local drain = require "support.steps" -- every step of an iterator, errors included

for _, signature in ipairs({ "acs", "ACS3-HMAC-SHA256" }) do
  describe("ROA paging (" .. signature .. ")", function()
    before_each(function() emulator.reset() end)

    it("items: every cluster once, in order, each page a signed call", function()
      local c = cs(signature)
      make(c, 5)
      local got = {}
      for item, err in c:items("GET", "/clusters", { query = { page_size = 2 }, action = LIST }, "clusters") do
        assert.is_nil(err)
        got[#got + 1] = item
      end
      assert.are.same({ "n1", "n2", "n3", "n4", "n5" }, names(got))
      local log = emulator.requests{ operation = LIST }
      assert.are.equal(3, #log)
      assert.are_not.equal(log[1].nonce, log[2].nonce)
      assert.are.same({ 200, 200, 200 }, { log[1].status, log[2].status, log[3].status })
      if signature == "ACS3-HMAC-SHA256" then assert.are.equal(LIST, log[3].action) end
    end)

    it("pages with their info; the style found from the answer when the request names no size", function()
      local c = cs(signature)
      make(c, 12)
      local numbers, counts, ids = {}, {}, {}
      for page, err, info in c:pages("GET", "/clusters", { action = LIST }) do
        assert.is_nil(err)
        numbers[#numbers + 1] = page.page_info.page_number
        counts[#counts + 1] = #page.clusters
        ids[#ids + 1] = info.request_id
        assert.are.equal(12, page.page_info.total_count)
      end
      assert.are.same({ 1, 2 }, numbers) -- CS's default page_size is 10
      assert.are.same({ 10, 2 }, counts)
      assert.are.equal("string", type(ids[2]))
      assert.are_not.equal(ids[1], ids[2])
    end)

    it("a failure mid-way: the items before it, then false, err once, then the end", function()
      local c = cs(signature)
      make(c, 5)
      local iter = c:items("GET", "/clusters", { query = { page_size = 2 }, action = LIST }, "clusters")
      local got = { assert(iter()), assert(iter()) }
      emulator.fault{ kind = "error", api = "roa", status = 400, code = "ErrorParameterInvalid", message = "no more" }
      local v, err = iter()
      assert.is_false(v)
      assert.are.equal("ErrorParameterInvalid", err.code)
      assert.are.equal(400, err.status)
      assert.is_nil(iter())
      assert.is_nil(iter())
      assert.are.same({ "n1", "n2" }, names(got))
      assert.are.equal(2, #emulator.requests{ operation = LIST })
    end)

    it("a retryable failure on a page is retried like any GET", function()
      local c = cs(signature)
      make(c, 5)
      local iter = c:pages("GET", "/clusters", { query = { page_size = 2 }, action = LIST })
      assert(iter())
      emulator.fault{ kind = "error", api = "roa", status = 503, code = "ServiceUnavailable" }
      local page, err, info = iter()
      assert.is_nil(err)
      assert.are.equal(2, page.page_info.page_number)
      assert.are.equal(2, info.attempts)
      assert.are.equal(3, assert(iter()).page_info.page_number)
      assert.is_nil(iter())
    end)

    it("stops early without asking for more pages", function()
      local c = cs(signature)
      make(c, 5)
      local n = 0
      for _ in c:items("GET", "/clusters", { query = { page_size = 2 }, action = LIST }, "clusters") do
        n = n + 1
        if n == 3 then break end
      end
      assert.are.equal(3, n)
      assert.are.equal(2, #emulator.requests{ operation = LIST })
    end)

    it("an empty page while page_info.total_count says more ends with a clear error", function()
      local c = cs(signature)
      make(c, 5)
      emulator.fault{ kind = "empty_page", api = "roa" }
      local steps = drain(c:pages("GET", "/clusters", { query = { page_size = 2 }, action = LIST }))
      assert.are.equal(3, #steps) -- page 1, the empty page 2, the error
      assert.are.same({}, steps[2][1].clusters)
      local err = steps[3][2]
      assert.is_false(steps[3][1])
      assert.are.equal("decode", err.kind)
      assert.are.equal(2, err.page)
      assert.are.equal("paging stopped: page 2 is empty but page_info.total_count says 5 (2 before it): the " ..
                       "server lost items while paging", err.message)
      assert.are.equal(2, #emulator.requests{ operation = LIST })
    end)
  end)
end

describe("ROA paging under cloudapi.all", function()
  before_each(function() emulator.reset() end)

  it("lists of two accounts under both signatures at once", function()
    make(cs("acs"), 5, "t")
    make(cs("acs", { credentials = emulator.KEYS.demo }), 3, "d")
    emulator.fault{ kind = "delay", seconds = 1, count = 4 }
    local clients = { cs("acs"), cs("ACS3-HMAC-SHA256"), cs("acs", { credentials = emulator.KEYS.demo }),
                      cs("ACS3-HMAC-SHA256", { credentials = emulator.KEYS.demo }) }
    local calls = {}
    for i, c in ipairs(clients) do
      calls[i] = function()
        local got = {}
        for item, err in c:items("GET", "/clusters", { query = { page_size = 2 }, action = LIST }, "clusters") do
          if not item then return nil, err end
          got[#got + 1] = item.name
        end
        return table.concat(got, ",")
      end
    end
    local out = cloudapi.all(calls, { concurrency = 4 })
    assert.are.same({ "t1,t2,t3,t4,t5", "t1,t2,t3,t4,t5", "d1,d2,d3", "d1,d2,d3" },
                    { out[1][1], out[2][1], out[3][1], out[4][1] })
    local log = emulator.requests{ operation = LIST }
    assert.are.equal(3 + 3 + 2 + 2, #log)
    -- The four first pages (each delayed 1 s) all arrived before the first was answered.
    assert.is_true(log[4].time - log[1].time < 0.9, "arrivals " .. log[1].time .. " .. " .. log[4].time)
  end)
end)
