-- cloudapi.aliyun: Alibaba Cloud clients. new{...} is the RPC client
-- (?Action= products: ECS, VPC, ...), roa{...} the REST one (Container
-- Service, ...).
local rpc = require "cloudapi.aliyun.rpc"
local options = require "cloudapi.options"

return {
  new = rpc.new,
  roa = require("cloudapi.aliyun.roa").new,
  DEFAULT_TIMEOUT = options.DEFAULT_TIMEOUT,
  MAX_URL = options.MAX_URL,
}
