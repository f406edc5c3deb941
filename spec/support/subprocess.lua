-- Run a Lua snippet in a fresh interpreter with a chosen environment: the
-- credential providers read variables and files the test process cannot
-- change for itself. Only LUA_PATH/LUA_CPATH, the emulator's URL and the
-- variables given are set (env -i), so nothing of the caller leaks in.
local M = {}

local lua = os.getenv("CLOUDAPI_TEST_LUA") or "lua5.4"

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- run(vars, code) -> stdout and stderr of `lua file`
function M.run(vars, code)
  local file = os.tmpname()
  local f = assert(io.open(file, "wb"))
  f:write(code)
  f:close()
  local env = { "LUA_PATH=" .. q(os.getenv("LUA_PATH")), "LUA_CPATH=" .. q(os.getenv("LUA_CPATH")),
                "CLOUDAPI_EMULATOR_URL=" .. q(os.getenv("CLOUDAPI_EMULATOR_URL")),
                "PATH=" .. q(os.getenv("PATH")) }
  local defaults = { HOME = "/nonexistent", ALIBABA_CLOUD_ECS_METADATA_DISABLED = "true",
                     HUAWEICLOUD_SDK_METADATA_DISABLED = "true" }
  for k, v in pairs(vars) do defaults[k] = v end
  for k, v in pairs(defaults) do
    if v ~= false then env[#env + 1] = k .. "=" .. q(v) end
  end
  local p = assert(io.popen("env -i " .. table.concat(env, " ") .. " " .. lua .. " " .. file .. " 2>&1"))
  local out = p:read("*a")
  p:close()
  os.remove(file)
  return out
end

return M
