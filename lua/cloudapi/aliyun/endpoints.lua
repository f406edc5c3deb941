-- Where each Alibaba Cloud product lives: region -> endpoint host, and the
-- API version a product uses when the caller names none.
local M = {}

-- A product answers on <product>.<region>.aliyuncs.com, or centrally on
-- <product>.aliyuncs.com without a region (ECS in every region:
-- ../shared/reference/aliyun-ecs-request-syntax.md). VPC answers centrally
-- for these regions too:
local VPC_CENTRAL = {
  ["cn-qingdao"] = true, ["cn-beijing"] = true, ["cn-hangzhou"] = true,
  ["cn-shanghai"] = true, ["cn-shenzhen"] = true, ["cn-hongkong"] = true,
  ["ap-southeast-1"] = true, ["us-east-1"] = true, ["us-west-1"] = true,
}

M.DEFAULT_VERSIONS = { ecs = "2014-05-26", vpc = "2016-04-28" }
-- ROA (REST) products, for cloudapi.aliyun.roa
M.ROA_VERSIONS = { cs = "2015-12-15" }

-- where(opts, versions, argcheck, example) -> product, region, version,
-- host: the constructor options every Alibaba client takes (product,
-- region, version with its default from versions, network), checked.
-- Inside a VPC (network = "vpc") the endpoints are regional only.
function M.where(opts, versions, argcheck, example)
  local product = opts.product
  argcheck(type(product) == "string" and product:match("^[%w%-]+$"), "product must be a name such as " .. example)
  product = product:lower()
  local region = opts.region
  argcheck(region == nil or (type(region) == "string" and region:match("^[%w%-]+$")),
           "region must be a region id such as \"cn-hangzhou\"")
  argcheck(opts.version == nil or (type(opts.version) == "string" and opts.version:match("^%d%d%d%d%-%d%d%-%d%d$")),
           "version must be an API version string \"YYYY-MM-DD\", got " ..
           require("cloudapi.errors").show(opts.version))
  local version = opts.version or versions[product]
  argcheck(version ~= nil, "no default API version for product '" .. product .. "': pass version = \"YYYY-MM-DD\"")
  local network = opts.network
  argcheck(network == nil or network == "public" or network == "vpc", "network must be \"public\" or \"vpc\"")
  argcheck(network ~= "vpc" or region ~= nil,
           "network = \"vpc\" needs a region: the VPC endpoints are <product>-vpc.<region>.aliyuncs.com")
  return product, region, version, M.host(product, region, network)
end

-- host(product, region [, network]) -> host. Inside a VPC, every product
-- answers on <product>-vpc.<region>.aliyuncs.com (ecs-vpc.cn-hangzhou,
-- vpc-vpc.cn-hangzhou), as the official SDKs' endpoint rules say.
function M.host(product, region, network)
  product = product:lower()
  if network == "vpc" then return product .. "-vpc." .. region .. ".aliyuncs.com" end
  if product == "vpc" then
    if region == nil or VPC_CENTRAL[region] then return "vpc.aliyuncs.com" end
    return "vpc." .. region .. ".aliyuncs.com"
  end
  if region == nil then return product .. ".aliyuncs.com" end
  return product .. "." .. region .. ".aliyuncs.com"
end

return M
