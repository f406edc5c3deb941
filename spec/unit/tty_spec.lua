-- core.isatty(fd): whether a descriptor is a terminal (the command prints
-- progress lines only then; spec/e2e/cli_spec.lua runs it on a terminal).
local core = require "cloudapi.core"

describe("core.isatty", function()
  it("says false for a descriptor that is not a terminal, or not open", function()
    local lua = os.getenv("CLOUDAPI_TEST_LUA")
    local p = assert(io.popen(lua .. [[ -e 'io.write(tostring(require("cloudapi.core").isatty(1)))']]))
    local out = p:read("*a")
    p:close()
    assert.are.equal("false", out) -- stdout is the pipe
    assert.is_false(core.isatty(1023))
  end)

  it("refuses what is not a descriptor", function()
    for _, bad in ipairs({ -1, 1024, 2.5 }) do
      local ok, err = pcall(core.isatty, bad)
      assert.is_false(ok)
      assert.is_truthy(tostring(err):find("^bad argument #1 to '[^']*' %("), err)
    end
    local ok, err = pcall(core.isatty, -1)
    assert.is_false(ok)
    assert.is_truthy(err:find("(a file descriptor from 0 to 1023)", 1, true), err)
    assert.is_false((pcall(core.isatty, "two")))
  end)
end)
