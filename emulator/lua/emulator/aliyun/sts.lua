-- STS (Version 2015-04-01): AssumeRole (signed by the caller, whose key may
-- itself be temporary), AssumeRoleWithOIDC (unsigned: the OIDC token is
-- the proof, checked against the configured one) and GetCallerIdentity.
-- The keys issued live in common/temp_keys.lua; their lifetime is DurationSeconds
-- unless POST /__emulator/credentials set one.

local render   = require "emulator.common.render"
local cjson    = require "cjson.safe"
local temp_keys = require "emulator.common.temp_keys"
local settings = require "emulator.common.credential_settings"
local accounts = require "emulator.aliyun.accounts"

local obj = render.obj

local M = { name = "Sts", host = "sts.aliyuncs.com" }

M.ACCOUNT = "1234567890123456"
M.ROLES = { ["demo-role"] = true, ["ci-role"] = true, ["oidc-role"] = true, EcsDemoRole = true }
M.OIDC_PROVIDER = "acs:ram::" .. M.ACCOUNT .. ":oidc-provider/ack-rrsa-demo"
-- Actions answered without a signature.
M.anonymous = { AssumeRoleWithOIDC = true }

local counters
function M.reset() counters = { assume_role = 0, oidc = 0 } end
M.reset()
function M.counts() return { sts_assume_role = counters.assume_role, sts_assume_role_with_oidc = counters.oidc } end

local function bad(status, code, message) return nil, { status = status, code = code, message = message } end

local function checked(p)
  local acct, role = p.RoleArn:match("^acs:ram::(%d+):role/([%w%.%-_]+)$")
  if not acct then return bad(400, "InvalidParameter.RoleArn", "The parameter RoleArn is wrong.") end
  if acct ~= M.ACCOUNT or not M.ROLES[role] then
    return bad(404, "EntityNotExist.Role", "The role not exists: " .. p.RoleArn .. ".")
  end
  local session = p.RoleSessionName
  if session == nil or not session:match("^[%w%.@%-_]+$") or #session < 2 or #session > 64 then
    return bad(400, "InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrong.")
  end
  local d = tonumber(p.DurationSeconds or "3600")
  if not d or d % 1 ~= 0 or d < 900 or d > 43200 then
    return bad(400, "InvalidParameter.DurationSeconds", "The Min/Max value of DurationSeconds is 15min/12hr.")
  end
  if p.Policy and type(cjson.decode(p.Policy)) ~= "table" then
    return bad(400, "InvalidParameter.PolicyGrammar", "The parameter Policy has not passed grammar check.")
  end
  return role, d
end

local function answer(p, role, d, via, extra)
  local k = temp_keys.aliyun(settings.lifetime(d), { role = role, session = p.RoleSessionName, via = via })
  local arn = "acs:ram::" .. M.ACCOUNT .. ":assumed-role/" .. role .. "/" .. p.RoleSessionName
  return obj("AssumedRoleUser", obj("AssumedRoleId", "3" .. M.ACCOUNT .. ":" .. p.RoleSessionName, "Arn", arn),
             "Credentials", obj("AccessKeyId", k.id, "AccessKeySecret", k.secret, "SecurityToken", k.token,
                                "Expiration", temp_keys.iso(k.expires)),
             "OIDCTokenInfo", extra)
end

local function assume_role(p)
  local role, d = checked(p)
  if not role then return nil, d end
  counters.assume_role = counters.assume_role + 1
  return answer(p, role, d, p.AccessKeyId)
end

local function assume_role_with_oidc(p)
  if p.OIDCProviderArn ~= M.OIDC_PROVIDER then
    return bad(404, "EntityNotExist.OIDCProvider", "The OIDC provider does not exist: " .. p.OIDCProviderArn .. ".")
  end
  if p.OIDCToken ~= settings.get("oidc_token") then
    return bad(400, "AuthenticationFail.OIDCToken.Invalid", "The OIDC token is invalid.")
  end
  local role, d = checked(p)
  if not role then return nil, d end
  counters.oidc = counters.oidc + 1
  return answer(p, role, d, "oidc", obj("Issuer", "https://oidc-ack.emulator", "Subject", "system:serviceaccount:demo"))
end

local function caller(p)
  local k = accounts[p.AccessKeyId]
  if k and k.role then
    return obj("AccountId", M.ACCOUNT, "IdentityType", "AssumedRoleUser", "PrincipalId", k.session,
               "Arn", "acs:ram::" .. M.ACCOUNT .. ":assumed-role/" .. k.role .. "/" .. k.session)
  end
  return obj("AccountId", M.ACCOUNT, "IdentityType", "Account", "PrincipalId", M.ACCOUNT,
             "Arn", "acs:ram::" .. M.ACCOUNT .. ":root")
end

M.actions = {
  AssumeRole         = { required = { "RoleArn", "RoleSessionName" }, handler = assume_role },
  AssumeRoleWithOIDC = { required = { "RoleArn", "OIDCProviderArn", "OIDCToken", "RoleSessionName" },
                         handler = assume_role_with_oidc },
  GetCallerIdentity  = { required = {}, handler = caller },
}

return M
