-- The redaction rules (lua/cloudapi/redact.lua): runs of a long secret,
-- whole short ones, the tiniest only in value contexts, every form a
-- request carries, named values, and cutting only after redacting.
local errors = require "cloudapi.errors"
local core = require "cloudapi.core"
local decode = require "cloudapi.aliyun.decode"

local function r(s, ...) return errors.redact_string(s, { ... }) end

describe("redaction", function()
  local long = "Abcdefgh12345678Zyxwvuts" -- 24 bytes

  it("hides any run of 8 or more bytes of a long secret: cut short, one byte off, inside other text", function()
    assert.are.equal("x=[REDACTED]&y", r("x=" .. long .. "&y", long))
    assert.are.equal("quoted: [REDACTED]...", r("quoted: Abcdefgh1234...", long))        -- cut short
    assert.are.equal("[REDACTED]X[REDACTED]", r("Abcdefgh123X5678Zyxwvuts", long))      -- one byte off
    assert.are.equal("<[REDACTED]>", r("<h12345678Z>", long))                           -- a middle run
    assert.are.equal("Abcdefg and 2345678", r("Abcdefg and 2345678", long))             -- runs of 7 stay
  end)

  it("hides every form a request carries: percent-encoded once and twice, JSON-escaped", function()
    local s = 'p/w"\\+Secret1'
    local once = core.encode(s)
    local out = r("a=" .. once .. " b=" .. core.encode(once) .. ' c={"pw":"p/w\\"\\\\+Secret1"} d=' .. s, s)
    assert.are.equal('a=[REDACTED] b=[REDACTED] c={"pw":"[REDACTED]"} d=[REDACTED]', out)
  end)

  it("hides a secret whose '/' a JSON encoder wrote as '\\/' (cjson does): no piece between slashes stays", function()
    local token = "CAISab/cdef/gh+ij/klm0" -- no run of 8 without a '/'
    local body = require("cjson").encode({ x = token })
    assert.are.equal('{"x":"CAISab\\/cdef\\/gh+ij\\/klm0"}', body)
    assert.are.equal('{"x":"[REDACTED]"}', r(body, token))
  end)

  it("hides a named value percent-encoded once or twice (a quoted string to sign), up to the encoded '&'", function()
    assert.are.equal("GET&%2F&A%3D1%26Password%3D[REDACTED]%26RegionId%3Dcn",
                     r("GET&%2F&A%3D1%26Password%3DSecr3t%2521Pw%26RegionId%3Dcn"))
    assert.are.equal("POST&%2F&Password%3D[REDACTED]", r("POST&%2F&Password%3DSecr3t%2521Pw"))
    assert.are.equal("GET%26%252F%26Password%253D[REDACTED]%2526RegionId%253Dcn",
                     r("GET%26%252F%26Password%253DSecr3t%252521Pw%2526RegionId%253Dcn"))
    assert.are.equal("%26SecurityToken%3D[REDACTED]%26x%3D1", r("%26SecurityToken%3DCAIS%252Fab%26x%3D1"))
    assert.are.equal("NotPassword%3Dkeep%26", r("NotPassword%3Dkeep%26")) -- another name
  end)

  it("hides every whole occurrence of a 4 to 7 byte secret, not a part of it", function()
    assert.are.equal("[REDACTED] and [REDACTED]; hunte", r("hunter and hunter; hunte", "hunter"))
  end)

  it("hides a secret under 4 bytes only where it stands as a value", function()
    assert.are.equal("x=[REDACTED]&y=1", r("x=ab&y=1", "ab"))
    assert.are.equal('{"k":"[REDACTED]","n":"[REDACTED]"}', r('{"k":"ab","n":"ab"}', "ab"))
    assert.are.equal("X-Key: [REDACTED]\r\nabout absent tab", r("X-Key: ab\r\nabout absent tab", "ab"))
    assert.are.equal("[REDACTED]", r("ab", "ab"))
    assert.are.equal("q=[REDACTED]", r("q=ab", "ab"))
    assert.are.equal("a cab, a dab", r("a cab, a dab", "ab"))
  end)

  it("hides the values of names that always carry a secret, whatever they are", function()
    assert.are.equal("GET /?A=1&Signature=[REDACTED]&SecurityToken=[REDACTED] HTTP/1.1",
                     r("GET /?A=1&Signature=abc%2B%3D&SecurityToken=tok HTTP/1.1"))
    assert.are.equal("Authorization: SDK-HMAC-SHA256 Access=ak, SignedHeaders=host, Signature=[REDACTED]",
                     r("Authorization: SDK-HMAC-SHA256 Access=ak, SignedHeaders=host, Signature=0a1b2c"))
    assert.are.equal('{"password":"[REDACTED]","name":"u"} {\\"password\\":\\"[REDACTED]\\"}',
                     r('{"password":"p1","name":"u"} {\\"password\\":\\"p2\\"}'))
    assert.are.equal("X-Auth-Token: [REDACTED]\r\nX-Subject-Token: [REDACTED]\r\nHost: h",
                     r("X-Auth-Token: MIIx\r\nX-Subject-Token: MIIy\r\nHost: h"))
    assert.are.equal("the signature does not match", r("the signature does not match"))
  end)

  it("cuts a body excerpt only after redacting it: no prefix of a secret survives the cut", function()
    local secret = "sts-rotated-token-0123456789"
    local owner = {}
    errors.hold(owner, "some-secret-value", secret)
    local body = string.rep("x", 195) .. secret .. string.rep("y", 300)
    local _, err = decode.response({ format = "JSON" }, {}, { status = 502, body = body, headers = {} })
    assert.are.equal("HTTP502", err.code)
    errors.scrub(err, owner)
    assert.are.equal(string.rep("x", 195) .. "[REDA", err.message)
    assert.is_nil(err.excerpt)
  end)

  it("scrubs with the signature of the failed request as well as the held secrets", function()
    local e = errors.new{ kind = "service", message = "saw SIGxyz0123456789 and sk-held-0001" }
    errors.hold(e, "sk-held-0001")
    errors.scrub(e, e, "SIGxyz0123456789")
    assert.are.equal("saw [REDACTED] and [REDACTED]", e.message)
  end)
end)
