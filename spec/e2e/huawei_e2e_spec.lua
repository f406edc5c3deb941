-- Huawei REST end to end: the real client against the emulator's IAM and
-- VPCEP, which verify every signature and token with their own code.
local cloudapi = require "cloudapi"
local emulator = require "support.emulator"

local KEYS = emulator.KEYS
local PID = emulator.PROJECTS["cn-north-4"]

local function vpcep(opts)
  opts = opts or {}
  opts.service = "vpcep"
  opts.region = opts.region or "cn-north-4"
  opts.endpoint = emulator.url
  if opts.credentials == nil then opts.credentials = KEYS.hw end
  return cloudapi.huaweicloud.new(opts)
end

local SERVICES = "/v1/{project_id}/vpc-endpoint-services"

describe("huaweicloud end to end", function()
  before_each(function() emulator.reset() end)

  describe("with AK/SK", function()
    it("lists endpoint services with limit/offset", function()
      local c = vpcep{ project_id = PID }
      local res, err, info = c:get(SERVICES, { query = { limit = 10, offset = 20 } })
      assert.is_nil(err)
      assert.are.equal(25, res.total_count)
      assert.are.equal(5, #res.endpoint_services)
      assert.are.equal(200, info.status)
      assert.are.equal("string", type(info.request_id))
    end)

    it("creates, reads, updates and deletes an endpoint service", function()
      local c = vpcep{ project_id = PID }
      local created = assert(c:post(SERVICES, { body = {
        vpc_id = "vpc-1", port_id = "port-1", server_type = "VM", service_name = "demo",
        ports = { { client_port = 8080, server_port = 80, protocol = "TCP" } } } }))
      assert.are.equal("creating", created.status) -- available later: wait_spec.lua
      local id = created.id
      local got = assert(c:get(SERVICES .. "/{id}", { path = { id = id } }))
      assert.are.equal(id, got.id)
      assert.are.equal(8080, got.ports[1].client_port)
      local updated = assert(c:put(SERVICES .. "/{id}", { path = { id = id }, body = { approval_enabled = true } }))
      assert.is_true(updated.approval_enabled)
      local deleted, derr, info = c:delete(SERVICES .. "/{id}", { path = { id = id } })
      assert.is_nil(derr)
      assert.are.same({}, deleted)
      assert.are.equal(204, info.status)
      local _, gone = c:get(SERVICES .. "/{id}", { path = { id = id } })
      assert.are.equal("service", gone.kind)
      assert.are.equal(404, gone.status)
      assert.is_truthy(gone.code:match("^EndPoint%."))
      assert.are.equal("string", type(gone.request_id))
    end)

    it("creates, lists and deletes a VPC endpoint", function()
      local c = vpcep{ project_id = PID }
      local svc = assert(c:get(SERVICES, { query = { limit = 1 } })).endpoint_services[1]
      local ep = assert(c:post("/v1/{project_id}/vpc-endpoints", { body = {
        endpoint_service_id = svc.id, vpc_id = "vpc-2", subnet_id = "subnet-2" } }))
      assert.are.equal(svc.id, ep.endpoint_service_id)
      local list = assert(c:get("/v1/{project_id}/vpc-endpoints"))
      assert.are.equal(1, list.total_count)
      assert.are.equal(ep.id, list.endpoints[1].id)
      assert(c:delete("/v1/{project_id}/vpc-endpoints/{id}", { path = { id = ep.id } }))
      assert.are.equal(0, assert(c:get("/v1/{project_id}/vpc-endpoints")).total_count)
    end)

    it("answers HEAD with headers and no body", function()
      local res, err, info = vpcep{ project_id = PID }:head(SERVICES)
      assert.is_nil(err)
      assert.are.same({}, res)
      assert.are.equal(200, info.status)
      assert.is_truthy(info.headers["content-type"]:find("application/json", 1, true))
    end)

    it("signs with the derived-key V11 algorithm", function()
      local res = assert(vpcep{ project_id = PID, algorithm = "V11-HMAC-SHA256" }
        :get(SERVICES, { query = { limit = 2 } }))
      assert.are.equal(2, #res.endpoint_services)
    end)

    it("signs reserved and non-ASCII query values and repeated keys", function()
      local res = assert(vpcep{ project_id = PID }:get(SERVICES, { query = {
        limit = 1, offset = 0, note = "一 (&=?!#%.*) ~+", tag = { "b", "a" } } }))
      assert.are.equal(1, #res.endpoint_services)
    end)

    it("sends the security token of temporary credentials", function()
      assert(vpcep{ project_id = PID, credentials = KEYS.hw_sts }:get(SERVICES))
      local _, err = vpcep{ project_id = PID, credentials = { ak = "hw-sts-ak", sk = "hw-sts-sk" } }:get(SERVICES)
      assert.are.equal(401, err.status)
      assert.are.equal("APIGW.0301", err.code)
    end)

    it("rejects a wrong SK, and the client says the secret is at fault", function()
      local sk = "definitely-not-the-sk"
      local _, err = vpcep{ project_id = PID, credentials = { ak = "hw-ak", sk = sk } }:get(SERVICES)
      assert.are.equal(401, err.status)
      assert.are.equal("APIGW.0301", err.code)
      assert.is_false(err.retryable)
      assert.are.equal(err.client_canonical_request, err.server_canonical_request)
      assert.is_truthy(err.diagnosis:find("wrong secret", 1, true))
      assert.is_falsy(tostring(err):find(sk, 1, true))
    end)

    it("rejects an X-Sdk-Date more than 15 minutes off", function()
      local c = vpcep{ project_id = PID }
      local req = assert(c:prepare("GET", SERVICES, nil, { date = "20200101T000000Z" }))
      local res, err = c:send(req)
      assert.is_nil(res)
      assert.are.equal(401, err.status)
      assert.are.equal("APIGW.0303", err.code)
      assert.is_truthy(err.message:find("x-sdk-date expired", 1, true))
    end)
  end)

  describe("project_id", function()
    it("is looked up once per AK and region when not given", function()
      local c = vpcep{ region = "ap-southeast-1" }
      assert(c:get(SERVICES, { query = { limit = 1 } }))
      assert(c:get(SERVICES, { query = { limit = 1 } }))
      assert(vpcep{ region = "ap-southeast-1" }:get(SERVICES, { query = { limit = 1 } }))
      assert.are.equal(1, emulator.stats().iam_project_lookups)
    end)

    it("is a clear error when no project or several match", function()
      local _, none = vpcep{ region = "xx-nowhere-1" }:get(SERVICES)
      assert.are.equal("config", none.kind)
      assert.are.equal("no IAM project is named 'xx-nowhere-1': pass project_id or set HUAWEICLOUD_SDK_PROJECT_ID",
                       none.message)
      local _, many = vpcep{ region = "cn-dup-1" }:get(SERVICES)
      assert.are.equal("2 IAM projects are named 'cn-dup-1': pass project_id to choose one", many.message)
    end)
  end)

  describe("with an IAM token", function()
    it("gets a token once and uses it", function()
      local c = vpcep{ credentials = KEYS.hw_user }
      assert.are.equal("token", c.auth)
      local res = assert(c:get(SERVICES, { query = { limit = 3 } }))
      assert.are.equal(3, #res.endpoint_services)
      assert(c:get(SERVICES))
      local stats = emulator.stats()
      assert.are.equal(1, stats.iam_tokens)
      assert.are.equal(0, stats.iam_project_lookups) -- the token's scope names the project
    end)

    it("refuses a '/' or a dot segment in a path value as under AK/SK", function()
      local c = vpcep{ credentials = KEYS.hw_user }
      local _, err = c:get(SERVICES .. "/{id}", { path = { id = "a/b" } })
      assert.are.equal("config", err.kind)
      assert.are.equal("path value for {id} must not contain '/': gateways disagree on whether an encoded " ..
                       "'/' splits a segment", err.message)
      _, err = c:delete(SERVICES .. "/{id}", { path = { id = ".." } })
      assert.are.equal("path value for {id} must not be '..' (a dot segment would change the path)", err.message)
    end)

    it("a wrong password is a credentials error that never shows the password", function()
      local _, err = vpcep{ credentials = { username = "demo-user", password = "hunter2-wrong",
                                            domain = "demo-domain" } }
        :get(SERVICES)
      assert.are.equal("credentials", err.kind)
      assert.are.equal(401, err.status)
      assert.are.equal("The username or password is wrong.", err.message)
      assert.is_falsy(tostring(err):find("hunter2", 1, true))
    end)

    it("refreshes a token shortly before it expires", function()
      emulator.iam{ token_ttl = 3 }
      local c = vpcep{ credentials = KEYS.hw_user }
      assert(c:get(SERVICES))
      assert.are.equal(1, emulator.stats().iam_tokens)
      os.execute("sleep 2.2")
      assert(c:get(SERVICES))
      assert.are.equal(2, emulator.stats().iam_tokens)
    end)

    it("refreshes once and retries once when the gateway rejects the token", function()
      local c = vpcep{ credentials = KEYS.hw_user }
      assert(c:get(SERVICES))
      emulator.iam{ revoke_tokens = true }
      local res, err, info = c:get(SERVICES, { query = { limit = 1 } })
      assert.is_nil(err)
      assert.are.equal(1, #res.endpoint_services)
      assert.are.equal(2, info.attempts)
      assert.are.equal(2, emulator.stats().iam_tokens)
    end)

    it("prepare uses the cached token", function()
      local c = vpcep{ credentials = KEYS.hw_user }
      local _, err = c:prepare("GET", SERVICES)
      assert.are.equal("token auth: no valid token cached yet; call request() first", err.message)
      assert(c:get(SERVICES))
      local req = assert(c:prepare("GET", SERVICES))
      assert.is_truthy(#req.headers["X-Auth-Token"] > 10)
      assert.are.equal(emulator.url .. "/v1/" .. PID .. "/vpc-endpoint-services", req.url)
    end)
  end)

  it("reads AK/SK and project id from the environment", function()
    local lua = os.getenv("CLOUDAPI_TEST_LUA") or "lua5.4"
    local p = assert(io.popen("HUAWEICLOUD_SDK_AK=hw-ak HUAWEICLOUD_SDK_SK=hw-sk HUAWEICLOUD_SDK_PROJECT_ID=" .. PID ..
      " " .. lua .. " -e '" .. [[
        local c = require("cloudapi").huaweicloud.new{ service = "vpcep", region = "cn-north-4",
                                                       endpoint = os.getenv("CLOUDAPI_EMULATOR_URL") }
        local res, err = c:get("/v1/{project_id}/vpc-endpoint-services", { query = { limit = 4 } })
        io.write(res and #res.endpoint_services or tostring(err))]] .. "' 2>&1"))
    local out = p:read("*a")
    p:close()
    assert.are.equal("4", out)
  end)
end)
