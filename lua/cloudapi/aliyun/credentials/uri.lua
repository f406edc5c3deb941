-- uri{url=, timeout=, transport=, tls=, clock=, shared_dict=}: a local
-- credentials service (ALIBABA_CLOUD_CREDENTIALS_URI when url is not
-- given, read at the first refresh) answering {"Code": "Success",
-- "AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration"} (Code
-- optional). Cached and refreshed (credentials/cache.lua).
local cache = require "cloudapi.credentials.cache"
local http = require "cloudapi.credentials.http"
local credentials = require "cloudapi.credentials"
local options = require "cloudapi.options"
local url = require "cloudapi.url"

local M = {}

M.TIMEOUT = { connect = 5, read = 10 }

local argcheck = options.checker("cloudapi.credentials.aliyun.uri")

local Source = {}
Source.__index = Source

function Source:fetch(ctx)
  local target = self.url or os.getenv("ALIBABA_CLOUD_CREDENTIALS_URI")
  if target == nil or target == "" then return nil, credentials.error("ALIBABA_CLOUD_CREDENTIALS_URI is not set") end
  local scheme, rest = target:match("^(https?)://([^/?#]+)")
  if not scheme then return nil, credentials.error("the credentials URI is not an http(s) URL") end
  -- No user:password@, path or query in what is shown: they may carry a secret.
  local what = "the credentials URI " .. scheme .. "://" .. rest:gsub("^.*@", "")
  local res, err = http.send(self, { method = "GET", url = target, headers = {} }, what, ctx)
  if not res then return nil, err end
  return require("cloudapi.aliyun.credentials").from_response(res, what, "optional")
end

function M.new(opts)
  opts = opts or {}
  argcheck(type(opts) == "table", "expected a table of options")
  if opts.url ~= nil then
    argcheck(type(opts.url) == "string" and opts.url:match("^https?://[^/?#]+"), "url must be an http(s) URL")
    local u, why = url.parse(opts.url:match("^(https?://[^/?#]+)"))
    argcheck(u, tostring(why))
  end
  local source = setmetatable({ url = opts.url }, Source)
  http.check(source, opts, argcheck, M.TIMEOUT)
  local p = cache.new(source, { name = "aliyun uri", clock = opts.clock, shared_dict = opts.shared_dict,
                                key = "aliyun uri\0" .. tostring(opts.url) })
  p.kind = "uri"
  return p
end

return M
