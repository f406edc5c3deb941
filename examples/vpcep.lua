-- Huawei Cloud VPC Endpoint (VPCEP) with both auth modes: AK/SK signing
-- (SDK-HMAC-SHA256) and an IAM password token. `make demo` runs it against
-- the local emulator:
--
--   CLOUDAPI_ENDPOINT=http://127.0.0.1:PORT \
--   HUAWEICLOUD_SDK_AK=hw-ak HUAWEICLOUD_SDK_SK=hw-sk lua5.4 examples/vpcep.lua
--
-- Without CLOUDAPI_ENDPOINT it refuses to run: the demo never calls a real cloud.
local cloudapi = require "cloudapi"

local endpoint = os.getenv("CLOUDAPI_ENDPOINT")
if not endpoint then
  io.stderr:write("set CLOUDAPI_ENDPOINT (make demo does it for you)\n")
  os.exit(2)
end

local function check(res, err)
  if not res then
    io.stderr:write(tostring(err), "\n")
    os.exit(1)
  end
  return res
end

local SERVICES = "/v1/{project_id}/vpc-endpoint-services"

-- AK/SK from HUAWEICLOUD_SDK_AK / _SK; the project id is looked up in IAM
-- (GET /v3/projects?name=cn-north-4) once and cached.
local vpcep = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", endpoint = endpoint }

print("== AK/SK: list endpoint services (limit 5, offset 0)")
local page, err, info = vpcep:get(SERVICES, { query = { limit = 5, offset = 0 } })
check(page, err)
print(string.format("  %d services in all (HTTP %d, request %s)", page.total_count, info.status, info.request_id))
for _, s in ipairs(page.endpoint_services) do
  print(string.format("  %s  %-40s %s", s.id, s.service_name, s.status))
end

print("\n== AK/SK: create, update, delete an endpoint service")
local svc = check(vpcep:post(SERVICES, { body = {
  vpc_id = "vpc-demo", port_id = "port-demo", server_type = "VM", service_name = "quickstart",
  ports = { { client_port = 8443, server_port = 443, protocol = "TCP" } },
} }))
print("  created " .. svc.id .. " " .. svc.service_name)
local upd = check(vpcep:put(SERVICES .. "/{id}", { path = { id = svc.id }, body = { approval_enabled = true } }))
print("  approval_enabled is now " .. tostring(upd.approval_enabled))

local ep = check(vpcep:post("/v1/{project_id}/vpc-endpoints", { body = {
  endpoint_service_id = svc.id, vpc_id = "vpc-client" } }))
print(string.format("  endpoint %s -> %s (%s, %s)", ep.id, ep.endpoint_service_id, ep.status, tostring(ep.ip)))
check(vpcep:delete("/v1/{project_id}/vpc-endpoints/{id}", { path = { id = ep.id } }))
check(vpcep:delete(SERVICES .. "/{id}", { path = { id = svc.id } }))
print("  endpoint and service deleted")

print("\n== The same call signed with the derived-key V11 algorithm")
local v11 = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", endpoint = endpoint,
                                      algorithm = "V11-HMAC-SHA256" }
print("  " .. check(v11:get(SERVICES, { query = { limit = 1 } })).total_count .. " services")

print("\n== IAM token auth (POST /v3/auth/tokens, then X-Auth-Token)")
local tok = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", endpoint = endpoint,
  credentials = { username = "demo-user", password = "demo-password", domain = "demo-domain" } }
local list = check(tok:get(SERVICES, { query = { limit = 3 } }))
print(string.format("  %d services, first %s", list.total_count, list.endpoint_services[1].service_name))

print("\n== A wrong SK: the gateway's canonical request is compared with ours")
local wrong = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", endpoint = endpoint,
  credentials = { ak = os.getenv("HUAWEICLOUD_SDK_AK"), sk = "not-the-sk" } }
err = select(2, wrong:get(SERVICES))
print("  " .. err.code .. ": " .. err.diagnosis)
