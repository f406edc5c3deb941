-- Credential files for the specs: copies of spec/fixtures/credentials/*
-- (with @EMULATOR@ and @DIR@ filled in) in a fresh temporary directory,
-- with the permissions a test asks for.
local M = {}

local sh = require "support.shell"
local root = assert(os.getenv("PWD"))

-- dir() -> a new empty directory (removed by cleanup())
local made = {}
function M.dir()
  local d = os.tmpname()
  os.remove(d)
  assert(sh("mkdir -p " .. d))
  made[#made + 1] = d
  return d
end

function M.cleanup()
  for _, d in ipairs(made) do sh("rm -rf " .. d) end
  made = {}
end

-- write(dir, rel, text, mode) -> path (mode "600" by default)
function M.write(dir, rel, text, mode)
  local path = dir .. "/" .. rel
  assert(sh("mkdir -p $(dirname " .. path .. ")"))
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
  assert(sh("chmod " .. (mode or "600") .. " " .. path))
  return path
end

-- copy(dir, name, rel, vars, mode) -> path: fixture `name` with @VAR@ filled
function M.copy(dir, name, rel, vars, mode)
  local f = assert(io.open(root .. "/spec/fixtures/credentials/" .. name, "rb"))
  local text = f:read("*a")
  f:close()
  vars = vars or {}
  vars.DIR = vars.DIR or dir
  text = text:gsub("@([%w_]+)@", function(k) return assert(vars[k], "no value for @" .. k .. "@") end)
  return M.write(dir, rel or name, text, mode)
end

return M
