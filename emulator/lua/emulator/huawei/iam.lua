-- Huawei Cloud IAM: the fixed identities (domain, user, AK/SK pairs,
-- projects) and the mutable token state. HTTP handling is in iam_api.lua.

local M = {}

M.DEFAULT_TTL = 24 * 3600

M.DOMAIN = { name = "demo-domain", id = "d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0" }

-- Users by domain name, then user name.
M.USERS = {
  ["demo-domain"] = {
    ["demo-user"] = { name = "demo-user", id = "u0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0", password = "demo-password" },
  },
}

M.DOMAINS = { ["demo-domain"] = M.DOMAIN }

-- Permanent and temporary (STS) access keys; a key with security_token
-- needs the header X-Security-Token with exactly that value.
-- (and the metadata securitykey's, common/temp_keys.lua, which expire).
M.KEYS = setmetatable({
  ["hw-ak"]     = { sk = "hw-sk", domain = M.DOMAIN },
  ["hw-sts-ak"] = { sk = "hw-sts-sk", domain = M.DOMAIN, security_token = "hw-sts-token" },
}, { __index = function(_, ak) return require("emulator.common.temp_keys").get(ak) end })

-- All in domain demo-domain; two projects deliberately share a name.
M.PROJECTS = {
  { id = "0a1b2c3d4e5f60718293a4b5c6d7e8f9", name = "cn-north-4" },
  { id = "1b2c3d4e5f60718293a4b5c6d7e8f90a", name = "ap-southeast-1" },
  { id = "2c3d4e5f60718293a4b5c6d7e8f90a1b", name = "eu-west-101" },
  { id = "3d4e5f60718293a4b5c6d7e8f90a1b2c", name = "cn-dup-1" },
  { id = "4e5f60718293a4b5c6d7e8f90a1b2c3d", name = "cn-dup-1" },
}
M.PROJECT_BY_ID = {}
for _, p in ipairs(M.PROJECTS) do
  p.domain = M.DOMAIN
  M.PROJECT_BY_ID[p.id] = p
end

function M.projects_named(name)
  local out = {}
  for _, p in ipairs(M.PROJECTS) do
    if name == nil or p.name == name then out[#out + 1] = p end
  end
  return out
end

---------------------------------------------------------------- mutable state
local tokens, issued_total, lookups, ttl

function M.reset()
  tokens, issued_total, lookups, ttl = {}, 0, 0, M.DEFAULT_TTL
end
M.reset()

function M.ttl() return ttl end
function M.set_ttl(seconds) ttl = seconds end

local random_hex = require("emulator.common.temp_keys").hex

-- Issues a token; returns token string and its record.
-- rec = { user, domain, project? (scope), issued, expires }
function M.issue(rec, now)
  issued_total = issued_total + 1
  rec.issued, rec.expires = now, now + ttl
  local tok = "MIIE" .. random_hex(56) .. string.format("%08x", issued_total)
  tokens[tok] = rec
  return tok, rec
end

-- "valid", rec | "expired", rec | "unknown"
function M.check(tok, now)
  local rec = tokens[tok]
  if not rec then return "unknown" end
  if rec.revoked or now >= rec.expires then return "expired", rec end
  return "valid", rec
end

function M.revoke_all()
  local n = 0
  for _, rec in pairs(tokens) do
    if not rec.revoked then rec.revoked = true; n = n + 1 end
  end
  return n
end

function M.project_lookup() lookups = lookups + 1 end

function M.counts(now)
  local active = 0
  for _, rec in pairs(tokens) do
    if not rec.revoked and now < rec.expires then active = active + 1 end
  end
  return { tokens = issued_total, active = active, project_lookups = lookups, token_ttl = ttl }
end

return M
