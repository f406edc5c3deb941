#!/usr/bin/env lua5.4
-- Self-test of the platform services that issue temporary keys: STS
-- AssumeRole (signed, here by a key STS itself issued) and
-- AssumeRoleWithOIDC (unsigned), the Alibaba instance metadata (token mode,
-- token-less, refused), the Huawei metadata securitykey, the credentials URI,
-- expiry (InvalidSecurityToken.Expired), the switches and the platform faults.
-- Independent of the project's code (curl + openssl, selftest_lib.lua).
--   lua5.4 emulator/tests/selftest_credentials.lua   (exit status 0 = all passed)

local here = (arg[0]:match("^(.*)/[^/]*$") or ".")
local emu_dir = here .. "/.."
package.path = emu_dir .. "/lua/?.lua;" .. package.path
local cjson = require "cjson"
local T = dofile(here .. "/selftest_lib.lua")
local check, http, ctl = T.check, T.http, T.ctl

local EMU = emu_dir .. "/emulator"
local prefix = T.start(EMU, "credtest")
local STS = "2015-04-01"
local ROLE = "acs:ram::1234567890123456:role/demo-role"

-- An RPC call signed with a key the test holds (T.RPC_SECRETS), with extra params.
local function rpc_as(key, action, extra)
  T.RPC_SECRETS[key.AccessKeyId] = key.AccessKeySecret
  local p = T.rpc_params(action, STS, extra)
  p.AccessKeyId, p.SecurityToken = key.AccessKeyId, key.SecurityToken
  return T.rpc(action, STS, nil, { params = p })
end

local function form(t)
  local parts = {}
  for k, v in pairs(t) do parts[#parts + 1] = T.pct(k) .. "=" .. T.pct(v) end
  return table.concat(parts, "&")
end

local function run_live()
  ctl("POST", "reset", "{}")
  local base = { AccessKeyId = "testid", AccessKeySecret = "testsecret" }

  -- STS AssumeRole, then AssumeRole again signed by the key it issued
  local r = rpc_as(base, "AssumeRole", { RoleArn = ROLE, RoleSessionName = "self-test" })
  local c = r.json and r.json.Credentials
  check(r.status == 200 and c and c.AccessKeyId:match("^STS%.") and c.SecurityToken ~= nil,
        "AssumeRole issues a temporary key", r.body)
  local key = { AccessKeyId = c.AccessKeyId, AccessKeySecret = c.AccessKeySecret, SecurityToken = c.SecurityToken }
  r = rpc_as(key, "GetCallerIdentity")
  check(r.status == 200 and r.json.Arn == "acs:ram::1234567890123456:assumed-role/demo-role/self-test",
        "the temporary key signs, with its SecurityToken", r.body)
  r = rpc_as(key, "AssumeRole", { RoleArn = "acs:ram::1234567890123456:role/ci-role", RoleSessionName = "chain" })
  check(r.status == 200 and r.json.Credentials, "AssumeRole signed by a temporary key", r.body)
  r = rpc_as(base, "AssumeRole", { RoleArn = "acs:ram::1234567890123456:role/nope", RoleSessionName = "x" })
  check(r.status == 404 and r.json.Code == "EntityNotExist.Role", "an unknown role is refused", r.body)

  -- AssumeRoleWithOIDC, unsigned
  local oidc = { Action = "AssumeRoleWithOIDC", Version = STS, Format = "JSON",
                 Timestamp = os.date("!%Y-%m-%dT%H:%M:%SZ"),
                 RoleArn = "acs:ram::1234567890123456:role/oidc-role", RoleSessionName = "pod",
                 OIDCProviderArn = "acs:ram::1234567890123456:oidc-provider/ack-rrsa-demo",
                 OIDCToken = "emulator-oidc-token" }
  local hdr = { headers = { "Content-Type: application/x-www-form-urlencoded" } }
  r = http("POST", "/", form(oidc), hdr)
  check(r.status == 200 and r.json.Credentials and r.json.Credentials.AccessKeyId:match("^STS%."),
        "AssumeRoleWithOIDC takes the configured token", r.body)
  oidc.OIDCToken = "wrong"
  r = http("POST", "/", form(oidc), hdr)
  check(r.status == 400 and r.json.Code == "AuthenticationFail.OIDCToken.Invalid", "a wrong OIDC token is refused",
        r.body)

  -- expiry
  check(ctl("POST", "credentials", '{"lifetime":1}').status == 200, "the lifetime switch is taken")
  r = rpc_as(base, "AssumeRole", { RoleArn = ROLE, RoleSessionName = "short" })
  local short = r.json.Credentials
  local deadline = T.now() + 15
  repeat -- until the one-second key has expired
    T.sleep(0.2)
    r = rpc_as({ AccessKeyId = short.AccessKeyId, AccessKeySecret = short.AccessKeySecret,
                 SecurityToken = short.SecurityToken }, "GetCallerIdentity")
  until r.status ~= 200 or T.now() > deadline
  check(r.status == 400 and r.json.Code == "InvalidSecurityToken.Expired", "an expired key is refused", r.body)
  ctl("POST", "reset", "{}")

  -- the Alibaba instance metadata
  r = http("PUT", "/latest/api/token", nil, { headers = { "X-aliyun-ecs-metadata-token-ttl-seconds: 60" } })
  local tok = r.body
  check(r.status == 200 and tok:match("^emu%-imds%-"), "IMDS issues a token", r.body)
  local th = { headers = { "X-aliyun-ecs-metadata-token: " .. tok } }
  r = http("GET", "/latest/meta-data/ram/security-credentials/", nil, th)
  check(r.status == 200 and r.body == "EcsDemoRole", "IMDS lists the role", r.body)
  r = http("GET", "/latest/meta-data/ram/security-credentials/EcsDemoRole", nil, th)
  check(r.status == 200 and r.json.Code == "Success" and r.json.AccessKeyId:match("^STS%."), "IMDS gives its key",
        r.body)
  local again = http("GET", "/latest/meta-data/ram/security-credentials/EcsDemoRole")
  check(again.status == 200 and again.json.AccessKeyId == r.json.AccessKeyId, "token-less, the same key", again.body)
  r = http("GET", "/latest/meta-data/ram/security-credentials/EcsDemoRole", nil,
           { headers = { "X-aliyun-ecs-metadata-token: forged" } })
  check(r.status == 401, "a forged token is refused", r.status)
  ctl("POST", "credentials", '{"imds_token_required":true}')
  r = http("GET", "/latest/meta-data/ram/security-credentials/EcsDemoRole")
  check(r.status == 403, "token-less access refused when required", r.status)
  T.fault('{"api":"imds_credentials","kind":"code"}')
  r = http("GET", "/latest/meta-data/ram/security-credentials/EcsDemoRole", nil, th)
  check(r.status == 200 and r.json.Code == "Failure", "the code fault answers Code Failure", r.body)
  T.fault('{"api":"imds","kind":"malformed"}')
  r = http("GET", "/latest/meta-data/ram/security-credentials/EcsDemoRole", nil, th)
  check(r.status == 200 and r.json == nil, "the malformed fault answers something not JSON", r.body)
  T.fault('{"kind":"error","status":503}') -- "any": never taken by the metadata
  r = http("GET", "/latest/meta-data/ram/security-credentials/EcsDemoRole", nil, th)
  check(r.status == 200 and r.json.Code == "Success", "an \"any\" fault is not taken by the metadata", r.body)

  -- the Huawei metadata securitykey and the credentials URI
  r = http("PUT", "/meta-data/latest/api/token", nil, { headers = { "X-Metadata-Token-Ttl-Seconds: 60" } })
  check(r.status == 200 and r.body:match("^emu%-meta%-"), "Huawei metadata issues a token", r.body)
  r = http("GET", "/openstack/latest/securitykey", nil, { headers = { "X-Metadata-Token: " .. r.body } })
  local cred = r.json and r.json.credential
  check(r.status == 200 and cred and cred.access:match("^HWTMP") and cred.expires_at:match("%.000000Z$"),
        "Huawei securitykey answers a credential", r.body)
  r = http("GET", "/credentials")
  check(r.status == 200 and r.json.Code == "Success" and r.json.AccessKeyId:match("^STS%."),
        "the credentials URI answers a key", r.body)
  local s = T.stats()
  check(s.temp_keys_issued == 3 and s.imds_tokens == 1 and s.imds_tokenless == 2 and s.metadata_securitykeys == 1
        and s.uri_requests == 1, "stats count the issued keys and requests", cjson.encode(s))
  check(ctl("POST", "credentials", '{"lifetime":-5}').status == 400, "a bad lifetime is refused")
  check(ctl("POST", "credentials", '{"colour":"red"}').status == 400, "an unknown switch is refused")
end

T.conclude(EMU, prefix, run_live)
