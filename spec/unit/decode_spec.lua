local xml = require "cloudapi.xml"
local errors = require "cloudapi.errors"

describe("xml.decode", function()
  it("gives the JSON shape: repeated and plural containers are lists", function()
    local root, t = xml.decode([[<?xml version="1.0" encoding="UTF-8"?>
      <DescribeRegionsResponse><RequestId>R1</RequestId>
        <Regions><Region><RegionId>cn-a</RegionId><N>12</N><B>true</B><Z>007</Z></Region></Regions>
        <Tags></Tags><Pair><X>1</X><X>2</X></Pair><Name>a &amp; b</Name>
      </DescribeRegionsResponse>]])
    assert.are.equal("DescribeRegionsResponse", root)
    assert.are.same({
      RequestId = "R1",
      Regions = { Region = { { RegionId = "cn-a", N = 12, B = true, Z = "007" } } },
      Tags = { Tag = {} },
      Pair = { X = { 1, 2 } },
      Name = "a & b",
    }, t)
  end)

  it("honours explicit list paths", function()
    local _, t = xml.decode("<R><PublicIpAddress><IpAddress>1.2.3.4</IpAddress></PublicIpAddress></R>",
                            { ["PublicIpAddress.IpAddress"] = true })
    assert.are.same({ PublicIpAddress = { IpAddress = { "1.2.3.4" } } }, t)
  end)

  it("reports invalid XML", function()
    local root, err = xml.decode("<a><b></a>")
    assert.is_nil(root)
    assert.is_truthy(err:find("^invalid XML: "))
  end)
end)

describe("errors", function()
  it("prints kind, code, status, message and request id", function()
    local e = errors.new{ kind = "service", code = "Throttling", status = 400,
                          message = "Request was denied due to request throttling.", request_id = "R-1" }
    assert.are.equal("cloudapi service error Throttling (HTTP 400): Request was denied due to " ..
                     "request throttling. [RequestId R-1]", tostring(e))
    assert.is_false(e.retryable)
    assert.are.equal(1, e.attempts)
  end)

  it("redacts secrets raw and percent-encoded once or twice", function()
    local s = errors.redact_string("a=my/secret+1 b=my%2Fsecret%2B1 c=my%252Fsecret%252B1", { "my/secret+1" })
    assert.are.equal("a=[REDACTED] b=[REDACTED] c=[REDACTED]", s)
  end)
end)

describe("errors.redact", function()
  it("redacts every secret of a list with holes", function()
    local e = errors.new{ kind = "network", message = "pw=hunter22 tok=token-xyz" }
    errors.redact(e, { "sk-value", nil, "hunter22", "token-xyz" })
    assert.are.equal("pw=[REDACTED] tok=[REDACTED]", e.message)
  end)
end)
