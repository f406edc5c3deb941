-- metadata{endpoint=, timeout=, transport=, clock=, shared_dict=}: the
-- temporary AK/SK of an ECS instance's agency, from the metadata service
-- (http://169.254.169.254; endpoint= replaces it, as a URL, and only as
-- this explicit option): PUT /meta-data/latest/api/token with
-- X-Metadata-Token-Ttl-Seconds, then GET /openstack/latest/securitykey with
-- X-Metadata-Token; without a token (the service answered 404, 405 or 503
-- to the PUT) as the official SDK does. Cached and refreshed
-- (credentials/cache.lua). HUAWEICLOUD_SDK_METADATA_DISABLED=true (cloudapi's
-- switch) turns it off, as its Alibaba twin does; an endpoint= of the
-- caller's is not the instance's service and stays on.
local cache = require "cloudapi.credentials.cache"
local http = require "cloudapi.credentials.http"
local credentials = require "cloudapi.credentials"
local clock = require "cloudapi.clock"
local options = require "cloudapi.options"

local M = {}

M.ENDPOINT = "http://169.254.169.254"
M.TOKEN_TTL = 21600
M.TIMEOUT = { connect = 3, read = 3 } -- the official SDK's
local TOKENLESS = { [404] = true, [405] = true, [503] = true }

local argcheck = options.checker("cloudapi.credentials.huaweicloud.metadata")

local Source = {}
Source.__index = Source

local metadata_off = require("cloudapi.credentials.chain").unless("HUAWEICLOUD_SDK_METADATA_DISABLED")

local function token(self, ctx)
  local res, err = http.send(self, { method = "PUT", url = self.base .. "/meta-data/latest/api/token",
    headers = { ["X-Metadata-Token-Ttl-Seconds"] = tostring(M.TOKEN_TTL) } }, "the ECS metadata token request", ctx)
  if not res then return nil, err end
  if res.status == 200 and (res.body or "") ~= "" then return res.body end
  if TOKENLESS[res.status] then return false end
  return nil, credentials.error("the ECS metadata token request answered HTTP " .. tostring(res.status))
end

function Source:fetch(ctx)
  local off = self.instance and metadata_off()
  if off then return nil, credentials.error("the ECS metadata service is disabled (" .. off .. ")") end
  local tok, err = token(self, ctx)
  if tok == nil then return nil, err end
  local what = "the ECS metadata securitykey"
  local res
  res, err = http.send(self, { method = "GET", url = self.base .. "/openstack/latest/securitykey",
                               headers = tok and { ["X-Metadata-Token"] = tok } or {} }, what, ctx)
  if not res then return nil, err end
  if res.status == 404 or (res.status == 401 and (res.body or ""):find("Cloud Service Agency", 1, true)) then
    return nil, credentials.error(what .. " answered HTTP " .. res.status ..
                                  " (is an agency attached to the instance?)")
  end
  local v
  v, err = http.object(res, what)
  if not v then return nil, err end
  local c = type(v.credential) == "table" and v.credential or v
  for _, f in ipairs({ "access", "secret", "securitytoken", "expires_at" }) do
    if type(c[f]) ~= "string" or c[f] == "" then return nil, credentials.error(what .. " answered without " .. f) end
  end
  local exp = clock.parse_iso8601(c.expires_at)
  if not exp then return nil, credentials.error(what .. " answered an unreadable expires_at") end
  return { ak = c.access, sk = c.secret, security_token = c.securitytoken, expiration = exp }
end

function M.new(opts)
  opts = opts or {}
  argcheck(type(opts) == "table", "expected a table of options")
  local base = http.base(opts.endpoint, M.ENDPOINT, argcheck)
  local source = setmetatable({ base = base, instance = opts.endpoint == nil }, Source)
  http.check(source, opts, argcheck, M.TIMEOUT)
  local p = cache.new(source, { name = "huaweicloud metadata", clock = opts.clock, shared_dict = opts.shared_dict,
                                key = "huaweicloud metadata\0" .. base })
  p.kind = "metadata"
  return p
end

return M
