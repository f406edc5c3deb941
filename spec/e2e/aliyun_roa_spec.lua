-- The ROA client end to end against the emulator's Container Service:
-- create, list (paged), get and delete clusters under both signatures,
-- client_token idempotency, the cluster lifecycle, CS's error shape, and
-- what the emulator refuses.
local cloudapi = require "cloudapi"
local core, json = require "cloudapi.core", require "cloudapi.json"
local emulator = require "support.emulator"
local KEYS = emulator.KEYS

-- A Container Service client on the emulator.
local function cs(signature, opts)
  opts = opts or {}
  opts.product, opts.signature = "cs", signature
  return emulator.aliyun(cloudapi.aliyun.roa, opts)
end

local session = core.http_session()
local function control(method, path, body)
  local status, _, resp = session:request{ method = method, url = emulator.url .. "/__emulator/" .. path,
    headers = { ["Content-Type"] = "application/json" }, body = body and json.encode(body), timeout = 10 }
  return status, json.decode(resp)
end

-- Polls until f() is true or the deadline passes (never a fixed sleep).
local function eventually(f, seconds)
  local deadline = core.monotonic() + seconds
  while core.monotonic() < deadline do
    if f() then return true end
    core.sleep(0.05)
  end
  return f()
end

for _, signature in ipairs({ "acs", "ACS3-HMAC-SHA256" }) do
  describe("aliyun ROA (" .. signature .. ") against Container Service", function()
    before_each(function() emulator.reset() end)

    it("creates, lists, gets and deletes a cluster", function()
      local c = cs(signature)
      local made, err, info = c:post("/clusters", { body = { name = "web 集群", region_id = "cn-hangzhou" },
                                                    action = "CreateCluster" })
      assert.is_nil(err)
      assert.are.equal(200, info.status)
      assert.is_truthy(made.cluster_id:match("^c%x+$"))
      assert.are.equal(made.request_id, info.request_id)
      local list = assert(c:get("/clusters", { action = "DescribeClusters" }))
      assert.are.equal(1, list.page_info.total_count)
      assert.are.equal(made.cluster_id, list.clusters[1].cluster_id)
      assert.are.equal("web 集群", list.clusters[1].name)
      local one = assert(c:get("/clusters/{cluster_id}", { path = { cluster_id = made.cluster_id },
                                                           action = "DescribeClusterDetail" }))
      assert.are.equal(made.cluster_id, one.cluster_id)
      assert.are.equal("ManagedKubernetes", one.cluster_type)
      local gone, derr, dinfo = c:delete("/clusters/{cluster_id}", { path = { cluster_id = made.cluster_id },
                                                                     action = "DeleteCluster" })
      assert.is_nil(derr)
      assert.are.equal(202, dinfo.status)
      assert.are.equal(made.cluster_id, gone.cluster_id)
      local _, nf = c:get("/clusters/{cluster_id}", { path = { cluster_id = made.cluster_id },
                                                      action = "DescribeClusterDetail" })
      assert.are.equal("service", nf.kind)
      assert.are.equal(404, nf.status)
      assert.are.equal("ErrorClusterNotFound", nf.code)
      assert.are.equal("cluster " .. made.cluster_id .. " not found", nf.message)
      assert.are.equal("string", type(nf.request_id))
      local stats = emulator.stats()
      assert.are.equal(1, stats.errors)
      assert.are.same({ ErrorClusterNotFound = 1 }, stats.by_code)
      assert.are.equal(2, stats.by_action.DescribeClusterDetail)
    end)

    it("pages with page_number and page_size", function()
      local c = cs(signature)
      for i = 1, 5 do
        assert(c:post("/clusters", { body = { name = "n" .. i, region_id = "cn-hangzhou" }, action = "CreateCluster" }))
      end
      local p2 = assert(c:get("/clusters", { query = { page_number = 2, page_size = 2 }, action = "DescribeClusters" }))
      assert.are.same({ page_number = 2, page_size = 2, total_count = 5 }, p2.page_info)
      assert.are.equal("n3", p2.clusters[1].name)
      assert.are.equal("n4", p2.clusters[2].name)
      local _, err = c:get("/clusters", { query = { page_size = 0 }, action = "DescribeClusters" })
      assert.are.equal("ErrorParameterInvalid", err.code)
      assert.are.equal(400, err.status)
    end)

    it("creates once per client_token, and refuses the token with other parameters", function()
      local c = cs(signature)
      local body = { name = "idem", region_id = "cn-hangzhou", client_token = "tok-" .. signature }
      local a = assert(c:post("/clusters", { body = body, action = "CreateCluster" }))
      local b = assert(c:post("/clusters", { body = body, action = "CreateCluster" }))
      assert.are.equal(a.cluster_id, b.cluster_id)
      assert.are.equal(1, emulator.stats().cs_clusters)
      local _, err = c:post("/clusters", { body = { name = "other", region_id = "cn-hangzhou",
                                                    client_token = body.client_token }, action = "CreateCluster" })
      assert.are.equal("IdempotentParameterMismatch", err.code)
      assert.are.equal(409, err.status)
    end)

    it("keeps clusters per account and works with STS credentials", function()
      assert(cs(signature):post("/clusters", { body = { name = "mine", region_id = "cn-hangzhou" },
                                               action = "CreateCluster" }))
      local other = cs(signature, { credentials = KEYS.sts })
      assert.are.equal(0, assert(other:get("/clusters", { action = "DescribeClusters" })).page_info.total_count)
    end)

    it("moves a cluster from initial to running after the configured time", function()
      assert.are.equal(200, (control("POST", "cs", { running_after = 0.3 })))
      local c = cs(signature)
      local id = assert(c:post("/clusters", { body = { name = "life", region_id = "cn-hangzhou" },
                                              action = "CreateCluster" })).cluster_id
      local function state()
        return assert(c:get("/clusters/{id}", { path = { id = id }, action = "DescribeClusterDetail" })).state
      end
      assert.are.equal("initial", state())
      assert.is_true(eventually(function() return state() == "running" end, 10))
    end)

    it("rejects a wrong secret and diagnoses it", function()
      local c = cs(signature, { retry = false,
        credentials = { access_key_id = "testid", access_key_secret = "aliyun-wrong-secret-1" } })
      local res, err = c:get("/clusters", { action = "DescribeClusters" })
      assert.is_nil(res)
      assert.are.equal("SignatureDoesNotMatch", err.code)
      assert.are.equal(400, err.status)
      assert.is_truthy(err.diagnosis:find("wrong secret", 1, true), err.diagnosis)
    end)

    it("refuses a reused nonce and recovers from a skewed clock", function()
      local c = cs(signature)
      local opts = { action = "DescribeClusters" }
      assert(c:send(assert(c:prepare("GET", "/clusters", opts, { nonce = "roa-reuse-1" }))))
      local _, err = c:send(assert(c:prepare("GET", "/clusters", opts, { nonce = "roa-reuse-1" })))
      assert.are.equal("SignatureNonceUsed", err.code)
      local skewed = cs(signature, { clock = function() return core.now() + 5400 end })
      local res, serr, info = skewed:get("/clusters", opts)
      assert.is_nil(serr)
      assert.are.equal(0, res.page_info.total_count)
      assert.are.equal(2, info.attempts)
    end)

    it("retries a throttled GET", function()
      emulator.fault{ kind = "throttle", api = "roa" }
      local res, err, info = cs(signature, { retry = { attempts = 3, base_delay = 0.01 } })
        :get("/clusters", { action = "DescribeClusters" })
      assert.is_nil(err)
      assert.are.equal(0, res.page_info.total_count)
      assert.are.equal(2, info.attempts)
      assert.are.equal("Throttling", info.errors[1].code)
    end)
  end)
end

describe("the emulator's ROA front door", function()
  it("refuses an ACS3 request whose x-acs-action is not the route's API", function()
    local _, err = cs("ACS3-HMAC-SHA256"):get("/clusters", { action = "DescribeClusterDetail" })
    assert.are.equal("InvalidAction", err.code)
    assert.is_truthy(err.message:find("GET /clusters is DescribeClusters", 1, true), err.message)
  end)

  it("names an unknown signature scheme and answers an unknown route", function()
    local status, _, body = session:request{ method = "GET", url = emulator.url .. "/clusters",
                                       headers = { Authorization = "Bearer abc" }, timeout = 10 }
    assert.are.equal(400, status)
    local t = json.decode(body)
    assert.are.equal("UnsupportedSignatureType", t.Code)
    assert.is_truthy(t.Message:find("'Bearer'", 1, true))
    local _, err = cs("acs"):request("PATCH", "/clusters/c1")
    assert.are.equal("InvalidAction.NotFound", err.code)
    assert.are.equal(404, err.status)
  end)
end)
