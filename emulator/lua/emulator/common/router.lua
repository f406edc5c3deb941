-- Entry point for every request: the Alibaba RPC API lives at "/", the
-- Alibaba ROA one (Container Service) under "/clusters", the Huawei Cloud
-- REST APIs under "/v1/" (VPCEP) and "/v3/" (IAM), the platform services
-- under their real paths ("/latest/" the Alibaba instance metadata,
-- "/meta-data/" and "/openstack/" the Huawei one, "/credentials" a
-- credentials URI), the test control endpoints under "/__emulator/", a
-- hostile server for the transports' tests under "/__hostile/", anything
-- else is a 404.

local stats  = require "emulator.common.stats"
local reqlog = require "emulator.common.reqlog"

local M = {}

-- First path segment -> { request-log api, module }
local PLATFORM = {
  ["/latest"] = { "imds", "emulator.aliyun.imds" },
  ["/meta-data"] = { "metadata", "emulator.huawei.metadata" },
  ["/openstack"] = { "metadata", "emulator.huawei.metadata" },
  ["/credentials"] = { "uri", "emulator.common.credentials_uri" },
}

function M.handle()
  local uri = ngx.var.uri
  local name = uri:match("^/__emulator/([%w_-]+)$")
  if name then
    return require("emulator.common.control").handle(name)
  end
  local case = uri:match("^/__hostile/([%w_-]+)")
  if case then
    return require("emulator.common.hostile").handle(case)
  end
  stats.connection(ngx.var.connection)
  if uri == "/" then
    reqlog.start("rpc")
    return require("emulator.aliyun.rpc").handle()
  end
  if uri == "/clusters" or uri:match("^/clusters/") then
    reqlog.start("roa")
    return require("emulator.aliyun.roa").handle()
  end
  if uri:match("^/v[13]/") then
    reqlog.start("huawei")
    return require("emulator.huawei.gateway").handle()
  end
  -- The platform services that issue temporary keys, at their real paths.
  local platform = PLATFORM[uri:match("^/[^/]*")]
  if platform then
    reqlog.start(platform[1])
    return require(platform[2]).handle(uri)
  end
  ngx.status = 404
  ngx.header["Content-Type"] = "application/json;charset=utf-8"
  ngx.print(require("cjson.safe").encode({
    Code = "NotFound", Message = "The requested path " .. uri .. " does not exist on this emulator.",
  }))
end

-- Log phase of every request: completes the request-log entry of an API
-- request (its final status), see reqlog.lua.
function M.log()
  reqlog.finish()
end

return M
