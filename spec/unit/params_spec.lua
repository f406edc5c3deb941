local params = require "cloudapi.aliyun.params"
local json = require "cloudapi.json"
local cloudapi = require "cloudapi"

describe("params.flatten", function()
  it("keeps strings and writes booleans and integers exactly", function()
    local flat = assert(params.flatten{ A = "x y", B = true, C = false, D = 1, E = 1e15,
                                        F = -42, G = 2^53, H = 1.5, I = 0.1 })
    assert.are.same({ A = "x y", B = "true", C = "false", D = "1", E = "1000000000000000",
                      F = "-42", G = "9007199254740992", H = "1.5", I = "0.1" }, flat)
  end)

  it("never writes an integral float as 1.0", function()
    assert.are.equal("1", params.flatten{ X = 1.0 }.X)
    assert.are.equal("100", params.flatten{ X = 10 ^ 2 }.X)
  end)

  it("flattens RepeatLists and maps", function()
    local flat = assert(params.flatten{
      Tag = { { Key = "k1", Value = "v1" }, { Key = "k2", Value = "v2" } },
      InstanceId = { "i-1", "i-2" },
      Filter = { Name = "n" },
    })
    assert.are.same({ ["Tag.1.Key"] = "k1", ["Tag.1.Value"] = "v1", ["Tag.2.Key"] = "k2",
                      ["Tag.2.Value"] = "v2", ["InstanceId.1"] = "i-1", ["InstanceId.2"] = "i-2",
                      ["Filter.Name"] = "n" }, flat)
  end)

  it("sends cloudapi.json(v) as one JSON string", function()
    local flat = assert(params.flatten{ InstanceIds = cloudapi.json{ "i-1", "i-2" },
                                        Empty = cloudapi.json(cloudapi.array()),
                                        Obj = cloudapi.json{ b = 1, a = { true, 2.5 } } })
    assert.are.equal('["i-1","i-2"]', flat.InstanceIds)
    assert.are.equal("[]", flat.Empty)
    assert.are.equal('{"a":[true,2.5],"b":1}', flat.Obj)
  end)

  local function fails(p, msg)
    local flat, err = params.flatten(p)
    assert.is_nil(flat)
    assert.are.equal(msg, err)
  end

  it("names the parameter in every error", function()
    fails({ Fn = print }, "parameter 'Fn': a function cannot be sent")
    fails({ N = 0 / 0 }, "parameter 'N': NaN is not a valid number")
    fails({ Inf = math.huge }, "parameter 'Inf': infinity is not a valid number")
    fails({ Tag = { { Key = -math.huge } } }, "parameter 'Tag.1.Key': infinity is not a valid number")
    fails({ [1] = "x" }, "parameter names must be strings, got a number (1)")
    fails({ Z = "a\0b" }, "parameter 'Z' contains a NUL byte")
    fails({ M = { 1, x = 2 } }, "parameter 'M': a table mixes array items and named fields")
    fails({ H = { [1] = "a", [3] = "c" } }, "parameter 'H': array has a hole at index 2")
    fails({ J = cloudapi.json{ f = print } }, "parameter J.f: cannot encode a function as JSON")
    fails("x", "parameters must be a table, got a string")
  end)

  it("detects cycles", function()
    local t = {}
    t.self = t
    fails({ Loop = t }, "parameter 'Loop.self' contains a cycle")
    local u = { 1 }
    u[2] = u
    local flat, err = params.flatten{ J = cloudapi.json(u) }
    assert.is_nil(flat)
    assert.are.equal("parameter J[2]: contains a cycle", err)
  end)
end)

describe("json.encode", function()
  it("escapes control characters and quotes", function()
    assert.are.equal('"a\\"b\\\\c\\n\\u0001"', json.encode('a"b\\c\n\1'))
  end)
  it("encodes null and nested values", function()
    assert.are.equal('{"a":null,"b":[1,{"c":"d"}]}', json.encode{ a = json.null, b = { 1, { c = "d" } } })
  end)
end)

describe("json.decode", function()
  it("gives integers for integral numbers and keeps fractions", function()
    local t = json.decode('{"n":25,"big":123456789012345,"f":2.5,"l":[1,2],"neg":-3}')
    assert.are.equal("25", tostring(t.n))
    assert.are.equal(123456789012345, t.big) -- exact; LuaJIT prints it with 14 digits
    assert.are.equal(2.5, t.f)
    assert.are.equal("2", tostring(t.l[2]))
    assert.are.equal("-3", tostring(t.neg))
  end)
end)
