-- Where each Huawei Cloud service lives.
local M = {}

-- Huawei Cloud: https://{service}.{region}.myhuaweicloud.com, the European
-- sovereign region on .eu; IAM regional or, without a region, global.
local HUAWEI_EU = { ["eu-west-101"] = true }

-- host(service, region) -> host
function M.host(service, region)
  service = service:lower()
  if region == nil then return service .. ".myhuaweicloud.com" end
  return service .. "." .. region .. ".myhuaweicloud." .. (HUAWEI_EU[region] and "eu" or "com")
end

return M
