-- cloudapi.path, the one path-template filler of the REST clients.
local paths = require "cloudapi.path"

describe("cloudapi.path", function()
  local NONE = {}
  local function own(name, a) if name == "project_id" then return a end end
  local HUAWEI = { own = own, slash = "no" }

  it("encodes each value as one segment and leaves the literal path's allowed characters", function()
    assert.are.equal("/v1/p/x/a%20b%2Fc%E4%B8%AD/~x:@", paths.fill("/v1/{project_id}/x/{id}/~x:@",
      { id = "a b/c中", project_id = "ignored" }, { own = own }, "p"))
    assert.are.equal("/a%5Eb", paths.fill("/a^b", nil, NONE))
    assert.are.equal("/n/12/true", paths.fill("/n/{i}/{b}", { i = 12, b = true }, NONE))
  end)

  it("refuses dot segments, in a value or in the path itself", function()
    for _, v in ipairs({ ".", ".." }) do
      local p, why = paths.fill("/x/{id}/y", { id = v }, NONE)
      assert.is_nil(p)
      assert.are.equal("path value for {id} must not be '" .. v ..
                       "' (a dot segment would change the path)", why)
    end
    assert.are.equal("/x/...", paths.fill("/x/{id}", { id = "..." }, NONE)) -- not a dot segment
    local _, why = paths.fill("/a/./b", nil, NONE)
    assert.are.equal("path must not contain '.' or '..' segments, got '/a/./b'", why)
  end)

  it("refuses a '/' in a value only where the client says so, and names every other problem", function()
    local _, why = paths.fill("/v1/{id}", { id = "a/b" }, HUAWEI)
    assert.are.equal("path value for {id} must not contain '/': no", why)
    assert.are.equal("/v1/a%2Fb", paths.fill("/v1/{id}", { id = "a/b" }, NONE))
    _, why = paths.fill("/v1/{id}", { id = {} }, NONE)
    assert.are.equal("path value 'id': a table cannot be sent", why)
    _, why = paths.fill("/v1/{id}", { id = "" }, NONE)
    assert.are.equal("path needs a value for {id}", why)
    _, why = paths.fill("/v1/{id}", "x", NONE)
    assert.are.equal("path values must be a table", why)
    _, why = paths.fill("/v1/\n", nil, NONE)
    assert.are.equal("path contains control characters", why)
  end)

  it("remembers paths filled with the client's own values, bounded, per value", function()
    local cache = paths.cache()
    assert.are.equal("/v1/p1/x", paths.cached(cache, "/v1/{project_id}/x", HUAWEI, "p1"))
    assert.are.equal("/v1/p2/x", paths.cached(cache, "/v1/{project_id}/x", HUAWEI, "p2"))
    for i = 1, 300 do paths.cached(cache, "/n" .. i, HUAWEI) end
    assert.is_true(cache.n <= 256)
    local _, why = paths.cached(cache, "/v1/{id}", HUAWEI, "p1")
    assert.are.equal("path needs a value for {id}", why)
  end)
end)
