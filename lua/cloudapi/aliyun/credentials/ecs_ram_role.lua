-- ecs_ram_role{role_name=, endpoint=, timeout=, transport=, clock=,
-- shared_dict=}: the RAM role of an ECS instance, from the instance
-- metadata service (IMDS, http://100.100.100.200; endpoint= replaces it,
-- as a URL, and only as this explicit option). Token mode first (PUT
-- /latest/api/token), token-less only as a fallback and never when
-- ALIBABA_CLOUD_IMDSV1_DISABLED=true; the role from role_name,
-- ALIBABA_CLOUD_ECS_METADATA or the role listing; 1 s timeouts; the
-- answer's Code must be Success. Cached and refreshed (credentials/cache.lua).
-- ALIBABA_CLOUD_ECS_METADATA_DISABLED=true turns the provider off, not only
-- the default chain's step, as in the official libraries; an endpoint= of
-- the caller's is not the instance's service and stays on.
local cache = require "cloudapi.credentials.cache"
local http = require "cloudapi.credentials.http"
local credentials = require "cloudapi.credentials"
local options = require "cloudapi.options"

local M = {}

M.ENDPOINT = "http://100.100.100.200"
M.TOKEN_TTL = 21600 -- seconds, as the official libraries ask
M.TIMEOUT = { connect = 1, read = 1 }
local CREDS_PATH = "/latest/meta-data/ram/security-credentials/"

local argcheck = options.checker("cloudapi.credentials.aliyun.ecs_ram_role")

local Source = {}
Source.__index = Source

local metadata_off = require("cloudapi.credentials.chain").unless("ALIBABA_CLOUD_ECS_METADATA_DISABLED")

local function imdsv1_disabled()
  local v = os.getenv("ALIBABA_CLOUD_IMDSV1_DISABLED")
  return v ~= nil and v:lower() == "true"
end

-- The metadata token, or nil when token-less access may be tried.
local function token(self, ctx)
  local res, err = http.send(self, { method = "PUT", url = self.base .. "/latest/api/token",
    headers = { ["X-aliyun-ecs-metadata-token-ttl-seconds"] = tostring(M.TOKEN_TTL) } },
    "the ECS metadata token request", ctx)
  if res and res.status == 200 and res.body and res.body ~= "" then return res.body end
  if imdsv1_disabled() then
    return nil, err or credentials.error("the ECS metadata token request answered HTTP " .. tostring(res.status) ..
                                         " and ALIBABA_CLOUD_IMDSV1_DISABLED=true forbids token-less access")
  end
  return false
end

local function get(self, path, tok, what, ctx)
  return http.send(self, { method = "GET", url = self.base .. path,
                           headers = tok and { ["X-aliyun-ecs-metadata-token"] = tok } or {} }, what, ctx)
end

function Source:fetch(ctx)
  local off = self.instance and metadata_off()
  if off then return nil, credentials.error("IMDS credentials is disabled (" .. off .. ")") end
  local tok, err = token(self, ctx)
  if tok == nil then return nil, err end
  local role = self.role or os.getenv("ALIBABA_CLOUD_ECS_METADATA")
  if role == nil or role == "" then
    local res
    res, err = get(self, CREDS_PATH, tok, "the ECS metadata role listing", ctx)
    if not res then return nil, err end
    role = res.status == 200 and (res.body or ""):match("^%s*([^%s]+)")
    if not role then
      return nil, credentials.error("the ECS metadata role listing answered HTTP " .. tostring(res.status) ..
                                    (res.status == 200 and " without a role" or "") ..
                                    " (is a RAM role attached to the instance?)")
    end
    self.role = role -- discovered once
  end
  local what = "the ECS metadata credentials of role " .. role
  local res
  res, err = get(self, CREDS_PATH .. role, tok, what, ctx)
  if not res then return nil, err end
  return require("cloudapi.aliyun.credentials").from_response(res, what, "required")
end

function M.new(opts)
  opts = opts or {}
  argcheck(type(opts) == "table", "expected a table of options")
  argcheck(opts.role_name == nil or (type(opts.role_name) == "string" and opts.role_name:match("^[%w%.%-_]+$")),
           "role_name must be a RAM role name")
  local base = http.base(opts.endpoint, M.ENDPOINT, argcheck)
  local source = setmetatable({ base = base, role = opts.role_name, instance = opts.endpoint == nil }, Source)
  http.check(source, opts, argcheck, M.TIMEOUT)
  local p = cache.new(source, { name = "aliyun ecs_ram_role" .. (opts.role_name and (" " .. opts.role_name) or ""),
                                clock = opts.clock, shared_dict = opts.shared_dict,
                                key = "aliyun ecs_ram_role\0" .. base .. "\0" .. tostring(opts.role_name) })
  p.kind = "ecs_ram_role"
  return p
end

return M
