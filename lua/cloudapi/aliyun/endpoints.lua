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

-- network(spec, region, argcheck) -> "public" | "vpc": which network the
-- client reaches the product over. The VPC endpoints are regional only.
function M.network(spec, region, argcheck)
  argcheck(spec == nil or spec == "public" or spec == "vpc", "network must be \"public\" or \"vpc\"")
  argcheck(spec ~= "vpc" or region ~= nil,
           "network = \"vpc\" needs a region: the VPC endpoints are <product>-vpc.<region>.aliyuncs.com")
  return spec or "public"
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
