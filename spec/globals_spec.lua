-- No library module reads an undeclared global or writes any global: a
-- misspelt local becomes a silent nil otherwise. Checked from the bytecode
-- listing of luac5.4.
local ALLOWED = {
  _G = true, _VERSION = true, assert = true, error = true, getmetatable = true, ipairs = true,
  next = true, pairs = true, pcall = true, rawget = true, rawset = true, rawequal = true,
  require = true, select = true, setmetatable = true, tonumber = true, tostring = true,
  type = true, unpack = true, xpcall = true, coroutine = true, io = true, math = true,
  os = true, package = true, string = true, table = true,
  ngx = true, -- OpenResty, always guarded by a check
}

describe("library modules", function()
  it("touch no unexpected globals", function()
    local p = assert(io.popen("ls lua/cloudapi/*.lua lua/cloudapi/*/*.lua"))
    local files = {}
    for f in p:lines() do files[#files + 1] = f end
    p:close()
    assert.is_true(#files >= 15)
    local bad = {}
    for _, f in ipairs(files) do
      local l = assert(io.popen("luac5.4 -p -l -l " .. f .. " 2>&1"))
      for line in l:lines() do
        local op, name = line:match("%s(%u+TABUP)%s.-_ENV \"([^\"]+)\"")
        if op == "SETTABUP" or (op == "GETTABUP" and not ALLOWED[name]) then
          bad[#bad + 1] = f .. ": " .. op .. " " .. name
        end
      end
      l:close()
    end
    assert.are.same({}, bad)
  end)
end)
