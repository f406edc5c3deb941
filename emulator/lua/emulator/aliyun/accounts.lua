-- The access keys the emulator knows. A key with `token` is a temporary
-- (STS) credential: its requests must carry exactly that SecurityToken;
-- one with `expires` stops working then. Keys it issued itself (STS,
-- instance metadata) are looked up in sts_keys.lua.

return setmetatable({
  ["testid"]  = { secret = "testsecret" },
  ["demo-ak"] = { secret = "demo-secret" },
  ["sts-ak"]  = { secret = "sts-secret", token = "sts-token" },
}, { __index = function(_, id) return require("emulator.aliyun.sts_keys").get(id) end })
