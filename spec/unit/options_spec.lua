-- Every option is checked when it is given: at construction (a raise
-- naming the option and what it accepts) or at the call (a config error).
local cloudapi = require "cloudapi"

local CREDS = { access_key_id = "a", access_key_secret = "b" }
local HW = { ak = "a", sk = "b" }

local function raises(new, opts, msg)
  local ok, err = pcall(new, opts)
  assert.is_false(ok, "accepted: " .. msg)
  assert.is_truthy(tostring(err):find(msg, 1, true), tostring(err))
end

describe("constructor options", function()
  local function aliyun(extra)
    local o = { product = "ecs", credentials = CREDS }
    for k, v in pairs(extra) do o[k] = v end
    return o
  end
  local function huawei(extra)
    local o = { service = "vpcep", region = "cn-north-4", credentials = HW }
    for k, v in pairs(extra) do o[k] = v end
    return o
  end
  local new, hw = cloudapi.aliyun.new, cloudapi.huaweicloud.new

  it("Alibaba: each wrong type or value names the option and what it takes", function()
    raises(new, aliyun{ format = 5 }, 'format must be "JSON" or "XML", got 5')
    raises(new, aliyun{ method = true }, 'method must be "GET" or "POST", got a boolean')
    raises(new, aliyun{ method = "put" }, 'method must be "GET" or "POST", got "put"')
    raises(new, aliyun{ version = 5 }, 'version must be an API version string "YYYY-MM-DD", got 5')
    raises(new, aliyun{ version = "latest" }, 'version must be an API version string "YYYY-MM-DD", got "latest"')
    raises(new, aliyun{ xml_lists = 5 }, 'xml_lists must be a set of dotted paths {["A.B"] = true}, got 5')
    raises(new, aliyun{ xml_lists = { 5 } }, 'xml_lists must be a set of dotted paths {["A.B"] = true}, got an entry 5')
    raises(new, aliyun{ xml_lists = { ["A.B"] = "yes" } }, 'got an entry "A.B"')
    raises(new, aliyun{ client_token = "yes" }, "client_token must be a boolean, got \"yes\"")
    raises(new, aliyun{ retry = { deadline = 5e6 } },
           "retry.deadline must be a number of seconds, above 0 and below 1000000, got 5000000")
    raises(new, aliyun{ retry = { max_delay = 1e7 } },
           "retry.max_delay must be a number of seconds, at least 0 and below 1000000, got 10000000")
    raises(new, aliyun{ retry = { attemps = 5 } }, "retry has no field 'attemps' (it takes attempts, base_delay")
    raises(new, aliyun{ retry = true }, "retry must be false or a table")
    raises(new, aliyun{ timeout = { total = 5 } }, "timeout has no field 'total' (it takes connect and read")
    raises(new, aliyun{ timeout = { read = 0 / 0 } },
           "timeout.read must be a positive number of seconds (less than 1e6), got NaN")
    raises(new, aliyun{ clock = 5 }, "clock must be a function")
  end)

  it("Alibaba: xml_lists may also be a list of paths", function()
    local c = new(aliyun{ xml_lists = { "A.B", ["C.D"] = true } })
    assert.are.same({ ["A.B"] = true, ["C.D"] = true }, c.xml_lists)
  end)

  it("Huawei: the same checks", function()
    raises(hw, huawei{ retry = { deadline = 2e6 } }, "retry.deadline must be a number of seconds")
    raises(hw, huawei{ timeout = { idle = 5 } }, "timeout has no field 'idle'")
    raises(hw, huawei{ algorithm = 5 }, 'algorithm must be "SDK-HMAC-SHA256" or "V11-HMAC-SHA256"')
    raises(hw, huawei{ iam_endpoint = 5 }, "endpoint must be a non-empty string")
    raises(hw, huawei{ shared_dict = 5 }, "shared_dict must be the name of a lua_shared_dict")
  end)
end)

describe("call options and arguments", function()
  local ecs = cloudapi.aliyun.new{ product = "ecs", credentials = CREDS, endpoint = "http://127.0.0.1:9" }
  local vpcep = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", credentials = HW,
                                          project_id = "p", endpoint = "http://127.0.0.1:9" }
  local function config(expect, res, err)
    assert.is_nil(res)
    assert.are.equal("config", err.kind)
    assert.are.equal(expect, err.message)
  end

  it("are config errors naming what is wrong, before anything is sent", function()
    config("parameters must be a table, got a string", ecs:call("CreateSnapshot", "DiskId=d-1"))
    config("parameters must be a table, got a string", ecs:call("DescribeRegions", "x"))
    config("parameters must be a table, got a string", ecs:prepare("DescribeRegions", "x"))
    config("deadline must be a number of seconds, above 0 and below 1000000, got 10000000",
           ecs:call("DescribeRegions", nil, { deadline = 1e7 }))
    config("client_token must be a boolean, got a string", ecs:call("CreateSnapshot", {}, { client_token = "no" }))
    config("call options must be a table, got a number", ecs:call("DescribeRegions", nil, 5))
    config("retry has no field 'tries' (it takes attempts, base_delay, max_delay, deadline)",
           ecs:call("DescribeRegions", nil, { retry = { tries = 1 } }))
    config("timeout has no field 'total' (it takes connect and read; a whole call is bounded by its deadline)",
           vpcep:get("/v1/{project_id}/x", { timeout = { total = 1 } }))
    config("idempotent must be a boolean, got a string", vpcep:post("/v1/{project_id}/x", { idempotent = "yes" }))
    config("deadline must be a number of seconds, above 0 and below 1000000, got 5000000",
           vpcep:get("/v1/{project_id}/x", { deadline = 5e6 }))
  end)
end)
