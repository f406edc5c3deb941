-- The Lua-level fuzzers (spec/fuzz/lua/) for a moment on every build,
-- both interpreters (`make fuzz` and `make test-fuzz` run them longer under
-- ASan/UBSan): random types and argument counts into every function of the
-- core, mutated answers into the decoders, random parameter tables into
-- the flattening. A fixed seed: a failure here replays.
local gen = require "fuzz.lua.gen"

describe("the Lua-level fuzzers, briefly", function()
  for _, name in ipairs({ "core_args", "decoders", "params" }) do
    it(name .. " holds its properties", function()
      local fuzzer = require("fuzz.lua." .. name)
      gen.seed(20261201)
      local ok, err = pcall(function()
        for _ = 1, 2000 do fuzzer.step() end
      end)
      fuzzer.close()
      assert.is_true(ok, tostring(err))
    end)
  end
end)
