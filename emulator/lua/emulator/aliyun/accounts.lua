-- The access keys the emulator knows. A key with `token` is a temporary
-- (STS) credential: its requests must carry exactly that SecurityToken;
-- one with `expires` stops working then. Keys it issued itself (STS,
-- instance metadata) are looked up in common/temp_keys.lua.
-- `account` is the account a key belongs to: resources (EIPs, snapshots,
-- instance statuses) are kept per account, so one account's keys never see
-- another's. A key without one is an account of its own.

return setmetatable({
  ["testid"]  = { secret = "testsecret", account = "1000000000000001" },
  ["demo-ak"] = { secret = "demo-secret", account = "1000000000000002" },
  ["sts-ak"]  = { secret = "sts-secret", token = "sts-token", account = "1000000000000001" },
}, { __index = function(_, id) return require("emulator.common.temp_keys").get(id) end })
