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
  "hw-wrong-sk-9", "not-the-secret", "cli-wrong-secret-7", "YourAccessKeySecret",
  -- OIDC tokens, and what a credentials URI's query may carry
  "emulator-oidc-token", "an-old-token", "not-in-errors",
  -- every metadata token the emulator hands out starts so
  "emu-imds-", "emu-meta-",
  -- redaction_spec, iam_spec, openresty: quoted back by the echo fault, rotated in place, wrong passwords
  'pa"ss\\word-77', "rotated-in-place-token-31", "rotated-in-place-secret-31", "wrong-pw-4417x",
  "wrong-pw-8812q", "sts-rotated-token-0123456789", "sk-held-0001",
  "wire-secret-7", "fuzz-secret", "fuzz-sk", -- spec/e2e/wire_spec.lua, spec/fuzz/lua/
}
-- and the secrets of every temporary credential obtained during the run
for _, s in ipairs(log.secrets) do SECRETS[#SECRETS + 1] = s end

local forms = {}
for _, s in ipairs(SECRETS) do
  forms[#forms + 1] = s
  forms[#forms + 1] = core.encode(s)
  forms[#forms + 1] = core.encode(core.encode(s))
  forms[#forms + 1] = (s:gsub('[\\"]', "\\%0")) -- JSON-escaped, as in a quoted body
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
  it("obtained temporary credentials, whose secrets are scanned for too", function()
    assert.is_true(#log.secrets > 50, "only " .. #log.secrets .. " temporary secrets recorded")
  end)

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

  it("printed nothing secret from the command line tool (stdout, stderr, --debug, --dryrun)", function()
    local found = {}
    for i, text in ipairs(log.outputs) do scan(text, "output " .. i, {}, found) end
    assert.are.same({}, found)
    assert.is_true(#log.outputs > 50, "only " .. #log.outputs .. " outputs recorded")
  end)
end)
