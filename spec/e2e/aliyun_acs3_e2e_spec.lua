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
      local running = assert(ecs:call("DescribeInstances", { Status = "Running", PageSize = 1 })).Instances.Instance[1]
      assert(ecs:call("StopInstance", { InstanceId = running.InstanceId }))
      assert.are.equal("Stopping", assert(ecs:call("DescribeInstances",
        { InstanceIds = cloudapi.json{ running.InstanceId } })).Instances.Instance[1].Status)
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

  for _, method in ipairs({ "GET", "POST" }) do
    it("serves every STS action over " .. method .. ", and the temporary key it issues signs ACS3 too", function()
      local sts = client("sts", { method = method, version = "2015-04-01" })
      assert.are.equal("Account", assert(sts:call("GetCallerIdentity")).IdentityType)
      local role = assert(sts:call("AssumeRole", { RoleArn = emulator.ROLE, RoleSessionName = "acs3" }))
      local temp = role.Credentials
      assert.is_truthy(temp.AccessKeyId:match("^STS%."), temp.AccessKeyId)
      local oidc = assert(sts:call("AssumeRoleWithOIDC", { RoleArn = emulator.OIDC_ROLE,
        OIDCProviderArn = emulator.OIDC_PROVIDER, OIDCToken = emulator.OIDC_TOKEN, RoleSessionName = "acs3" }))
      assert.is_truthy(oidc.Credentials.SecurityToken ~= nil)
      local ecs = client("ecs", { method = method, credentials = { access_key_id = temp.AccessKeyId,
        access_key_secret = temp.AccessKeySecret, security_token = temp.SecurityToken } })
      assert.are.equal(13, #assert(ecs:call("DescribeRegions")).Regions.Region)
      local as_role = client("sts", { method = method, version = "2015-04-01", credentials = ecs.provider })
      local who = assert(as_role:call("GetCallerIdentity"))
      assert.are.equal("AssumedRoleUser", who.IdentityType) -- the emulator saw the temporary key
      assert.is_truthy(who.Arn:find("/acs3$"), who.Arn)
      assert.are.equal(0, emulator.stats().errors)
    end)
  end

  it("refuses a temporary key after it expires, under ACS3 on RPC and ROA", function()
    emulator.credentials{ lifetime = 1 }
    local sts = client("sts", { version = "2015-04-01" })
    local temp = assert(sts:call("AssumeRole", { RoleArn = emulator.ROLE, RoleSessionName = "expiry" })).Credentials
    local creds = { access_key_id = temp.AccessKeyId, access_key_secret = temp.AccessKeySecret,
                    security_token = temp.SecurityToken }
    local ecs = client("ecs", { credentials = creds, retry = false })
    local cs = emulator.aliyun(cloudapi.aliyun.roa, { product = "cs", signature = "ACS3-HMAC-SHA256",
                                                      credentials = creds, retry = false })
    assert(ecs:call("DescribeRegions"))
    assert(cs:get("/clusters", { action = "DescribeClusters" }))
    local deadline = core.monotonic() + 30
    local err
    repeat -- the key lives one second: poll, no fixed sleep
      local res
      res, err = ecs:call("DescribeRegions")
      if res then core.sleep(0.1) end
    until not res or core.monotonic() > deadline
    assert.are.equal("InvalidSecurityToken.Expired", err and err.code)
    local _, rerr = cs:get("/clusters", { action = "DescribeClusters" })
    assert.are.equal("InvalidSecurityToken.Expired", rerr.code)
  end)

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
