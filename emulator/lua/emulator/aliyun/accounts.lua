-- The access keys the emulator knows. A key with `token` is a temporary
-- (STS) credential: its requests must carry exactly that SecurityToken;
-- one with `expires` stops working then. Keys it issued itself (STS,
-- instance metadata) are looked up in common/temp_keys.lua.

return setmetatable({
  ["testid"]  = { secret = "testsecret" },
  ["demo-ak"] = { secret = "demo-secret" },
  ["sts-ak"]  = { secret = "sts-secret", token = "sts-token" },
}, { __index = function(_, id) return require("emulator.common.temp_keys").get(id) end })
