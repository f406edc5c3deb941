-- The credentials and region a command gets from profiles:
--   Alibaba, --profile NAME   that profile of aliyun-cli's ~/.aliyun/config.json
--                             (ALIBABA_CLOUD_CONFIG_FILE): its credentials, and
--                             its region_id unless --region is given
--   Alibaba, no --profile     the library's default chain; the region of the
--                             profile aliyun-cli would use (ALIBABA_CLOUD_PROFILE,
--                             else the file's current) unless --region is given
--   Huawei, --profile default ~/.huaweicloud/credentials (HUAWEICLOUD_SDK_CREDENTIALS_FILE)
--                             instead of the default chain: the SDK's file has
--                             no named profiles, only [basic] and [global],
--                             chosen by the service
--   Huawei, no --profile      the default chain (env, that file, metadata)
-- resolve(cloud, flags) -> { credentials =, region =, note = } | nil, usage message.
-- note: where the region came from, for --debug.
local chain = require "cloudapi.credentials.chain"

local M = {}

local function aliyun_creds() return require "cloudapi.aliyun.credentials" end

-- The names a config file has, for an error about a name it lacks.
local function known_names()
  local list = aliyun_creds().profiles{}
  if not list or #list.profiles == 0 then return "" end
  local names = {}
  for _, p in ipairs(list.profiles) do names[#names + 1] = tostring(p.name) end
  return " (its profiles: " .. table.concat(names, ", ") .. ")"
end

local function where(d)
  return "region " .. d.region .. " from profile '" .. tostring(d.name) .. "' (" .. tostring(d.file) .. ")"
end

local function aliyun(name)
  local creds = aliyun_creds()
  if name == nil then
    if chain.unless("ALIBABA_CLOUD_CLI_PROFILE_DISABLED")() then return {} end
    local d = creds.profile{}:describe() -- no file or no such profile: no region from it
    if d and d.region then return { region = d.region, note = where(d) } end
    return {}
  end
  if name == "" then return nil, "--profile needs a profile name" end
  local p = creds.profile{ name = name }
  local d, err = p:describe()
  if not d then
    local why = tostring(err.message)
    if why:find("has no profile named", 1, true) then why = why .. known_names() end
    return nil, "--profile " .. name .. ": " .. why
  end
  return { credentials = p, region = d.region, note = d.region and where(d) or nil }
end

local function huawei(name)
  if name == nil then return {} end
  if name ~= "default" then
    return nil, "--profile " .. name .. ": Huawei Cloud's credentials file (~/.huaweicloud/credentials) has no " ..
                "named profiles, only [basic] (regional services) and [global] (global ones), chosen by the " ..
                "service: --profile default reads it (HUAWEICLOUD_SDK_CREDENTIALS_FILE names another file)"
  end
  return { credentials = require("cloudapi.huaweicloud.credentials").profile{} }
end

function M.resolve(cloud, flags)
  if cloud == "huaweicloud" then return huawei(flags.profile) end
  return aliyun(flags.profile)
end

return M
