-- What comes back is decoded by the format asked for and the
-- Content-Type: an HTML page (a proxy, a captive portal) or the other
-- format is a decode error showing the Content-Type and the first bytes;
-- XML decodes into the JSON form, the emulator's two renderings agreeing.
local cloudapi = require "cloudapi"
local core = require "cloudapi.core"
local emulator = require "support.emulator"

local KEYS = emulator.KEYS
local SERVICES = "/v1/{project_id}/vpc-endpoint-services"
local PORTAL = "<!DOCTYPE html><html><head><title>Sign in to the Wi-Fi</title></head><body>portal</body></html>"

local function aliyun(product, opts)
  opts = opts or {}
  opts.product, opts.region, opts.endpoint, opts.credentials = product, "cn-hangzhou", emulator.url, KEYS.test
  opts.retry = false
  return cloudapi.aliyun.new(opts)
end

local function vpcep()
  return cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", endpoint = emulator.url,
                                   project_id = emulator.PROJECTS["cn-north-4"], credentials = KEYS.hw, retry = false }
end

local function without_request_id(t)
  local c = {}
  for k, v in pairs(t) do if k ~= "RequestId" then c[k] = v end end
  return c
end

describe("answers", function()
  before_each(function() emulator.reset() end)

  it("an HTML page with status 200 is a decode error, both clouds, any format", function()
    for _, format in ipairs({ "JSON", "XML" }) do
      emulator.fault{ kind = "raw", api = "rpc", content_type = "text/html; charset=utf-8", body = PORTAL }
      local res, err = aliyun("ecs", { format = format }):call("DescribeRegions")
      assert.is_nil(res)
      assert.are.equal("decode", err.kind)
      assert.are.equal(200, err.status)
      assert.are.equal("cannot decode the response as " .. format .. ": an HTML page is not an API answer " ..
                       "(Content-Type 'text/html; charset=utf-8'); the body starts: " .. PORTAL, err.message)
    end
    emulator.fault{ kind = "raw", api = "huawei", content_type = "text/html", body = PORTAL }
    local res, err = vpcep():get(SERVICES)
    assert.is_nil(res)
    assert.are.equal("decode", err.kind)
    assert.are.equal("cannot decode the response as JSON: an HTML page is not an API answer " ..
                     "(Content-Type 'text/html'); the body starts: " .. PORTAL, err.message)
  end)

  it("shows only the first 120 bytes of the body", function()
    local page = "<html>" .. string.rep("p", 500) .. "</html>"
    emulator.fault{ kind = "raw", api = "rpc", content_type = "text/html", body = page }
    local _, err = aliyun("ecs"):call("DescribeRegions")
    assert.are.equal(page:sub(1, 120), err.message:match("the body starts: (.*)$"))
  end)

  it("an answer in the other format is not taken for the one asked for", function()
    emulator.fault{ kind = "raw", api = "rpc", content_type = "text/xml",
                    body = "<DescribeRegionsResponse><RequestId>R</RequestId></DescribeRegionsResponse>" }
    local _, err = aliyun("ecs"):call("DescribeRegions")
    assert.are.equal("decode", err.kind)
    assert.is_truthy(err.message:find("^cannot decode the response as JSON: the server sent XML " ..
                                      "%(Content%-Type 'text/xml'%)"), err.message)
    emulator.fault{ kind = "raw", api = "rpc", content_type = "application/json", body = '{"RequestId":"R"}' }
    local _, xerr = aliyun("ecs", { format = "XML" }):call("DescribeRegions")
    assert.are.equal("decode", xerr.kind)
    assert.is_truthy(xerr.message:find("as XML: the server sent JSON", 1, true), xerr.message)
    -- a Content-Type that says JSON over an XML body: the body is what is wrong
    emulator.fault{ kind = "raw", api = "rpc", content_type = "application/json",
                    body = "<DescribeRegionsResponse><RequestId>R</RequestId></DescribeRegionsResponse>" }
    local _, lerr = aliyun("ecs"):call("DescribeRegions")
    assert.is_truthy(lerr.message:find("^cannot decode the response as JSON: the body is not JSON though its " ..
                                       "Content%-Type says it is %(Content%-Type 'application/json'%)"), lerr.message)
    -- no Content-Type, an XML body where JSON was asked for
    emulator.fault{ kind = "raw", api = "rpc", body = "<R><RequestId>R</RequestId></R>" }
    local _, nerr = aliyun("ecs"):call("DescribeRegions")
    assert.is_truthy(nerr.message:find("as JSON: the body looks like XML", 1, true), nerr.message)
  end)

  it("an error answer in either format still gives its code and message", function()
    emulator.fault{ kind = "raw", api = "rpc", status = 403, content_type = "text/xml",
                    body = "<Error><Code>Forbidden.RAM</Code><Message>no</Message></Error>" }
    local _, err = aliyun("ecs"):call("DescribeRegions")
    assert.are.same({ "service", "Forbidden.RAM", "no" }, { err.kind, err.code, err.message })
    emulator.fault{ kind = "raw", api = "rpc", status = 502, content_type = "text/html", body = PORTAL }
    local _, gw = aliyun("ecs", { format = "XML" }):call("DescribeRegions")
    assert.are.same({ "service", "HTTP502", PORTAL }, { gw.kind, gw.code, gw.message })
  end)

  it("XML nested deeper than the limit is a decode error, quickly, on both interpreters", function()
    local depth = 20000
    local body = string.rep("<a>", depth) .. string.rep("</a>", depth)
    emulator.fault{ kind = "raw", api = "rpc", content_type = "text/xml", body = body }
    local t0 = core.monotonic()
    local _, err = aliyun("ecs", { format = "XML" }):call("DescribeRegions")
    assert.are.equal("decode", err.kind)
    assert.is_truthy(err.message:find("invalid XML: nested deeper than 200 elements", 1, true), err.message)
    assert.is_true(core.monotonic() - t0 < 2, "took " .. (core.monotonic() - t0) .. " s")
  end)

  it("XML and JSON agree on empty scalars and empty lists (xml_lists names lists by their full path)", function()
    local lists = { ["Instances.Instance.OperationLocks.LockReason"] = true }
    local args = { PageSize = 2 }
    local j = assert(aliyun("ecs"):call("DescribeInstances", args))
    local x = assert(aliyun("ecs", { format = "XML", xml_lists = lists }):call("DescribeInstances", args))
    assert.are.same({ LockReason = {} }, j.Instances.Instance[1].OperationLocks)
    assert.are.same(without_request_id(j), without_request_id(x))

    local vpc = aliyun("vpc")
    assert(vpc:call("AllocateEipAddress", { ClientToken = "answers-1" }))
    local je = assert(vpc:call("DescribeEipAddresses", {}))
    local xe = assert(aliyun("vpc", { format = "XML",
      xml_lists = { "EipAddresses.EipAddress.OperationLocks.LockReason" } }):call("DescribeEipAddresses", {}))
    local e = je.EipAddresses.EipAddress[1]
    assert.are.same({ "", "OFF", { SecurityProtectionType = {} } },
                    { e.InstanceId, e.HDMonitorStatus, e.SecurityProtectionTypes })
    xe.EipAddresses.EipAddress[1].Bandwidth = tostring(xe.EipAddresses.EipAddress[1].Bandwidth) -- XML has no types
    assert.are.same(without_request_id(je), without_request_id(xe))
  end)
end)
