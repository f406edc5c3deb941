-- profile{file=}: the Huawei Cloud SDKs' credentials file (file=, else
-- HUAWEICLOUD_SDK_CREDENTIALS_FILE, else ~/.huaweicloud/credentials), read
-- at the first call: section [basic] for regional services, [global] for
-- global ones (iam, bss, ...); keys ak, sk, security_token, project_id,
-- domain_id, iam_endpoint. A client adopts the project_id, domain_id and
-- iam_endpoint it was not given. Errors name the file and section, never
-- a value. profiles{file=} tells which sections the file has (for the CLI).
local files = require "cloudapi.credentials.files"
local credentials = require "cloudapi.credentials"
local ini = require "cloudapi.ini"
local options = require "cloudapi.options"

local M = {}

local argcheck = options.checker("cloudapi.credentials.huaweicloud.profile")

local KEYS = { "ak", "sk", "security_token", "project_id", "domain_id", "iam_endpoint" }

local values = setmetatable({}, { __mode = "k" }) -- provider -> { basic =, global = }

local Profile = { stable = true }
Profile.__index = Profile
Profile.__tostring = function() return "cloudapi.credentials(huaweicloud profile)" end

local function path_of(self)
  local p = self.file or os.getenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE")
  if p == nil or p == "" then p = files.home_path(".huaweicloud/credentials") end
  return p
end

-- sections(self, ctx) -> the file's sections, its path | nil, err
local function sections(self, ctx)
  local path = path_of(self)
  if not path then return nil, credentials.error("HOME is not set: cannot find ~/.huaweicloud/credentials") end
  local text, err = files.read(path, ctx, "huaweicloud profile")
  if not text then return nil, err end
  local all, why = ini.parse(text)
  if not all then return nil, credentials.error(path .. ": " .. why) end
  return all, path
end

function Profile:get(ctx)
  local section = ctx and ctx.global and "global" or "basic"
  local cached = values[self]
  if cached and cached[section] then return cached[section] end
  local all, path = sections(self, ctx)
  if not all then return nil, path end
  local s = all[section]
  local where = path .. ": section [" .. section .. "]"
  if not s then return nil, credentials.error(path .. " has no section [" .. section .. "]") end
  if (s.ak or "") == "" or (s.sk or "") == "" then
    if (s.idp_id or "") ~= "" then
      return nil, credentials.error(where .. " uses idp_id/id_token_file (federated identity), not supported")
    end
    return nil, credentials.error(where .. " needs ak and sk")
  end
  local v = {}
  for _, k in ipairs(KEYS) do if s[k] ~= "" then v[k] = s[k] end end
  cached = cached or {}
  cached[section] = v
  values[self] = cached
  return v
end

function M.new(opts)
  opts = opts or {}
  argcheck(type(opts) == "table", "expected a table of options")
  argcheck(opts.file == nil or (type(opts.file) == "string" and opts.file ~= ""), "file must be a non-empty string")
  return setmetatable({ file = opts.file, kind = "profile" }, Profile)
end

-- What reads a section: [basic] the regional services, [global] the global ones.
local READ_BY = { basic = "regional services", global = "global services" }

-- list{file=} -> { file=, sections = { {name=, used_by=, credential=,
-- project_id=, domain_id=}, ... } } | nil, err (err.missing: no file).
-- credential says what the section holds ("AK/SK", "AK/SK + security
-- token", ...), never a value of ak, sk or the token.
function M.list(opts)
  local all, path = sections(M.new(opts))
  if not all then return nil, path end
  local out = { file = path, sections = {} }
  for name, s in pairs(all) do
    local kind = "incomplete: needs ak and sk"
    if (s.ak or "") ~= "" and (s.sk or "") ~= "" then
      kind = (s.security_token or "") ~= "" and "AK/SK + security token" or "AK/SK"
    elseif (s.idp_id or "") ~= "" then
      kind = "idp_id (federated identity, not supported)"
    end
    out.sections[#out.sections + 1] = { name = name, used_by = READ_BY[name] or "nothing (not read)",
      credential = kind, project_id = s.project_id ~= "" and s.project_id or nil,
      domain_id = s.domain_id ~= "" and s.domain_id or nil }
  end
  table.sort(out.sections, function(a, b) return a.name < b.name end)
  return out
end

return M
