-- profile{file=}: the Huawei Cloud SDKs' credentials file (file=, else
-- HUAWEICLOUD_SDK_CREDENTIALS_FILE, else ~/.huaweicloud/credentials), read
-- at the first call: section [basic] for regional services, [global] for
-- global ones (iam, bss, ...); keys ak, sk, security_token, project_id,
-- domain_id, iam_endpoint. A client adopts the project_id, domain_id and
-- iam_endpoint it was not given. Errors name the file and section, never
-- a value.
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

function Profile:get(ctx)
  local section = ctx and ctx.global and "global" or "basic"
  local cached = values[self]
  if cached and cached[section] then return cached[section] end
  local path = path_of(self)
  if not path then return nil, credentials.error("HOME is not set: cannot find ~/.huaweicloud/credentials") end
  local text, err = files.read(path, ctx, "huaweicloud profile")
  if not text then return nil, err end
  local all, why = ini.parse(text)
  if not all then return nil, credentials.error(path .. ": " .. why) end
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

return M
