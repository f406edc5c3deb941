-- The command's help: usage and flags (from cli/flags.lua), and
-- `cloudapi help PRODUCT` (what the library knows of a product).
local flags = require "cloudapi.cli.flags"
local rpc = require "cloudapi.cli.rpc"
local roa = require "cloudapi.cli.roa"
local huawei = require "cloudapi.cli.huawei"
local styles = require "cloudapi.cli.styles"
local configure = require "cloudapi.cli.configure"

local M = {}

function M.usage()
  local out = {
    "cloudapi " .. require("cloudapi.version") .. ": call Alibaba Cloud and Huawei Cloud APIs",
    "",
    "usage:",
    "  " .. rpc.USAGE,
    "  " .. roa.USAGE,
    "  " .. huawei.USAGE,
    "  " .. configure.USAGE,
    "  cloudapi help PRODUCT | cloudapi help huaweicloud [SERVICE]",
    "",
    "examples:",
    "  cloudapi ecs DescribeInstances --RegionId cn-hangzhou --PageSize 50",
    "  cloudapi ecs DescribeInstances --region cn-hangzhou --pager --output cols=InstanceId,Status " ..
      "rows=Instances.Instance",
    "  cloudapi ecs StartInstance --InstanceId i-1 --waiter path=Instances.Instance.1.Status to=Running",
    "  cloudapi cs GET /clusters --region cn-hangzhou --page_size 10 --pager",
    "  cloudapi cs GET /clusters/{cluster_id} --cluster_id c-1 --signature ACS3-HMAC-SHA256 --action " ..
      "DescribeClusterDetail",
    "  cloudapi huaweicloud vpcep GET /v1/{project_id}/vpc-endpoint-services --region cn-north-4 --limit 10",
    "",
    "flags:",
  }
  for _, f in ipairs(flags.LIST) do
    local left = "--" .. f[1] .. (f[3] and (" " .. f[3]) or "")
    out[#out + 1] = string.format("  %-44s %s", left, f[4])
  end
  out[#out + 1] = ""
  out[#out + 1] = "Credentials: --profile NAME is aliyun-cli's profile (~/.aliyun/config.json; its region_id unless"
  out[#out + 1] = "--region); for Huawei --profile default is ~/.huaweicloud/credentials. Without --profile, the"
  out[#out + 1] = "library's default chains: ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET"
  out[#out + 1] = "(ALIBABA_CLOUD_SECURITY_TOKEN), aliyun-cli's current profile (and its region), ...;"
  out[#out + 1] = "HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK (HUAWEICLOUD_SDK_PROJECT_ID), ~/.huaweicloud/credentials."
  out[#out + 1] = "cloudapi configure list shows the profiles found."
  out[#out + 1] = "Exit status: 0 success, 1 service error, 2 usage error, 3 network error or timeout."
  return table.concat(out, "\n") .. "\n"
end

-- An Alibaba product's help, by its style: what it is, default versions, its usage.
local ALIBABA = {
  rpc = { "Alibaba Cloud RPC (?Action=), signature v1 (HMAC-SHA1)", "DEFAULT_VERSIONS",
          " Action [--Name value ...] [flags]" },
  roa = { "Alibaba Cloud ROA (REST), signature acs (or --signature ACS3-HMAC-SHA256 with --action ApiName)",
          "ROA_VERSIONS", " METHOD /path [--name value ...] [--body JSON|@FILE] [--action ApiName] [flags]" },
}

local function alibaba(p, style)
  local endpoints = require "cloudapi.aliyun.endpoints"
  local what = ALIBABA[style]
  local version = endpoints[what[2]][p]
  return table.concat({
    p .. ": " .. what[1],
    "  API version: " .. (version and (version .. " (default; --api-version to change)")
                          or "none known: give --api-version YYYY-MM-DD"),
    "  endpoint: https://" .. endpoints.host(p, nil) .. ", in a region https://" .. endpoints.host(p, "REGION"),
    "  usage: cloudapi " .. p .. what[3],
    "  reference: https://api.aliyun.com/product/" .. p,
  }, "\n") .. "\n"
end

-- product(name [, service [, style]]) -> text | nil, reason. style: --style.
function M.product(name, service, style)
  if name == nil then return M.usage() end
  if name == "configure" then
    return "usage: " .. configure.USAGE .. "\n  the profiles cloudapi can use (--profile NAME), never a secret\n"
  end
  if name == "huaweicloud" then
    local host = require("cloudapi.huaweicloud.endpoints").host
    local s = service or "SERVICE"
    return table.concat({
      "huaweicloud " .. s .. ": Huawei Cloud REST, signed with SDK-HMAC-SHA256 (--signature V11-HMAC-SHA256)",
      "  endpoint: https://" .. host(s, "REGION") .. " (--region REGION, or --endpoint URL)",
      "  usage: " .. huawei.USAGE,
      "  {project_id} comes from HUAWEICLOUD_SDK_PROJECT_ID, --project_id, or IAM (one lookup per region)",
    }, "\n") .. "\n"
  end
  if not name:match("^[%w%-]+$") then return nil, "'" .. name .. "' is not a product name" end
  local p = name:lower()
  return alibaba(p, styles.of(p, style) or "rpc")
end

return M
