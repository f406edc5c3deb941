-- Entry point for every request: the Alibaba RPC API lives at "/", the
-- Huawei Cloud REST APIs under "/v1/" (VPCEP) and "/v3/" (IAM), the test
-- control endpoints under "/__emulator/", anything else is a 404.

local stats = require "emulator.stats"

local M = {}

function M.handle()
  local uri = ngx.var.uri
  local name = uri:match("^/__emulator/([%w_-]+)$")
  if name then
    return require("emulator.control").handle(name)
  end
  stats.connection(ngx.var.connection)
  if uri == "/" then
    return require("emulator.rpc").handle()
  end
  if uri:match("^/v[13]/") then
    return require("emulator.huawei").handle()
  end
  ngx.status = 404
  ngx.header["Content-Type"] = "application/json;charset=utf-8"
  ngx.print(require("cjson.safe").encode({
    Code = "NotFound", Message = "The requested path " .. uri .. " does not exist on this emulator.",
  }))
end

return M
