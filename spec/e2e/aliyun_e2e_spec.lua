-- Alibaba RPC end to end: the real client, the curl transport and the
-- emulator (which verifies every signature with its own code).
local cloudapi = require "cloudapi"
local emulator = require "support.emulator"

local KEYS = emulator.KEYS

local function client(product, opts)
  opts = opts or {}
  opts.product = product
  opts.endpoint = opts.endpoint or emulator.url
  opts.credentials = opts.credentials or KEYS.test
  opts.region = opts.region or "cn-hangzhou"
  return cloudapi.aliyun.new(opts)
end

local function without_request_id(t)
  local copy = {}
  for k, v in pairs(t) do copy[k] = v end
  copy.RequestId = nil
  return copy
end

describe("aliyun end to end", function()
  before_each(function() emulator.reset() end)

  describe("ECS DescribeRegions", function()
    it("returns the regions of the reference table in JSON", function()
      local res, err, info = client("ecs"):call("DescribeRegions")
      assert.is_nil(err)
      assert.are.equal("string", type(res.RequestId))
      assert.are.equal(res.RequestId, info.request_id)
      assert.are.equal(200, info.status)
      assert.are.equal(1, info.attempts)
      local names = 0
      for name in pairs(info.headers) do names = names + 1; assert.are.equal(name:lower(), name) end
      assert.is_true(names >= 3)
      assert.are.equal("application/json;charset=utf-8", info.headers["content-type"])
      assert.are.equal(res.RequestId, info.headers["x-acs-request-id"])
      local by_id = {}
      for _, r in ipairs(res.Regions.Region) do by_id[r.RegionId] = r end
      assert.are.equal(13, #res.Regions.Region)
      assert.are.equal("ecs.cn-zhangjiakou.aliyuncs.com", by_id["cn-zhangjiakou"].RegionEndpoint)
      assert.are.equal("ecs.eu-west-1.aliyuncs.com", by_id["eu-west-1"].RegionEndpoint)
      assert.are.equal("ecs.aliyuncs.com", by_id["cn-hangzhou"].RegionEndpoint)
    end)

    it("gives the same table in XML as in JSON", function()
      local j = assert(client("ecs"):call("DescribeRegions"))
      local x = assert(client("ecs", { format = "XML" }):call("DescribeRegions"))
      assert.are.same(without_request_id(j), without_request_id(x))
    end)

    it("signs reserved and non-ASCII characters and invalid UTF-8 correctly", function()
      for _, v in ipairs({ "中文 ~*+😀/?&=%", "a\255\254b", string.rep("x", 3000) }) do
        local res, err = client("ecs"):call("DescribeRegions", { AcceptLanguage = v })
        assert.is_nil(err)
        assert.are.equal(13, #res.Regions.Region)
      end
    end)

    it("works over POST", function()
      local res = assert(client("ecs", { method = "POST" }):call("DescribeRegions", { AcceptLanguage = "en-US" }))
      assert.are.equal(13, #res.Regions.Region)
    end)

    it("works with STS credentials (SecurityToken signed)", function()
      local res = assert(client("ecs", { credentials = KEYS.sts }):call("DescribeRegions"))
      assert.are.equal(13, #res.Regions.Region)
    end)
  end)

  describe("ECS DescribeInstances", function()
    it("pages over the region's instances", function()
      local ecs = client("ecs")
      local p1 = assert(ecs:call("DescribeInstances", { PageSize = 50, PageNumber = 1 }))
      local p2 = assert(ecs:call("DescribeInstances", { PageSize = 50, PageNumber = 2 }))
      assert.are.equal(300, p1.TotalCount)
      assert.are.equal(50, #p1.Instances.Instance)
      assert.are.equal(2, p2.PageNumber)
      assert.are_not.equal(p1.Instances.Instance[1].InstanceId, p2.Instances.Instance[1].InstanceId)
      assert.are.equal("cn-hangzhou", p1.Instances.Instance[1].RegionId)
    end)

    it("filters by an InstanceIds JSON array and by Status", function()
      local ecs = client("ecs")
      local all = assert(ecs:call("DescribeInstances", { PageSize = 3 })).Instances.Instance
      local ids = { all[1].InstanceId, all[3].InstanceId }
      local res = assert(ecs:call("DescribeInstances", { InstanceIds = cloudapi.json(ids) }))
      assert.are.equal(2, res.TotalCount)
      assert.are.same(ids, { res.Instances.Instance[1].InstanceId, res.Instances.Instance[2].InstanceId })
      local stopped = assert(ecs:call("DescribeInstances", { Status = "Stopped", PageSize = 100 }))
      assert.are.equal(100, stopped.TotalCount)
      for _, i in ipairs(stopped.Instances.Instance) do assert.are.equal("Stopped", i.Status) end
    end)

    it("gives the same table in XML as in JSON, one-item lists included", function()
      local args = { PageSize = 1, Status = "Running" }
      local j = assert(client("ecs"):call("DescribeInstances", args))
      -- OperationLocks holds LockReason items: XML cannot tell it is a list when empty
      local x = assert(client("ecs", { format = "XML",
        xml_lists = { ["Instances.Instance.OperationLocks.LockReason"] = true } }):call("DescribeInstances", args))
      assert.are.equal(1, #x.Instances.Instance)
      assert.are.same(without_request_id(j), without_request_id(x))
    end)

    it("turns a bad page size into a service error", function()
      local res, err = client("ecs"):call("DescribeInstances", { PageSize = 1000 })
      assert.is_nil(res)
      assert.are.equal("service", err.kind)
      assert.are.equal("InvalidParameter", err.code)
      assert.are.equal(400, err.status)
      assert.is_false(err.retryable)
    end)
  end)

  describe("ECS StartInstance and CreateSnapshot", function()
    it("starts a stopped instance once, then reports it Starting", function()
      local ecs = client("ecs")
      local stopped = assert(ecs:call("DescribeInstances", { Status = "Stopped", PageSize = 1 })).Instances.Instance[1]
      local res, err = ecs:call("StartInstance", { InstanceId = stopped.InstanceId })
      assert.is_nil(err)
      assert.are.equal("string", type(res.RequestId))
      local again = assert(ecs:call("DescribeInstances", { InstanceIds = cloudapi.json{ stopped.InstanceId } }))
      assert.are.equal("Starting", again.Instances.Instance[1].Status) -- Running later: wait_spec.lua
      local _, e2 = ecs:call("StartInstance", { InstanceId = stopped.InstanceId })
      assert.are.equal("IncorrectInstanceStatus", e2.code)
      assert.are.equal(403, e2.status)
      local _, e3 = client("ecs", { format = "XML" }):call("StartInstance", { InstanceId = "i-nope" })
      assert.are.equal("InvalidInstanceId.NotFound", e3.code)
      assert.are.equal(404, e3.status)
      assert.are.equal("The specified InstanceId does not exist.", e3.message)
      assert.are.equal("string", type(e3.request_id))
    end)

    it("creates a snapshot and names a missing parameter", function()
      local ecs = client("ecs")
      local res = assert(ecs:call("CreateSnapshot", { DiskId = "d-123" }))
      assert.is_truthy(res.SnapshotId:match("^s%-"))
      local _, err = ecs:call("CreateSnapshot", {})
      assert.are.equal("MissingDiskId", err.code)
      assert.are.equal("DiskId is mandatory for this action.", err.message)
    end)
  end)

  describe("VPC EIP", function()
    it("allocates once per ClientToken, describes and releases", function()
      local vpc = client("vpc")
      local a = assert(vpc:call("AllocateEipAddress", { Bandwidth = 5, ClientToken = "tok-1" }))
      local b = assert(vpc:call("AllocateEipAddress", { Bandwidth = 5, ClientToken = "tok-1" }))
      assert.are.equal(a.AllocationId, b.AllocationId)
      assert.are.equal(1, emulator.stats().eips)
      local _, mismatch = vpc:call("AllocateEipAddress", { Bandwidth = 6, ClientToken = "tok-1" })
      assert.are.equal("InvalidIdempotenceParameter.Mismatch", mismatch.code)
      assert.are.equal(403, mismatch.status)
      assert.is_false(mismatch.retryable)
      local list = assert(vpc:call("DescribeEipAddresses", {}))
      assert.are.equal(1, list.TotalCount)
      assert.are.equal(a.AllocationId, list.EipAddresses.EipAddress[1].AllocationId)
      assert.are.equal(a.EipAddress, list.EipAddresses.EipAddress[1].IpAddress)
      local xml = assert(client("vpc", { format = "XML" }):call("DescribeEipAddresses", {}))
      assert.are.equal(a.AllocationId, xml.EipAddresses.EipAddress[1].AllocationId)
      assert(vpc:call("ReleaseEipAddress", { AllocationId = a.AllocationId }))
      assert.are.equal(0, assert(vpc:call("DescribeEipAddresses", {})).TotalCount)
      local _, gone = vpc:call("ReleaseEipAddress", { AllocationId = a.AllocationId })
      assert.are.equal("InvalidAllocationId.NotFound", gone.code)
    end)
  end)

  it("answers every action in XML too", function()
    local ecs = client("ecs", { format = "XML" })
    local vpc = client("vpc", { format = "XML" })
    assert.are.equal(13, #assert(ecs:call("DescribeRegions")).Regions.Region)
    local page = assert(ecs:call("DescribeInstances", { Status = "Stopped", PageSize = 2 }))
    assert.are.equal(100, page.TotalCount)
    assert.are.equal(2, #page.Instances.Instance)
    local started = assert(ecs:call("StartInstance", { InstanceId = page.Instances.Instance[1].InstanceId }))
    assert.is_string(started.RequestId)
    assert.is_truthy(assert(ecs:call("CreateSnapshot", { DiskId = "d-x" })).SnapshotId:match("^s%-"))
    local eip = assert(vpc:call("AllocateEipAddress", { ClientToken = "xml-1" }))
    assert.is_truthy(eip.AllocationId:match("^eip%-"))
    local list = assert(vpc:call("DescribeEipAddresses", {}))
    assert.are.equal(1, list.TotalCount)
    assert.are.equal(eip.EipAddress, list.EipAddresses.EipAddress[1].IpAddress)
    assert.is_string(assert(vpc:call("ReleaseEipAddress", { AllocationId = eip.AllocationId })).RequestId)
    assert.are.equal(13, #assert(vpc:call("DescribeRegions")).Regions.Region)
  end)

  describe("the emulator rejects what it must", function()
    it("rejects a wrong secret, and the client says the secret is at fault", function()
      local secret = "the-wrong-secret-42"
      local res, err = client("ecs", { credentials = { access_key_id = "testid", access_key_secret = secret } })
        :call("DescribeRegions")
      assert.is_nil(res)
      assert.are.equal("SignatureDoesNotMatch", err.code)
      assert.are.equal(400, err.status)
      assert.are.equal(err.client_string_to_sign, err.server_string_to_sign)
      assert.is_truthy(err.diagnosis:find("wrong secret", 1, true))
      assert.is_falsy(tostring(err):find(secret, 1, true))
    end)

    it("names a canonicalization difference when the request changed in transit", function()
      -- A proxy that rewrites one parameter value after signing.
      local curl = require("cloudapi.transport.curl").new()
      local tampering = { send = function(_, req)
        req.url = req.url:gsub("AcceptLanguage=en", "AcceptLanguage=zh")
        return curl:send(req)
      end }
      local _, err = client("ecs", { transport = tampering }):call("DescribeRegions", { AcceptLanguage = "en-US" })
      assert.are.equal("SignatureDoesNotMatch", err.code)
      assert.is_truthy(err.diagnosis:find("^canonicalization difference: the strings to sign first differ at byte"))
      assert.is_truthy(err.server_string_to_sign:find("AcceptLanguage%3Dzh-US", 1, true))
    end)

    it("rejects a reused nonce", function()
      local ecs = client("ecs")
      local req = assert(ecs:prepare("DescribeRegions", nil, { nonce = "fixed-nonce-1" }))
      assert(ecs:send(req))
      local req2 = assert(ecs:prepare("DescribeRegions", nil, { nonce = "fixed-nonce-1" }))
      local _, err = ecs:send(req2)
      assert.are.equal("SignatureNonceUsed", err.code)
    end)

    it("rejects a timestamp more than 15 minutes off", function()
      local ecs = client("ecs")
      local req = assert(ecs:prepare("DescribeRegions", nil, { timestamp = os.time() - 16 * 60 }))
      local _, err = ecs:send(req)
      assert.are.equal("InvalidTimeStamp.Expired", err.code)
    end)

    it("rejects an unknown AccessKeyId and an unknown action", function()
      local _, e1 = client("ecs", { credentials = { access_key_id = "nobody", access_key_secret = "x" } })
        :call("DescribeRegions")
      assert.are.equal("InvalidAccessKeyId.NotFound", e1.code)
      assert.are.equal(404, e1.status)
      local _, e2 = client("ecs"):call("DescribeNothing")
      assert.are.equal("InvalidAction.NotFound", e2.code)
      assert.are.equal(404, e2.status)
      assert.are.equal("Specified api is not found, please check your url and method.", e2.message)
      assert.are.equal("cloudapi service error InvalidAction.NotFound (HTTP 404): Specified api is not found, " ..
                       "please check your url and method. [RequestId " .. e2.request_id .. "]", tostring(e2))
    end)

    it("rejects an STS key without its token", function()
      local _, err = client("ecs", { credentials = { access_key_id = "sts-ak", access_key_secret = "sts-secret" } })
        :call("DescribeRegions")
      assert.are.equal("MissingSecurityToken", err.code)
    end)
  end)

  describe("transport failures, one attempt each (retry = false)", function()
    it("is a network error when nothing listens", function()
      local _, err = client("ecs", { endpoint = "http://127.0.0.1:9", retry = false }):call("DescribeRegions")
      assert.are.equal("network", err.kind)
      assert.is_true(err.retryable)
      assert.is_truthy(err.message:find("127.0.0.1", 1, true))
    end)

    it("is a timeout error when the answer is late", function()
      emulator.fault{ kind = "delay", seconds = 2 }
      local t0 = os.time()
      local _, err = client("ecs", { timeout = { connect = 1, read = 0.3 }, retry = false }):call("DescribeRegions")
      assert.are.equal("timeout", err.kind)
      assert.is_true(err.retryable)
      assert.is_true(os.time() - t0 <= 2)
    end)

    it("reports throttling and 5xx as retryable service errors", function()
      emulator.fault{ kind = "throttle" }
      local _, e1 = client("ecs", { retry = false }):call("DescribeRegions")
      assert.are.equal("Throttling", e1.code)
      assert.is_true(e1.retryable)
      emulator.fault{ kind = "error", status = 503, code = "ServiceUnavailable" }
      local _, e2 = client("ecs", { retry = false }):call("DescribeRegions")
      assert.are.equal(503, e2.status)
      assert.is_true(e2.retryable)
    end)

    it("reports a reset connection and a truncated body as network errors", function()
      emulator.fault{ kind = "reset" }
      local _, e1 = client("ecs", { retry = false }):call("DescribeRegions")
      assert.are.equal("network", e1.kind)
      emulator.fault{ kind = "truncate" }
      local _, e2 = client("ecs", { retry = false }):call("DescribeRegions")
      assert.are.equal("network", e2.kind)
    end)

    it("keeps working on the same client after a failure (keep-alive handle reused)", function()
      local ecs = client("ecs", { retry = false })
      emulator.fault{ kind = "reset" }
      assert.is_nil((ecs:call("DescribeRegions")))
      for _ = 1, 5 do assert(ecs:call("DescribeRegions")) end
    end)
  end)
end)
