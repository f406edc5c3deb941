-- Entry point for every request: the RPC API lives at "/", the test
-- control endpoints under "/__emulator/", anything else is a 404.

local M = {}

function M.handle()
  local uri = ngx.var.uri
  if uri == "/" then
    return require("emulator.rpc").handle()
  end
  local name = uri:match("^/__emulator/([%w_-]+)$")
  if name then
    return require("emulator.control").handle(name)
  end
  ngx.status = 404
  ngx.header["Content-Type"] = "application/json;charset=utf-8"
  ngx.print(require("cjson.safe").encode({
    Code = "NotFound", Message = "The requested path " .. uri .. " does not exist on this emulator.",
  }))
end

return M
