-- The access keys the emulator knows. A key with `token` is a temporary
-- (STS) credential: its requests must carry exactly that SecurityToken.

return {
  ["testid"]  = { secret = "testsecret" },
  ["demo-ak"] = { secret = "demo-secret" },
  ["sts-ak"]  = { secret = "sts-secret", token = "sts-token" },
}
