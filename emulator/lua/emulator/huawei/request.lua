-- Reading a Huawei Cloud request (headers, raw path, query args, body) and
-- the two error values handlers return (nil, err), which gateway.lua renders:
--   flat (gateway APIGW.*, VPCEP EndPoint.*): {"error_code","error_msg","request_id"}
--   IAM (err.iam):                           {"error":{"code","message","title"}}

local cjson   = require "cjson.safe"
local hw_sign = require "emulator.huawei.sign"

local M = {}

-- Flat (gateway / VPCEP) error; `iam` = nested IAM form.
function M.fail(status, code, message)
  return nil, { status = status, code = code, message = message }
end
function M.iam_fail(status, message)
  local titles = { [400] = "Bad Request", [401] = "Unauthorized", [403] = "Forbidden", [404] = "Not Found" }
  return nil, { status = status, code = tostring(status), message = message, iam = true,
                title = titles[status] or "Error" }
end

M.read_body = require("emulator.common.body").read

-- Raw (still percent-encoded) path of the request line.
function M.raw_path()
  local uri = ngx.var.request_uri or "/"
  uri = uri:gsub("^[%a][%w+.-]*://[^/]*", "") -- absolute-form request target
  return (uri:match("^[^?#]*"))
end

-- Query args (percent-decoded); a repeated key becomes a list.
function M.args_of(raw)
  local args = {}
  for _, kv in ipairs(hw_sign.parse_query(raw)) do
    local k, v = kv[1], kv[2]
    local old = args[k]
    if old == nil then args[k] = v
    elseif type(old) == "table" then old[#old + 1] = v
    else args[k] = { old, v } end
  end
  return args
end

function M.json_object(text)
  local v = cjson.decode(text)
  if type(v) ~= "table" then return nil end
  if #v > 0 then return nil end -- a JSON array
  for k, x in pairs(v) do
    if x == cjson.null then v[k] = nil end
  end
  return v
end

-- Lowercase name -> value (a list when repeated), without ngx's
-- underscore-folding metatable.
function M.plain_headers()
  local h = {}
  for k, v in pairs(ngx.req.get_headers(0)) do h[k:lower()] = v end
  return h
end

return M
