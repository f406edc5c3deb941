-- Where each product lives: region -> endpoint host, and the parsing of an
-- explicit endpoint URL.
local M = {}

-- ../shared/reference/aliyun-ecs-request-syntax.md
local ECS = {
  ["cn-zhangjiakou"] = "ecs.cn-zhangjiakou.aliyuncs.com",
  ["cn-huhehaote"] = "ecs.cn-huhehaote.aliyuncs.com",
  ["cn-wulanchabu"] = "ecs.cn-wulanchabu.aliyuncs.com",
  ["cn-heyuan"] = "ecs.cn-heyuan.aliyuncs.com",
  ["ap-northeast-1"] = "ecs.ap-northeast-1.aliyuncs.com",
  ["ap-southeast-2"] = "ecs.ap-southeast-2.aliyuncs.com",
  ["ap-southeast-3"] = "ecs.ap-southeast-3.aliyuncs.com",
  ["ap-southeast-5"] = "ecs.ap-southeast-5.aliyuncs.com",
  ["ap-south-1"] = "ecs.ap-south-1.aliyuncs.com",
  ["me-east-1"] = "ecs.me-east-1.aliyuncs.com",
  ["eu-central-1"] = "ecs.eu-central-1.aliyuncs.com",
  ["eu-west-1"] = "ecs.eu-west-1.aliyuncs.com",
}

-- VPC answers on the central endpoint for these regions, regionally elsewhere.
local VPC_CENTRAL = {
  ["cn-qingdao"] = true, ["cn-beijing"] = true, ["cn-hangzhou"] = true,
  ["cn-shanghai"] = true, ["cn-shenzhen"] = true, ["cn-hongkong"] = true,
  ["ap-southeast-1"] = true, ["us-east-1"] = true, ["us-west-1"] = true,
}

M.ALIYUN_DEFAULT_VERSIONS = { ecs = "2014-05-26", vpc = "2016-04-28" }

-- aliyun_host(product, region) -> host
function M.aliyun_host(product, region)
  product = product:lower()
  if product == "ecs" then
    if region == nil then return "ecs.aliyuncs.com" end
    return ECS[region] or ("ecs." .. region .. ".aliyuncs.com")
  end
  if product == "vpc" then
    if region == nil or VPC_CENTRAL[region] then return "vpc.aliyuncs.com" end
    return "vpc." .. region .. ".aliyuncs.com"
  end
  if region == nil then return product .. ".aliyuncs.com" end
  return product .. "." .. region .. ".aliyuncs.com"
end

-- parse_url(s) -> {scheme, host, port, base} | nil, reason. base is the
-- URL without a trailing slash ("http://127.0.0.1:8080"). A bare host name
-- means HTTPS.
function M.parse_url(s)
  if type(s) ~= "string" or s == "" then return nil, "endpoint must be a non-empty string" end
  if s:find("[%s%c]") then return nil, "endpoint contains whitespace or control characters" end
  local scheme, rest = s:match("^(%a[%w+.-]*)://(.*)$")
  if not scheme then
    if s:find("/", 1, true) or s:find(":", 1, true) then
      return nil, "endpoint '" .. s .. "' is not a URL (expected https://host[:port])"
    end
    scheme, rest = "https", s
  end
  scheme = scheme:lower()
  if scheme ~= "http" and scheme ~= "https" then
    return nil, "endpoint scheme must be http or https, got '" .. scheme .. "'"
  end
  local hostport, path = rest:match("^([^/?#]*)(.*)$")
  if path ~= "" and path ~= "/" then
    return nil, "endpoint '" .. s .. "' must not have a path, query or fragment"
  end
  if hostport:find("@", 1, true) then return nil, "endpoint must not contain user info" end
  local host, port = hostport:match("^(%[[%x:.]+%])(.*)$")
  if not host then host, port = hostport:match("^([^:]*)(.*)$") end
  if host == "" or not host:match("^[%w%.%-%[%]:]+$") then
    return nil, "endpoint '" .. s .. "' has no valid host"
  end
  if port ~= "" then
    port = port:match("^:(%d+)$")
    if not port or tonumber(port) < 1 or tonumber(port) > 65535 then
      return nil, "endpoint '" .. s .. "' has an invalid port"
    end
    port = tonumber(port)
  else
    port = scheme == "https" and 443 or 80
  end
  return { scheme = scheme, host = host, port = port, hostport = hostport,
           base = scheme .. "://" .. hostport }
end

-- Huawei Cloud: https://{service}.{region}.myhuaweicloud.com, the European
-- sovereign region on .eu; IAM regional or, without a region, global.
local HUAWEI_EU = { ["eu-west-101"] = true }

function M.huawei_host(service, region)
  service = service:lower()
  if region == nil then return service .. ".myhuaweicloud.com" end
  return service .. "." .. region .. ".myhuaweicloud." .. (HUAWEI_EU[region] and "eu" or "com")
end

return M
