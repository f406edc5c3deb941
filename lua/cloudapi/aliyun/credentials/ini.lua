-- ini{name=, file=, sts_endpoint=, metadata_endpoint=, timeout=,
-- transport=, tls=, clock=, shared_dict=}: a section of the shared
-- credentials file (file=, else ALIBABA_CLOUD_CREDENTIALS_FILE, else
-- ~/.alibabacloud/credentials; name=, else ALIBABA_CLOUD_PROFILE, else
-- "default"). Types access_key, ecs_ram_role, ram_role_arn and
-- oidc_role_arn, with the keys of the official libraries. The file is read
-- at the first call; errors name the file and the section, never a value.
-- list{file=, name=} (cloudapi.credentials.aliyun.ini_profiles) tells its
-- sections and types, for the CLI.
local files = require "cloudapi.credentials.files"
local credentials = require "cloudapi.credentials"
local ini = require "cloudapi.ini"
local options = require "cloudapi.options"
local profile = require "cloudapi.aliyun.credentials.profile"

local M = {}

M.TYPES = { "access_key", "ecs_ram_role", "ram_role_arn", "oidc_role_arn" }

local argcheck = options.checker("cloudapi.credentials.aliyun.ini")

local NEEDS = {
  access_key = { "access_key_id", "access_key_secret" },
  ecs_ram_role = {},
  ram_role_arn = { "access_key_id", "access_key_secret", "role_arn" },
  oidc_role_arn = { "role_arn", "oidc_provider_arn", "oidc_token_file_path" },
}

local function fail(where, msg) return nil, credentials.error(where .. " " .. msg) end

local function opt(s, k) local v = s[k]; if v == "" then return nil end return v end

-- provider_of(section, opts, where) -> provider | nil, err
local function provider_of(s, opts, where)
  local kind = s.type
  if not NEEDS[kind] then
    return fail(where, "has the unknown type '" .. tostring(kind) .. "' (known: " .. table.concat(M.TYPES, ", ") .. ")")
  end
  where = where .. " (type " .. kind .. ")"
  for _, k in ipairs(NEEDS[kind]) do
    if opt(s, k) == nil then return fail(where, "has no " .. k) end
  end
  if kind == "access_key" then
    return profile.make("static", { access_key_id = s.access_key_id, access_key_secret = s.access_key_secret },
                        opts, where)
  elseif kind == "ecs_ram_role" then
    return profile.make("ecs_ram_role", { role_name = opt(s, "role_name") }, opts, where)
  end
  local role = { role_arn = s.role_arn, session_name = opt(s, "role_session_name"), policy = opt(s, "policy") }
  if kind == "oidc_role_arn" then
    role.provider_arn, role.token_file = s.oidc_provider_arn, s.oidc_token_file_path
    return profile.make("oidc", role, opts, where)
  end
  role.source = credentials.static({ access_key_id = s.access_key_id, access_key_secret = s.access_key_secret },
                                   "aliyun ini")
  return profile.make("assume_role", role, opts, where)
end

local function name_of(opts)
  local name = opts.name or os.getenv("ALIBABA_CLOUD_PROFILE")
  if name == nil or name == "" then name = "default" end
  return name
end

local Ini = { stable = true }
Ini.__index = Ini
Ini.__tostring = function() return "cloudapi.credentials(aliyun ini)" end

-- path_of(opts) -> the file: file=, else ALIBABA_CLOUD_CREDENTIALS_FILE, else
-- ~/.alibabacloud/credentials | nil, err
local function path_of(opts)
  local p = opts.file or os.getenv("ALIBABA_CLOUD_CREDENTIALS_FILE")
  if p == nil or p == "" then p = files.home_path(".alibabacloud/credentials") end
  if not p then return nil, credentials.error("HOME is not set: cannot find ~/.alibabacloud/credentials") end
  return p
end

local function sections(self, ctx)
  local text = self.text
  if not text then
    if not self.path then
      local p, err = path_of(self.opts)
      if not p then return nil, err end
      self.path = p
    end
    local err
    text, err = files.read(self.path, ctx, "aliyun ini")
    if not text then return nil, err end
  end
  local parsed, why = ini.parse(text)
  if not parsed then return fail(self.path .. ":", why) end
  return parsed
end

function Ini:get(ctx)
  local inner = self.inner
  if not inner then
    local all, err = sections(self, ctx)
    if not all then return nil, err end
    local name = name_of(self.opts)
    local s = all[name]
    if not s then return fail(self.path, "has no section [" .. name .. "]") end
    inner, err = provider_of(s, self.opts, self.path .. ": section [" .. name .. "]")
    if not inner then return nil, err end
    self.inner = inner
  end
  return inner:get(ctx)
end

-- describe() -> { file=, name=, mode= } | nil, err: no secrets.
function Ini:describe()
  local all, err = sections(self)
  if not all then return nil, err end
  local name = name_of(self.opts)
  if not all[name] then return fail(self.path, "has no section [" .. name .. "]") end
  return { file = self.path, name = name, mode = all[name].type }
end

local function make(opts, path, text)
  return setmetatable({ opts = opts, path = path, text = text, kind = "ini" }, Ini)
end

function M.new(opts)
  return make(profile.check(opts, argcheck))
end

-- from_text(text, path, opts): the provider of an INI file profile{} read.
function M.from_text(text, path, opts)
  return make(opts, path, text)
end

-- list_text(text, path) -> { file=, profiles = { {name=, mode=}, ... } } | nil, err
function M.list_text(text, path)
  local all, why = ini.parse(text)
  if not all then return fail(path .. ":", why) end
  local out = { file = path, profiles = {} }
  for name, s in pairs(all) do out.profiles[#out.profiles + 1] = { name = name, mode = s.type } end
  table.sort(out.profiles, function(a, b) return a.name < b.name end)
  return out
end

-- list{file=} -> { file=, current=, profiles = { {name=, mode=}, ... } } |
-- nil, err (err.missing: no such file): the sections of the file ini{}
-- reads, and the one it would use (current), without a value.
function M.list(opts)
  opts = profile.check(opts, argcheck)
  local path, err = path_of(opts)
  if not path then return nil, err end
  local text
  text, err = files.read(path, nil, "aliyun ini")
  if not text then return nil, err end
  local out
  out, err = M.list_text(text, path)
  if not out then return nil, err end
  out.current = name_of(opts)
  return out
end

return M
