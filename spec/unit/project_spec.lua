-- The project's single sources of truth agree: one version, one module
-- list in the rockspec, one C source list.
local cloudapi = require "cloudapi"

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

describe("the project", function()
  it("names one version: cloudapi.VERSION is the newest in CHANGELOG.md", function()
    assert.are.equal("string", type(cloudapi.VERSION))
    assert.are.equal(cloudapi.VERSION, read("CHANGELOG.md"):match("\n## %[(%d+%.%d+%.%d+)%]"))
    assert.is_nil(require("cloudapi.core").version)
  end)

  it("lists every Lua module in the rockspec, and nothing else", function()
    local spec = read("cloudapi-scm-1.rockspec")
    local listed = {}
    for name, file in spec:gmatch('%["(cloudapi[%w%._]*)"%]%s*=%s*"(lua/[^"]+)"') do listed[file] = name end
    local p = assert(io.popen("find lua -name '*.lua' | sort"))
    local missing, n = {}, 0
    for file in p:lines() do
      n = n + 1
      local want = file:gsub("^lua/", ""):gsub("%.lua$", ""):gsub("/init$", ""):gsub("/", ".")
      if listed[file] ~= want then missing[#missing + 1] = file end
      listed[file] = nil
    end
    p:close()
    assert.is_true(n > 20)
    assert.are.same({}, missing)
    assert.are.same({}, listed)
  end)
end)

describe("the library", function()
  it("never calls the program's math.random or math.randomseed", function()
    local p = assert(io.popen("grep -rn 'math%.random\\|math\\.random' lua/ || true"))
    local hits = {}
    for line in p:lines() do
      if not line:find("never reseeded nor drawn", 1, true) then hits[#hits + 1] = line end
    end
    p:close()
    assert.are.same({}, hits)
  end)
end)
