-- The raw request body, byte-exact, whether nginx kept it in memory or
-- spilled it to a file.

local M = {}

function M.read()
  ngx.req.read_body()
  local body = ngx.req.get_body_data()
  if not body then
    local path = ngx.req.get_body_file()
    if path then
      local f = io.open(path, "rb")
      if f then body = f:read("*a"); f:close() end
    end
  end
  return body or ""
end

return M
