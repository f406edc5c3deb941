-- The cloudapi command as a subprocess for the specs: bin/cloudapi under
-- the suite's interpreter (its LUA_PATH/LUA_CPATH and HOME) with the
-- environment a test chooses. What it prints joins the secret scan
-- (spec/zz_secret_scan_spec.lua).
local log = require "support.error_log"

local M = {}

local LUA = os.getenv("CLOUDAPI_TEST_LUA") or "lua5.4"
local ROOT = assert(os.getenv("PWD"))

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function read(path)
  local f = io.open(path, "rb")
  if not f then return "" end
  local s = f:read("*a")
  f:close()
  os.remove(path)
  return s
end

-- A request meant for anywhere but the emulator meets a dead proxy on
-- 127.0.0.1 instead of leaving the machine.
M.BASE_ENV = {
  ALIBABA_CLOUD_ACCESS_KEY_ID = "testid", ALIBABA_CLOUD_ACCESS_KEY_SECRET = "testsecret",
  HUAWEICLOUD_SDK_AK = "hw-ak", HUAWEICLOUD_SDK_SK = "hw-sk",
  http_proxy = "http://127.0.0.1:9", https_proxy = "http://127.0.0.1:9", no_proxy = "127.0.0.1",
}

-- run(args [, env, {tty = true} | {stdout = path}]) -> stdout, stderr,
-- status. env adds to (or with false removes from) BASE_ENV. tty: run
-- under script(1), stdout and stderr both on its terminal (returned as
-- stdout); stdout: where stdout goes instead (e.g. /dev/full).
function M.run(argv, env, opts)
  local vars = {}
  for k, v in pairs(M.BASE_ENV) do vars[k] = v end
  for k, v in pairs(env or {}) do vars[k] = v or nil end
  local parts = { "env", "-u", "ALIBABA_CLOUD_SECURITY_TOKEN", "-u", "HUAWEICLOUD_SDK_PROJECT_ID" }
  for k, v in pairs(env or {}) do
    if v == false then parts[#parts + 1] = "-u"; parts[#parts + 1] = k end
  end
  for k, v in pairs(vars) do parts[#parts + 1] = q(k .. "=" .. v) end
  parts[#parts + 1] = q(LUA)
  parts[#parts + 1] = q(ROOT .. "/bin/cloudapi")
  for _, a in ipairs(argv) do parts[#parts + 1] = q(a) end
  local cmd = table.concat(parts, " ")
  local out, err, rc = os.tmpname(), os.tmpname(), os.tmpname()
  if opts and opts.tty then
    os.execute("script -qec " .. q(cmd) .. " /dev/null > " .. out .. " 2> " .. err .. "; echo $? > " .. rc)
  else
    os.execute(cmd .. " > " .. (opts and opts.stdout or out) .. " 2> " .. err .. " < /dev/null; echo $? > " .. rc)
  end
  local o, e, status = read(out), read(err), tonumber(read(rc))
  log.outputs[#log.outputs + 1] = o
  log.outputs[#log.outputs + 1] = e
  return o, e, status
end

-- join(a, b, ...) -> the lists' elements in order, in one list
function M.join(...)
  local out = {}
  for _, list in ipairs({ ... }) do
    for _, a in ipairs(list) do out[#out + 1] = a end
  end
  return out
end

return M
