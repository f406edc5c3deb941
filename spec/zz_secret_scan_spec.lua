-- Runs last (spec/run sorts files): every error object the suite produced
-- and every event any client emitted, every field and printed form, holds
-- none of the secrets the suite used.
local core = require "cloudapi.core"
local log = require "support.error_log"

-- Every secret any spec hands to a client (keys the emulator knows, and
-- the deliberately wrong ones).
local SECRETS = {
  "testsecret", "demo-secret", "sts-secret", "sts-token", "accessKeySecret", "accessKeyStsToken",
  "hw-sk", "hw-sts-sk", "hw-sts-token", "demo-password", "SecretKey",
  "the-wrong-secret-42", "hunter2", "definitely-not-the-sk", "aliyun-wrong-secret-1",
  "hw-wrong-sk-9", "not-the-secret",
  "wire-secret-7", "fuzz-secret", "fuzz-sk", -- spec/e2e/wire_spec.lua, spec/fuzz/lua/
}

local forms = {}
for _, s in ipairs(SECRETS) do
  forms[#forms + 1] = s
  forms[#forms + 1] = core.encode(s)
  forms[#forms + 1] = core.encode(core.encode(s))
end

local function scan(v, where, seen, found)
  if type(v) == "string" then
    for _, f in ipairs(forms) do
      if v:find(f, 1, true) then found[#found + 1] = where .. ": " .. v:sub(1, 200) end
    end
  elseif type(v) == "table" and not seen[v] then
    seen[v] = true
    for k, x in pairs(v) do scan(x, where .. "." .. tostring(k), seen, found) end
  end
end

describe("the whole suite", function()
  it("produced many errors, none showing a secret", function()
    local found, seen = {}, {}
    for i, e in ipairs(log.errors) do
      scan(e, "error " .. i, seen, found)
      scan(tostring(e), "error " .. i .. " printed", seen, found)
    end
    assert.are.same({}, found)
    assert.is_true(#log.errors > 100, "only " .. #log.errors .. " errors recorded")
  end)

  it("emitted many events, none showing a secret", function()
    local found, seen = {}, {}
    for i, ev in ipairs(log.events) do
      scan(ev, "event " .. i, seen, found)
      if ev.error then scan(tostring(ev.error), "event " .. i .. " error printed", seen, found) end
    end
    assert.are.same({}, found)
    assert.is_true(#log.events > 300, "only " .. #log.events .. " events recorded")
  end)
end)
