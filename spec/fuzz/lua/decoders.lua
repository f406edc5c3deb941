-- The JSON and XML decoders and both clouds' answer decoding (errors
-- included) with mutated answers, random statuses and headers: each gives
-- a value or an error object, never raises (run under ASan/UBSan by
-- spec/fuzz/run). step(i) does one answer; a failed property raises.
local cloudapi = require "cloudapi"
local json = require "cloudapi.json"
local xml = require "cloudapi.xml"
local gen = require "fuzz.lua.gen"

local random = math.random

local SEEDS = {
  '{"RequestId":"r-1","Regions":{"Region":[{"RegionId":"cn-hangzhou","LocalName":"华东 1"}]},"TotalCount":1}',
  '{"RequestId":"r-2","HostId":"ecs.aliyuncs.com","Code":"Throttling","Message":"Request was denied.",' ..
    '"Recommend":"https://api.aliyun.com/troubleshoot?q=Throttling"}',
  '{"code":"InvalidParameter","message":"bad","requestId":"r-3","data":[1,2.5,-3e10,true,null,"x"]}',
  '<?xml version="1.0" encoding="UTF-8"?><DescribeRegionsResponse><RequestId>r-4</RequestId><Regions>' ..
    '<Region><RegionId>cn-hangzhou</RegionId><Status></Status></Region><Region><RegionId>x</RegionId></Region>' ..
    '</Regions></DescribeRegionsResponse>',
  '<Error><RequestId>r-5</RequestId><Code>SignatureDoesNotMatch</Code><Message>string to sign is: GET&amp;%2F&amp;' ..
    'A%3D1</Message></Error>',
  '{"error_code":"APIGW.0301","error_msg":"verify aksk signature fail, canonicalRequest: GET\\n/v1/\\n\\n",' ..
    '"request_id":"r-6"}',
  '{"error":{"code":401,"message":"The username or password is wrong.","title":"Unauthorized"}}',
  '{"errorCode":"E1","errorMsg":"m"}',
  '{"endpoint_services":[{"id":"a","ports":[{"client_port":80}]}],"total_count":25}',
  '<html><body>captive portal</body></html>', "", "null", "[]", "42", "\"s\"", "{", "<a>",
}
local STATUSES = { 200, 201, 204, 302, 400, 401, 403, 404, 409, 429, 500, 503, 100, 599 }
local TYPES = { "application/json", "application/json;charset=utf-8", "text/xml", "application/xml", "text/html",
                "text/plain", "", "application/octet-stream" }

local creds = { access_key_id = "fuzz-ak", access_key_secret = "fuzz-secret" }
local ecs_json = cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", endpoint = "http://127.0.0.1:1",
                                      credentials = creds }
local ecs_xml = cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", endpoint = "http://127.0.0.1:1",
                                     credentials = creds, format = "XML" }
local hw = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", endpoint = "http://127.0.0.1:1",
                                     project_id = "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
                                     credentials = { ak = "fuzz-ak", sk = "fuzz-sk" } }
local rpc_req = { action = "DescribeRegions", method = "GET", url = "http://127.0.0.1:1/?Action=DescribeRegions" }
local hw_req = { method = "GET", path = "/v1/x", url = "http://127.0.0.1:1/v1/x", headers = {} }

local KINDS = { service = true, network = true, timeout = true, decode = true, credentials = true, config = true }

local function answer(what, ok, value, err)
  if not ok then error(what .. " raised: " .. tostring(value), 0) end
  if value == nil then
    if type(err) ~= "table" or not KINDS[err.kind] then error(what .. " gave no error object: " .. tostring(err), 0) end
    if type(tostring(err)) ~= "string" then error(what .. ": the error does not print", 0) end
  end
end

local M = {}

function M.step()
  local body = SEEDS[random(#SEEDS)]
  if random(4) > 1 then body = gen.mutate(body) end
  local res = { status = STATUSES[random(#STATUSES)], body = body, headers = {
    ["content-type"] = TYPES[random(#TYPES)], ["x-acs-request-id"] = random(2) == 1 and gen.string() or nil,
    ["x-request-id"] = random(2) == 1 and gen.string() or nil,
    ["retry-after"] = random(3) == 1 and gen.string() or nil,
  } }
  local ok, v = pcall(json.decode, body)
  if not ok then error("json.decode raised: " .. tostring(v), 0) end
  ok, v = pcall(xml.decode, body)
  if not ok then error("xml.decode raised: " .. tostring(v), 0) end
  answer("aliyun JSON decode", pcall(ecs_json.decode, ecs_json, rpc_req, res))
  answer("aliyun XML decode", pcall(ecs_xml.decode, ecs_xml, rpc_req, res))
  answer("huawei decode", pcall(hw.decode, hw, hw_req, res))
end

function M.close() end

return M
