-- client:pages and client:items against the emulator: Alibaba RPC by
-- NextToken and by PageNumber, Huawei by offset and by marker; a fault
-- mid-way, a retried page, an early stop, a looping token, an empty page,
-- and pages of several regions at once under cloudapi.all.
local cloudapi = require "cloudapi"
local emulator = require "support.emulator"

local PID = emulator.PROJECTS["cn-north-4"]

local function ecs(opts)
  opts = opts or {}
  opts.product, opts.endpoint, opts.credentials = "ecs", emulator.url, emulator.KEYS.test
  opts.region = opts.region or "cn-hangzhou"
  if opts.retry == nil then opts.retry = { base_delay = 0.01, max_delay = 0.05 } end
  return cloudapi.aliyun.new(opts)
end

local function huawei(service)
  return cloudapi.huaweicloud.new{ service = service, region = "cn-north-4", endpoint = emulator.url,
                                   project_id = PID, credentials = emulator.KEYS.hw,
                                   retry = { base_delay = 0.01, max_delay = 0.05 } }
end

local function ids(list, field)
  local out = {}
  for i, x in ipairs(list) do out[i] = x[field or "InstanceId"] end
  return out
end

local function expected_ids(from, to)
  local out = {}
  for i = from, to do out[#out + 1] = string.format("i-hz%06d", i) end
  return out
end

local drain = require "support.steps" -- every step of an iterator, errors included

describe("paging", function()
  before_each(function() emulator.reset() end)

  it("RPC by NextToken: every item once, in order, each page a signed call", function()
    local got = {}
    for item, err in ecs():items("DescribeInstances", { MaxResults = 100 }, "Instances.Instance") do
      assert.is_nil(err)
      got[#got + 1] = item
    end
    assert.are.same(expected_ids(1, 300), ids(got))
    local log = emulator.requests{ action = "DescribeInstances" }
    assert.are.equal(3, #log)
    assert.are_not.equal(log[1].nonce, log[2].nonce)
    assert.are.same({ 200, 200, 200 }, { log[1].status, log[2].status, log[3].status })
  end)

  it("RPC by PageNumber: pages with their info", function()
    local pages, infos = {}, {}
    for page, err, info in ecs():pages("DescribeInstances", { PageSize = 100, Status = "Stopped" }) do
      assert.is_nil(err)
      pages[#pages + 1] = page.PageNumber
      infos[#infos + 1] = info.request_id
      assert.are.equal(100, page.TotalCount)
    end
    assert.are.same({ 1 }, pages) -- 100 stopped instances fit one page
    local n, numbers = 0, {}
    for page in ecs():pages("DescribeInstances", { PageSize = 40 }) do
      n = n + #page.Instances.Instance
      numbers[#numbers + 1] = page.PageNumber
    end
    assert.are.equal(300, n)
    assert.are.same({ 1, 2, 3, 4, 5, 6, 7, 8 }, numbers)
    assert.are.equal("string", type(infos[1]))
  end)

  it("RPC: detects NextToken from a named style, and pages XML answers", function()
    local n = 0
    for _ in ecs({ region = "eu-west-1" }):items("DescribeInstances", {}, { paging = "token" }, "Instances.Instance") do
      n = n + 1
    end
    assert.are.equal(10, n) -- no token asked for, none followed: the first page only
    local x = {}
    for item in ecs({ format = "XML" }):items("DescribeInstances", { PageSize = 100 }, "Instances.Instance") do
      x[#x + 1] = item
    end
    assert.are.same(expected_ids(1, 300), ids(x))
  end)

  it("Huawei by offset/limit: every endpoint service once", function()
    local got = {}
    for s, err in huawei("vpcep"):items("GET", "/v1/{project_id}/vpc-endpoint-services", { query = { limit = 10 } },
                                        "endpoint_services") do
      assert.is_nil(err)
      got[#got + 1] = s.id
    end
    assert.are.equal(25, #got)
    local seen = {}
    for _, id in ipairs(got) do assert.is_nil(seen[id]); seen[id] = true end
    assert.are.equal(3, #emulator.requests{ operation = "ListEndpointServices" })
  end)

  it("Huawei by marker: VPC v3 ListVpcs", function()
    local names = {}
    for v, err in huawei("vpc"):items("GET", "/v3/{project_id}/vpc/vpcs", { query = { limit = 5 } }, "vpcs") do
      assert.is_nil(err)
      names[#names + 1] = v.name
    end
    assert.are.same({ "vpc-01", "vpc-02", "vpc-03", "vpc-04", "vpc-05", "vpc-06", "vpc-07", "vpc-08", "vpc-09",
                      "vpc-10", "vpc-11", "vpc-12" }, names)
    assert.are.equal(3, #emulator.requests{ operation = "ListVpcs" })
  end)

  it("a failure mid-way: the items before it delivered, then false, err once, then the end", function()
    local c = ecs()
    local iter = c:items("DescribeInstances", { MaxResults = 100 }, "Instances.Instance")
    local got = {}
    for _ = 1, 100 do got[#got + 1] = assert(iter()) end
    emulator.fault{ kind = "error", status = 400, code = "InvalidParameter", message = "no more" }
    local v, err = iter()
    assert.is_false(v)
    assert.are.equal("InvalidParameter", err.code)
    assert.are.equal(400, err.status)
    assert.is_nil(iter())
    assert.is_nil(iter())
    assert.are.same(expected_ids(1, 100), ids(got))
    assert.are.equal(2, #emulator.requests{ action = "DescribeInstances" })
  end)

  it("a retryable failure on a page is retried like any call", function()
    local c = ecs()
    local iter = c:pages("DescribeInstances", { PageSize = 100 })
    assert(iter())
    emulator.fault{ kind = "error", status = 503, code = "ServiceUnavailable" }
    local page, err, info = iter()
    assert.is_nil(err)
    assert.are.equal(2, page.PageNumber)
    assert.are.equal(2, info.attempts)
    assert.are.equal(3, assert(iter()).PageNumber)
    assert.is_nil(iter())
  end)

  it("stops early without asking for more pages", function()
    local n = 0
    for _ in ecs():items("DescribeInstances", { MaxResults = 100 }, "Instances.Instance") do
      n = n + 1
      if n == 150 then break end
    end
    assert.are.equal(150, n)
    assert.are.equal(2, #emulator.requests{ action = "DescribeInstances" })
  end)

  it("a server repeating its NextToken ends with a clear error, not an endless loop", function()
    emulator.fault{ kind = "repeat_token", api = "rpc" }
    local steps = drain(ecs():items("DescribeInstances", { MaxResults = 100 }, "Instances.Instance"))
    assert.are.equal(201, #steps) -- pages 1 and 2 delivered, then the error
    assert.are.equal("i-hz000200", steps[200][1].InstanceId)
    local err = steps[201][2]
    assert.is_false(steps[201][1])
    assert.are.equal("decode", err.kind)
    local token = err.message:match("repeats NextToken '(%x+)'")
    assert.are.equal("paging stopped: the answer to page 2 repeats NextToken '" .. token .. "', which an earlier " ..
                     "page gave: paging would never end", err.message)
    assert.are.equal(2, err.page)
    assert.are.equal("string", type(err.request_id))
    assert.are.equal(2, #emulator.requests{ action = "DescribeInstances" })
  end)

  it("a Huawei marker repeated, and an empty page while the total says more, end with errors", function()
    emulator.fault{ kind = "repeat_token", api = "huawei" }
    local steps = drain(huawei("vpc"):items("GET", "/v3/{project_id}/vpc/vpcs", { query = { limit = 5 } }, "vpcs"))
    assert.are.equal(11, #steps)
    assert.is_truthy(steps[11][2].message:find("repeats page_info.next_marker '", 1, true))
    emulator.fault{ kind = "empty_page", api = "huawei" }
    local s2 = drain(huawei("vpcep"):items("GET", "/v1/{project_id}/vpc-endpoint-services",
                                           { query = { limit = 10 } }, "endpoint_services"))
    assert.are.equal(11, #s2)
    assert.are.equal("paging stopped: page 2 is empty but total_count says 25 (10 before it): the server lost " ..
                     "items while paging", s2[11][2].message)
    emulator.fault{ kind = "empty_page", api = "rpc" }
    local s3 = drain(ecs():pages("DescribeInstances", { PageSize = 100 }))
    assert.are.equal(3, #s3) -- page 1, the empty page 2, the error
    assert.are.same({}, s3[2][1].Instances.Instance)
    assert.are.equal("paging stopped: page 2 is empty but TotalCount says 300 (100 before it): the server lost " ..
                     "items while paging", s3[3][2].message)
  end)

  it("refuses a bad path or style with a config error, as the first step", function()
    local steps = drain(ecs():items("DescribeInstances", {}, "Instances..Instance"))
    assert.are.equal(1, #steps)
    assert.are.equal("config", steps[1][2].kind)
    assert.are.equal("path 'Instances..Instance' has an empty segment", steps[1][2].message)
    local s2 = drain(ecs():pages("DescribeInstances", {}, { paging = "cursor" }))
    assert.are.equal('paging must be "token", "number", "offset" or "marker", got "cursor"', s2[1][2].message)
    local s3 = drain(ecs():items("DescribeInstances", {}))
    assert.are.equal('items: the last argument must be the items\' path, such as "Instances.Instance"',
                     s3[1][2].message)
    local s4 = drain(ecs():items("DescribeInstances", { PageSize = 5 }, "Instances"))
    assert.are.equal("page 1: 'Instances' is an object, not a list", s4[1][2].message)
    local s5 = drain(ecs():items("DescribeInstances", { PageSize = 5 }, "TotalCount"))
    assert.are.equal("page 1: 'TotalCount' is a number, not a list", s5[1][2].message)
    assert.are.equal(0, #emulator.requests{ action = "DescribeNothing" })
  end)

  it("pages of several regions at once under cloudapi.all", function()
    emulator.fault{ kind = "delay", seconds = 1, count = 4 }
    local c = ecs()
    local regions = { "cn-hangzhou", "ap-northeast-1", "eu-west-1", "ap-south-1" }
    local calls = {}
    for i, region in ipairs(regions) do
      calls[i] = function()
        local n = 0
        for item, err in c:items("DescribeInstances", { RegionId = region, MaxResults = 20 }, "Instances.Instance") do
          if not item then return nil, err end
          assert(item.RegionId == region)
          n = n + 1
        end
        return n
      end
    end
    local out = cloudapi.all(calls, { concurrency = 4 })
    assert.are.same({ 300, 25, 25, 25 }, { out[1][1], out[2][1], out[3][1], out[4][1] })
    local log = emulator.requests{ action = "DescribeInstances" }
    assert.are.equal(15 + 2 + 2 + 2, #log)
    -- The first four requests (one per region, each delayed 1 s) all
    -- arrived before the first was answered: they were in flight together.
    assert.is_true(log[4].time - log[1].time < 0.9, "arrivals " .. log[1].time .. " .. " .. log[4].time)
  end)
end)
