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

function M.new(opts)
  argcheck(type(opts) == "table", "expected a table of options")
  argcheck(type(opts.role_arn) == "string" and opts.role_arn:match("^acs:ram::[^:]+:role/.+"),
           "role_arn must look like acs:ram::<account id>:role/<name>")
  local src = opts.source
  argcheck(type(src) == "table", "source must be a provider or a credential table")
  argcheck(opts.external_id == nil or type(opts.external_id) == "string", "external_id must be a string")
  sts.check(opts, argcheck)
  local source = setmetatable({ opts = opts, source = credentials.provider(src) }, Source)
  local p = cache.new(source, { name = "aliyun assume_role " .. opts.role_arn, clock = opts.clock,
                                shared_dict = opts.shared_dict,
                                key = "aliyun assume_role\0" .. opts.role_arn .. "\0" .. tostring(opts.endpoint) })
  p.kind = "assume_role"
  return p
end

return M
