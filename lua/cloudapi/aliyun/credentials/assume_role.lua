-- assume_role{source=, role_arn=, session_name=, duration=, policy=,
-- external_id=, endpoint=, sts_region=, timeout=, retry=, transport=,
-- tls=, clock=, shared_dict=}: STS AssumeRole, signed by `source` (a
-- provider, itself possibly temporary, or a credential table) through
-- cloudapi's own RPC client; cached and refreshed (credentials/cache.lua).
local credentials = require "cloudapi.credentials"
local cache = require "cloudapi.credentials.cache"
local options = require "cloudapi.options"
local sts = require "cloudapi.aliyun.credentials.sts"

local M = {}

local argcheck = options.checker("cloudapi.credentials.aliyun.assume_role")

local Source = {}
Source.__index = Source

function Source:fetch(ctx)
  local o = self.opts
  return sts.assume_role(self, ctx, {
    RoleArn = o.role_arn, RoleSessionName = sts.session_name(self),
    DurationSeconds = o.duration or 3600, Policy = o.policy, ExternalId = o.external_id,
  })
end

-- shared_key(ctx) -> what the key fetched depends on beyond role_arn and
-- endpoint (credentials/shared.lua): the signing credential (hashed) and
-- the request's options | nil, err
function Source:shared_key(ctx)
  local c, err = self.source:get(ctx)
  if type(c) ~= "table" then return nil, err or credentials.error("the source returned no credentials") end
  return sts.shared_key(self.opts, c)
end

function M.new(opts)
  argcheck(type(opts) == "table", "expected a table of options")
  argcheck(type(opts.role_arn) == "string" and opts.role_arn:match("^acs:ram::[^:]+:role/.+"),
           "role_arn must look like acs:ram::<account id>:role/<name>")
  local src = opts.source
  argcheck(type(src) == "table", "source must be a provider or a credential table")
  argcheck(opts.external_id == nil or type(opts.external_id) == "string", "external_id must be a string")
  sts.check(opts, argcheck)
  -- The options are kept without the source: a table of keys given there
  -- would be reachable from a dump of the client.
  local kept = {}
  for k, v in pairs(opts) do if k ~= "source" then kept[k] = v end end
  local source = setmetatable({ opts = kept, source = credentials.provider(src) }, Source)
  local p = cache.new(source, { name = "aliyun assume_role " .. opts.role_arn, clock = opts.clock,
                                shared_dict = opts.shared_dict,
                                key = "aliyun assume_role\0" .. opts.role_arn .. "\0" .. tostring(opts.endpoint) })
  p.kind = "assume_role"
  return p
end

return M
