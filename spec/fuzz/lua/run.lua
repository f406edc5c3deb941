-- lua spec/fuzz/lua/run.lua NAME SECONDS [SEED]: one Lua-level fuzzer
-- (spec/fuzz/lua/NAME.lua) for SECONDS; prints its totals, raises on the
-- first property that fails (with the seed, to replay it).
local name, seconds, seed = arg[1], tonumber(arg[2]) or 5, tonumber(arg[3]) or os.time()
local gen = require "fuzz.lua.gen"
local fuzzer = require("fuzz.lua." .. name)
gen.seed(seed)
local ok, err = pcall(gen.run, name .. " (seed " .. seed .. ")", seconds, fuzzer.step)
fuzzer.close()
if not ok then
  io.stderr:write(name, " (seed ", seed, "): ", tostring(err), "\n")
  os.exit(1)
end
