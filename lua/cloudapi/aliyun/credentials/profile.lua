-- profile{name=, file=, sts_endpoint=, metadata_endpoint=, timeout=,
-- transport=, tls=, clock=, shared_dict=}: a profile of aliyun-cli's
-- ~/.aliyun/config.json (file=, else ALIBABA_CLOUD_CONFIG_FILE, else that
-- path; name=, else ALIBABA_CLOUD_PROFILE, else the file's `current`).
-- Modes AK, StsToken, RamRoleArn, EcsRamRole, OIDC and ChainableRamRoleArn
-- (source_profile); a RamRoleArn or OIDC profile's sts_endpoint (a host or
-- a URL) or sts_region says where STS is, as aliyun-cli reads them. A file=
-- that is not JSON is read as the shared INI file (aliyun/credentials/ini).
-- The metadata address of EcsRamRole comes only from metadata_endpoint=,
-- never from the file. The file is read at the first call; errors name the
-- file and the profile, never a value. p:region(), p:describe() and
-- profiles{file=} tell region and mode without secrets (for the CLI).
local files = require "cloudapi.credentials.files"
local credentials = require "cloudapi.credentials"
local json = require "cloudapi.json"
local options = require "cloudapi.options"

local M = {}

M.MODES = { "AK", "StsToken", "RamRoleArn", "EcsRamRole", "OIDC", "ChainableRamRoleArn" }

local argcheck = options.checker("cloudapi.credentials.aliyun.profile")

local function fail(where, msg) return nil, credentials.error(where .. " " .. msg) end

-- make(kind, v, opts, where) -> provider | nil, err: what a profile (of
-- either file) describes. kind: static, assume_role, ecs_ram_role, oidc.
function M.make(kind, v, opts, where)
  local common = { clock = opts.clock, shared_dict = opts.shared_dict, transport = opts.transport,
                   tls = opts.tls, timeout = opts.timeout }
  local spec, mod = {}, kind
  for k, x in pairs(common) do spec[k] = x end
  if kind == "static" then
    spec = { access_key_id = v.access_key_id, access_key_secret = v.access_key_secret,
             security_token = v.security_token }
  elseif kind == "ecs_ram_role" then
    spec.role_name, spec.endpoint = v.role_name, opts.metadata_endpoint
  else
    local endpoint = opts.sts_endpoint or v.sts_endpoint
    if endpoint and not endpoint:find("://", 1, true) then endpoint = "https://" .. endpoint:gsub("/+$", "") end
    spec.endpoint, spec.sts_region = endpoint, v.sts_region
    spec.role_arn, spec.session_name, spec.duration, spec.policy = v.role_arn, v.session_name, v.duration, v.policy
    if kind == "assume_role" then
      spec.source, spec.external_id = v.source, v.external_id
    else
      spec.provider_arn, spec.token_file = v.provider_arn, v.token_file
    end
  end
  local ok, p = pcall(require("cloudapi.aliyun.credentials." .. mod).new, spec)
  if not ok then return fail(where .. ":", (tostring(p):gsub("^cloudapi%.credentials%.aliyun%.[%w_]+: ", ""))) end
  return p
end

-- load(path, ctx) -> the decoded config | nil, err
local function load(path, ctx)
  local text, err = files.read(path, ctx, "aliyun profile")
  if not text then return nil, err end
  if not text:match("^%s*{") then return nil, nil, text end -- not JSON: the INI file
  local conf = json.decode(text)
  if type(conf) ~= "table" then return fail(path .. ":", "not valid JSON") end
  if type(conf.profiles) ~= "table" or #conf.profiles == 0 then return fail(path, "has no profiles") end
  return conf
end

local function find(conf, name)
  for _, p in ipairs(conf.profiles) do
    if type(p) == "table" and p.name == name then return p end
  end
  return nil
end

local FIELDS = {
  AK = { "access_key_id", "access_key_secret" },
  StsToken = { "access_key_id", "access_key_secret", "sts_token" },
  RamRoleArn = { "access_key_id", "access_key_secret", "ram_role_arn" },
  EcsRamRole = {},
  OIDC = { "ram_role_arn", "oidc_provider_arn", "oidc_token_file" },
  ChainableRamRoleArn = { "source_profile", "ram_role_arn" },
}

local function duration(p)
  local d = tonumber(p.expired_seconds)
  if d == nil or d == 0 then return nil end
  return d
end

-- provider_of(conf, name, opts, path, seen) -> provider | nil, err
local function provider_of(conf, name, opts, path, seen)
  local p = find(conf, name)
  local where = path .. ": profile '" .. tostring(name) .. "'"
  if not p then return fail(path, "has no profile named '" .. tostring(name) .. "'") end
  local mode = p.mode
  if not FIELDS[mode] then
    return fail(where, "has the unknown mode '" .. tostring(mode) .. "' (known: " .. table.concat(M.MODES, ", ") .. ")")
  end
  where = where .. " (mode " .. mode .. ")"
  for _, f in ipairs(FIELDS[mode]) do
    if type(p[f]) ~= "string" or p[f] == "" then return fail(where, "has no " .. f) end
  end
  local role = { role_arn = p.ram_role_arn, session_name = p.ram_session_name ~= "" and p.ram_session_name or nil,
                 duration = duration(p), policy = p.policy ~= "" and p.policy or nil, sts_region = p.sts_region,
                 sts_endpoint = p.sts_endpoint ~= "" and p.sts_endpoint or nil,
                 external_id = p.external_id ~= "" and p.external_id or nil }
  if role.sts_region == "" then role.sts_region = nil end
  if mode == "AK" or mode == "StsToken" then
    return M.make("static", { access_key_id = p.access_key_id, access_key_secret = p.access_key_secret,
                              security_token = mode == "StsToken" and p.sts_token or nil }, opts, where)
  elseif mode == "EcsRamRole" then
    return M.make("ecs_ram_role", { role_name = p.ram_role_name ~= "" and p.ram_role_name or nil }, opts, where)
  elseif mode == "OIDC" then
    role.provider_arn, role.token_file = p.oidc_provider_arn, p.oidc_token_file
    return M.make("oidc", role, opts, where)
  elseif mode == "RamRoleArn" then
    role.source = credentials.static({ access_key_id = p.access_key_id, access_key_secret = p.access_key_secret,
                                       security_token = p.sts_token ~= "" and p.sts_token or nil }, "aliyun profile")
    return M.make("assume_role", role, opts, where)
  end
  -- ChainableRamRoleArn: the source profile's credential signs.
  seen = seen or {}
  if seen[p.source_profile] or p.source_profile == name then
    return fail(where, "has a source_profile chain that comes back to '" .. p.source_profile .. "'")
  end
  seen[name] = true
  local source, err = provider_of(conf, p.source_profile, opts, path, seen)
  if not source then return nil, err end
  role.source = source
  return M.make("assume_role", role, opts, where)
end

local Profile = { stable = true } -- its inner providers are all stable
Profile.__index = Profile
Profile.__tostring = function(self)
  return "cloudapi.credentials(aliyun profile" .. (self.chosen and (" " .. self.chosen) or "") .. ")"
end

local function path_of(self)
  local p = self.opts.file or os.getenv("ALIBABA_CLOUD_CONFIG_FILE")
  if p == nil or p == "" then
    p = files.home_path(".aliyun/config.json")
    if not p then return nil, credentials.error("HOME is not set: cannot find ~/.aliyun/config.json") end
  end
  return p
end

-- config(ctx) -> conf, path, name | nil, err (for an INI file: the INI provider in conf.ini)
function Profile:config(ctx)
  local path, err = path_of(self)
  if not path then return nil, err end
  local conf, lerr, ini_text = load(path, ctx)
  if ini_text then
    return { ini = require("cloudapi.aliyun.credentials.ini").from_text(ini_text, path, self.opts) }, path
  end
  if not conf then return nil, lerr end
  local name = self.opts.name or os.getenv("ALIBABA_CLOUD_PROFILE")
  if name == nil or name == "" then name = conf.current end
  if type(name) ~= "string" or name == "" then return fail(path, "names no current profile (pass name=)") end
  return conf, path, name
end

function Profile:get(ctx)
  local inner = self.inner
  if not inner then
    local conf, path, name = self:config(ctx)
    if not conf then return nil, path end
    if conf.ini then
      inner = conf.ini
    else
      local err
      inner, err = provider_of(conf, name, self.opts, path)
      if not inner then return nil, err end
      self.chosen = name
    end
    self.inner = inner
  end
  return inner:get(ctx)
end

-- describe() -> { file=, name=, mode=, region= } | nil, err: no secrets.
function Profile:describe()
  local conf, path, name = self:config()
  if not conf then return nil, path end
  if conf.ini then return conf.ini:describe() end
  local p = find(conf, name)
  if not p then return fail(path, "has no profile named '" .. name .. "'") end
  return { file = path, name = name, mode = p.mode, region = p.region_id ~= "" and p.region_id or nil }
end

-- region() -> the profile's region_id | nil (none, or nil, err)
function Profile:region()
  local d, err = self:describe()
  if not d then return nil, err end
  return d.region
end

-- check(opts, check) -> opts: the options profile and ini share
function M.check(opts, check)
  opts = opts or {}
  check(type(opts) == "table", "expected a table of options")
  for _, k in ipairs({ "name", "file", "sts_endpoint", "metadata_endpoint" }) do
    check(opts[k] == nil or (type(opts[k]) == "string" and opts[k] ~= ""), k .. " must be a non-empty string")
  end
  return opts
end

function M.new(opts)
  return setmetatable({ opts = M.check(opts, argcheck), kind = "profile" }, Profile)
end

-- list{file=} -> { file=, current=, profiles = { {name=, mode=, region=}, ... } } | nil, err
function M.list(opts)
  local self = M.new(opts)
  local path, err = path_of(self)
  if not path then return nil, err end
  local conf, lerr, ini_text = load(path)
  if ini_text then return require("cloudapi.aliyun.credentials.ini").list_text(ini_text, path) end
  if not conf then return nil, lerr end
  local out = { file = path, current = conf.current, profiles = {} }
  for _, p in ipairs(conf.profiles) do
    if type(p) == "table" then
      local region = p.region_id ~= "" and p.region_id or nil
      out.profiles[#out.profiles + 1] = { name = p.name, mode = p.mode, region = region }
    end
  end
  return out
end

return M
