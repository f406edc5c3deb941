-- Region data shared by ECS and VPC: the endpoint table of
-- reference/aliyun-ecs-request-syntax.md plus cn-hangzhou (its "Default"
-- row, ecs.aliyuncs.com). `code` makes instance ids readable and unique.

local M = {
  { id = "cn-hangzhou",    name = "China (Hangzhou)",                           code = "hz" },
  { id = "cn-zhangjiakou", name = "China (Zhangjiakou-Beijing Winter Olympic)", code = "zjk" },
  { id = "cn-huhehaote",   name = "China (Hohhot)",                             code = "hhht" },
  { id = "cn-wulanchabu",  name = "China (Ulanqab)",                            code = "wlcb" },
  { id = "cn-heyuan",      name = "China (Heyuan)",                             code = "hy" },
  { id = "ap-northeast-1", name = "Japan (Tokyo)",                              code = "tyo" },
  { id = "ap-southeast-2", name = "Australia (Sydney)",                         code = "syd" },
  { id = "ap-southeast-3", name = "Malaysia (Kuala Lumpur)",                    code = "kul" },
  { id = "ap-southeast-5", name = "Indonesia (Jakarta)",                        code = "jkt" },
  { id = "ap-south-1",     name = "India (Mumbai)",                             code = "bom" },
  { id = "me-east-1",      name = "UAE (Dubai)",                                code = "dxb" },
  { id = "eu-central-1",   name = "Germany (Frankfurt)",                        code = "fra" },
  { id = "eu-west-1",      name = "UK (London)",                                code = "lon" },
}

M.by_id = {}
for _, r in ipairs(M) do M.by_id[r.id] = r end

-- DescribeRegions result body; endpoint(region) names the product's endpoint.
function M.describe(endpoint)
  local render = require "emulator.common.render"
  local items = render.list()
  for i, r in ipairs(M) do
    items[i] = render.obj("RegionId", r.id, "LocalName", r.name,
                          "RegionEndpoint", endpoint(r), "Status", "available")
  end
  return render.obj("Regions", render.obj("Region", items))
end

return M
