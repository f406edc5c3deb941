-- ACS3-HMAC-SHA256 on the RPC client end to end: every emulator action,
-- GET (query) and POST (form body), STS, caller headers, and what the
-- emulator refuses (wrong secret, reused nonce, stale time, unknown scheme).
local cloudapi, core = require "cloudapi", require "cloudapi.core"
local emulator = require "support.emulator"
local KEYS = emulator.KEYS

local function client(product, opts)
  opts = opts or {}
  opts.product, opts.signature = product, "ACS3-HMAC-SHA256"
  return emulator.aliyun(cloudapi.aliyun.new, opts)
end

describe("aliyun RPC under ACS3-HMAC-SHA256", function()
  before_each(function() emulator.reset() end)

  for _, method in ipairs({ "GET", "POST" }) do
    it("serves every ECS and VPC action over " .. method, function()
      local ecs, vpc = client("ecs", { method = method }), client("vpc", { method = method })
      assert.are.equal(13, #assert(ecs:call("DescribeRegions", { AcceptLanguage = "中文 ~*+/?&=%" })).Regions.Region)
      local page = assert(ecs:call("DescribeInstances", { Status = "Stopped", PageSize = 2,
                                                          Tag = { { Key = "k", Value = "v w" } } }))
      assert.are.equal(100, page.TotalCount)
      assert.are.equal(2, #page.Instances.Instance)
      assert(ecs:call("StartInstance", { InstanceId = page.Instances.Instance[1].InstanceId }))
      local again = assert(ecs:call("DescribeInstances",
                                    { InstanceIds = cloudapi.json{ page.Instances.Instance[1].InstanceId } }))
      assert.are.equal("Starting", again.Instances.Instance[1].Status) -- then Running (the lifecycle)
      assert.is_truthy(assert(ecs:call("CreateSnapshot", { DiskId = "d-1" })).SnapshotId:match("^s%-"))
      assert.are.equal(13, #assert(vpc:call("DescribeRegions")).Regions.Region)
      local a = assert(vpc:call("AllocateEipAddress", { Bandwidth = 5, ClientToken = "acs3-" .. method }))
      local b = assert(vpc:call("AllocateEipAddress", { Bandwidth = 5, ClientToken = "acs3-" .. method }))
      assert.are.equal(a.AllocationId, b.AllocationId)
      assert.are.equal(1, assert(vpc:call("DescribeEipAddresses", {})).TotalCount)
      assert(vpc:call("ReleaseEipAddress", { AllocationId = a.AllocationId }))
      assert.are.equal(0, assert(vpc:call("DescribeEipAddresses", {})).TotalCount)
      local stats = emulator.stats()
      assert.are.equal(0, stats.errors)
      assert.are.equal(2, stats.by_action.DescribeRegions)
      -- the emulator saw ACS3 headers, not v1 parameters
      local log = emulator.requests({ action = "CreateSnapshot" })
      assert.are.equal(1, #log)
      assert.are.equal(20, #log[1].timestamp)
      assert.are.equal(32, #log[1].nonce)
    end)
  end

  it("works with STS credentials and names the action's missing parameter", function()
    local ecs = client("ecs", { credentials = KEYS.sts })
    assert.are.equal(300, assert(ecs:call("DescribeInstances", { PageSize = 1 })).TotalCount)
    local _, err = ecs:call("CreateSnapshot", {})
    assert.are.equal("MissingDiskId", err.code)
  end)

  it("sends the caller's headers, signed", function()
    local res, err = client("ecs"):call("DescribeRegions", nil, { headers = { ["x-acs-trace-id"] = "t-1" } })
    assert.is_nil(err)
    assert.are.equal(13, #res.Regions.Region)
  end)

  it("rejects a wrong secret and diagnoses it from the server's canonical request", function()
    for _, method in ipairs({ "GET", "POST" }) do
      local ecs = client("ecs", { method = method, retry = false,
        credentials = { access_key_id = "testid", access_key_secret = "aliyun-wrong-secret-1" } })
      local res, err = ecs:call("DescribeRegions")
      assert.is_nil(res)
      assert.are.equal("SignatureDoesNotMatch", err.code)
      assert.are.equal(400, err.status)
      assert.is_truthy(err.diagnosis:find("wrong secret", 1, true), err.diagnosis)
      assert.are.equal(err.server_canonical_request, err.client_canonical_request)
      assert.is_truthy(err.server_canonical_request:find("\nx-acs-action:DescribeRegions\n", 1, true))
    end
  end)

  it("refuses a reused nonce, a stale date and an unknown key", function()
    local ecs = client("ecs")
    local req = assert(ecs:prepare("DescribeRegions", nil, { nonce = "acs3-reuse-1" }))
    assert(ecs:send(req))
    local _, err = ecs:send(assert(ecs:prepare("DescribeRegions", nil, { nonce = "acs3-reuse-1" })))
    assert.are.equal("SignatureNonceUsed", err.code)
    _, err = ecs:send(assert(ecs:prepare("DescribeRegions", nil, { timestamp = core.now() - 3600 })))
    assert.are.equal("InvalidTimeStamp.Expired", err.code)
    local stranger = client("ecs", { credentials = { access_key_id = "nobody", access_key_secret = "not-the-secret" } })
    _, err = stranger:call("DescribeRegions")
    assert.are.equal("InvalidAccessKeyId.NotFound", err.code)
  end)

  it("learns the server's clock from a skewed answer and signs again", function()
    local ecs = client("ecs", { clock = function() return core.now() - 7200 end })
    local res, err, info = ecs:call("DescribeRegions")
    assert.is_nil(err)
    assert.are.equal(13, #res.Regions.Region)
    assert.are.equal(2, info.attempts)
  end)

  it("names an Authorization scheme it does not know, never MissingAction", function()
    local session = core.http_session()
    for _, scheme in ipairs({ "SDK-HMAC-SHA256 Access=a, SignedHeaders=host, Signature=00", "acs testid:abc=" }) do
      local status, _, body = session:request{ method = "GET", url = emulator.url .. "/?RegionId=cn-hangzhou",
                                               headers = { Authorization = scheme }, timeout = 10 }
      assert.are.equal(400, status)
      local t = require("cloudapi.json").decode(body)
      assert.are.equal("UnsupportedSignatureType", t.Code)
      assert.is_truthy(t.Message:find("'" .. scheme:match("^%S+") .. "'", 1, true), t.Message)
    end
    session:close()
  end)
end)
