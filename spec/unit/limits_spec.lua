-- Hostile shapes in and out: nesting limits with a clear error and linear
-- work (XML answers, parameters, JSON bodies), proxies read through
-- __pairs or refused, and names that collide when flattened.
local xml = require "cloudapi.xml"
local json = require "cloudapi.json"
local params = require "cloudapi.aliyun.params"
local cloudapi = require "cloudapi"

local function nest(depth)
  local root = {}
  local t = root
  for _ = 1, depth do t.x = {}; t = t.x end
  t.x = "leaf"
  return root
end

describe("xml.decode", function()
  it("refuses nesting deeper than 200 with an error, in memory proportional to the body", function()
    local ok200 = string.rep("<a>", 200) .. string.rep("</a>", 200)
    assert.are.equal("a", (xml.decode(ok200)))
    local deep = string.rep("<a>", 201) .. string.rep("</a>", 201)
    assert.are.same({ nil, "invalid XML: nested deeper than 200 elements" }, { xml.decode(deep) })
    collectgarbage()
    local before = collectgarbage("count")
    local huge = string.rep("<a>", 100000) .. string.rep("</a>", 100000)
    local root, err = xml.decode(huge)
    assert.is_nil(root)
    assert.are.equal("invalid XML: nested deeper than 200 elements", err)
    assert.is_true(collectgarbage("count") - before < 4096, "KB grown: " .. (collectgarbage("count") - before))
  end)

  it("decodes an empty element named like a plural as an empty list, any other as an empty string", function()
    local _, t = xml.decode("<R><Status></Status><Tags/><Statuses><Status>a</Status></Statuses>" ..
                            "<Address></Address><Analysis/><Regions></Regions><Addresses></Addresses></R>")
    assert.are.same({ Status = "", Tags = { Tag = {} }, Statuses = { Status = { "a" } }, Address = "",
                      Analysis = "", Regions = { Region = {} }, Addresses = { Address = {} } }, t)
  end)

  it("xml_lists paths run from below the root and name empty lists too", function()
    local lists = { ["Instances.Instance.PublicIpAddress.IpAddress"] = true, ["Locks.LockReason"] = true }
    local _, t = xml.decode("<R><Instances><Instance><PublicIpAddress><IpAddress>1.2.3.4</IpAddress>" ..
                            "</PublicIpAddress></Instance></Instances><Locks/></R>", lists)
    assert.are.same({ Instances = { Instance = { { PublicIpAddress = { IpAddress = { "1.2.3.4" } } } } },
                      Locks = { LockReason = {} } }, t)
  end)
end)

describe("parameters", function()
  it("nested 100,000 deep are a config error at the depth limit, at once", function()
    local deep = nest(100000)
    local ecs = cloudapi.aliyun.new{ product = "ecs", credentials = { access_key_id = "a", access_key_secret = "b" } }
    local t0 = os.clock()
    local flat, err = params.flatten{ Deep = deep }
    local req, perr = ecs:prepare("DescribeRegions", { Deep = deep })
    local took = os.clock() - t0 -- about a millisecond (it was 23 s and a raise)
    assert.is_nil(flat)
    assert.is_truthy(err:find("is nested deeper than 100 levels$"), err)
    assert.is_truthy(err:find("^parameter 'Deep%.x%.x"), err)
    assert.is_nil(req)
    assert.are.equal("config", perr.kind)
    assert.is_true(took < 2, "took " .. took .. " s")
  end)

  it("in a JSON body nested 100,000 deep are a config error too", function()
    local s, err = json.encode(nest(100000), "body")
    assert.is_nil(s)
    assert.is_truthy(err:find("nested deeper than 100 levels$"), err)
    local hw = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", project_id = "p",
                                         credentials = { ak = "a", sk = "b" } }
    local req, herr = hw:prepare("POST", "/v1/x", { body = nest(100000) })
    assert.is_nil(req)
    assert.are.equal("config", herr.kind)
  end)

  local creds = { access_key_id = "a", access_key_secret = "b" }
  local when = { nonce = "n", timestamp = "2016-02-23T12:46:24Z" }

  it("given as a proxy are read through __pairs on both paths, or refused when they cannot be listed", function()
    local ecs = cloudapi.aliyun.new{ product = "ecs", credentials = creds }
    local real = { PageSize = 10, Tag = { { Key = "k" } } }
    local proxy = setmetatable({}, { __index = real, __pairs = function() return next, real, nil end })
    local want = assert(ecs:prepare("DescribeInstances", real, when)).url
    assert.are.equal(want, assert(ecs:prepare("DescribeInstances", proxy, when)).url)
    assert.are.equal(want, assert(ecs:prepare("DescribeInstances", { PageSize = 10, Tag = { setmetatable({},
      { __index = real.Tag[1], __pairs = function() return next, real.Tag[1], nil end }) } }, when)).url)
    local opaque = setmetatable({}, { __index = real })
    local req, err = ecs:prepare("DescribeInstances", opaque, when)
    assert.is_nil(req)
    assert.are.equal("the parameters table has a metatable with __index but no __pairs (a proxy?): " ..
                     "its fields cannot be listed", err.message)
    local _, cerr = ecs:call("CreateSnapshot", opaque) -- the ClientToken copy reads it the same way
    assert.are.equal(err.message, cerr.message)
  end)

  it("that flatten to the same name are a config error naming both, on both paths", function()
    local ecs = cloudapi.aliyun.new{ product = "ecs", credentials = creds }
    local _, err = ecs:prepare("X", { ["Tag.1.Key"] = "a", Tag = { { Key = "b" } } }, when)
    assert.are.equal("parameters 'Tag' and 'Tag.1.Key' both set 'Tag.1.Key'", err.message)
    local _, nerr = ecs:prepare("X", { A = { ["B.C"] = 1, B = { C = 2 } } }, when)
    assert.are.equal("parameter 'A' sets 'A.B.C' twice", nerr.message)
    -- dotted names alone, or beside tables that do not collide, are fine
    assert(ecs:prepare("X", { ["Tag.1.Key"] = "a", ["Tag.1.Value"] = "b" }, when))
    local ok = assert(ecs:prepare("X", { ["Tag.1.Key"] = "a", Filter = { { Name = "n" } } }, when))
    assert.is_truthy(ok.url:find("Filter.1.Name=n&", 1, true))
  end)

  it("a Huawei query value that is a map is a config error", function()
    local hw = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", project_id = "p",
                                         credentials = { ak = "a", sk = "b" } }
    local _, err = hw:prepare("GET", "/v1/x", { query = { filter = { name = "n" } } })
    assert.are.equal("query parameter 'filter': a map cannot be sent in a query", err.message)
    local req = assert(hw:prepare("GET", "/v1/x", { query = setmetatable({}, { __pairs = function()
      return next, { limit = 5 }, nil end }) }))
    assert.is_truthy(req.url:find("?limit=5", 1, true))
  end)
end)
