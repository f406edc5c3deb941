-- The cloudapi command end to end: bin/cloudapi as a subprocess (the
-- suite's interpreter, its LUA_PATH/LUA_CPATH) against the emulator. Every
-- flag, each output form exactly, exit statuses, --dryrun sending nothing
-- and showing no secret, usage errors. What it prints goes to the secret
-- scan (spec/zz_secret_scan_spec.lua).
local emulator = require "support.emulator"
local json = require "cloudapi.json"
local support_cli = require "support.cli"

local PID = emulator.PROJECTS["cn-north-4"]
local SERVICES = "/v1/{project_id}/vpc-endpoint-services"

local cli, join = support_cli.run, support_cli.join

local function ecs(...)
  return join({ "ecs" }, { ... }, { "--endpoint", emulator.url, "--region", "cn-hangzhou" })
end

local function hw(method, path, ...)
  return join({ "huaweicloud", "vpcep", method, path }, { ... },
              { "--endpoint", emulator.url, "--region", "cn-north-4" })
end

local function last_request_id(filter)
  local r = emulator.requests(filter)
  return r[#r].request_id
end

local INSTANCE_1 = [[
{
  "Instances": {
    "Instance": [
      {
        "Cpu": 2,
        "CreationTime": "2023-01-01T01:00Z",
        "InstanceId": "i-hz000001",
        "InstanceName": "hz-vm-0001",
        "InstanceType": "ecs.g7.large",
        "Memory": 8192,
        "OperationLocks": {
          "LockReason": []
        },
        "RegionId": "cn-hangzhou",
        "Status": "Running",
        "Tags": {
          "Tag": []
        },
        "ZoneId": "cn-hangzhou-a"
      }
    ]
  },
  "PageNumber": 1,
  "PageSize": 10,
  "RequestId": "%s",
  "TotalCount": 1
}
]]

-- eu-west-1 (London): 25 instances, every third Stopped.
local function london_table()
  local lines = { "InstanceId  | Status", "----------- | -------" }
  for i = 1, 25 do
    lines[#lines + 1] = string.format("i-lon%06d | %s", i, i % 3 == 0 and "Stopped" or "Running")
  end
  return table.concat(lines, "\n") .. "\n"
end

describe("the cloudapi command", function()
  before_each(function() emulator.reset() end)

  describe("output", function()
    it("prints the answer as pretty JSON by default", function()
      local out, err, rc = cli(ecs("DescribeInstances", "--InstanceIds", '["i-hz000001"]'))
      assert.are.equal("", err)
      assert.are.equal(0, rc)
      local id = last_request_id{ action = "DescribeInstances" }
      assert.are.equal(INSTANCE_1:format(id), out)
    end)

    it("--output raw prints the body as sent, --format xml included", function()
      local out, _, rc = cli(ecs("DescribeRegions", "--output", "raw", "--query", "Regions.Region.13.RegionId"))
      assert.are.equal("eu-west-1\n", out)
      assert.are.equal(0, rc)
      local raw = cli(ecs("StartInstance", "--InstanceId", "i-hz000003", "--output", "raw"))
      assert.are.equal('{"RequestId":"' .. last_request_id{ action = "StartInstance" } .. '"}\n', raw)
      local xml = cli(ecs("StartInstance", "--InstanceId", "i-hz000006", "--format", "xml", "--output", "raw"))
      assert.are.equal("<?xml version='1.0' encoding='UTF-8'?><StartInstanceResponse><RequestId>" ..
                       last_request_id{ action = "StartInstance" } .. "</RequestId></StartInstanceResponse>\n", xml)
      local decoded = cli(ecs("DescribeInstances", "--format", "XML", "--InstanceIds", '["i-hz000001"]'))
      -- XML cannot name the item of an empty list: <OperationLocks/> becomes its singular
      -- (README, XML: xml_lists names such lists in the library)
      local from_xml = INSTANCE_1:gsub('"LockReason": %[%]', '"OperationLock": []')
      assert.are.equal(from_xml:format(last_request_id{ action = "DescribeInstances" }), decoded)
    end)

    it("--output cols= rows= prints an aligned table with a header row, --pager fetching every page", function()
      local out, err, rc = cli{ "ecs", "DescribeInstances", "--endpoint", emulator.url, "--region", "eu-west-1",
                                "--PageSize", "10", "--pager", "--output", "cols=InstanceId,Status",
                                "rows=Instances.Instance" }
      assert.are.equal("", err)
      assert.are.equal(0, rc)
      assert.are.equal(london_table(), out)
      assert.are.equal(3, #emulator.requests{ action = "DescribeInstances" })
      -- rows found by themselves, nested columns, missing cells empty
      local t = cli(ecs("DescribeInstances", "--PageSize", "5", "--output", "cols=InstanceId,Tags.Tag.1.TagKey,Cpu"))
      assert.are.equal(table.concat({
        "InstanceId | Tags.Tag.1.TagKey | Cpu",
        "---------- | ----------------- | ---",
        "i-hz000001 |                   | 2",
        "i-hz000002 |                   | 4",
        "i-hz000003 |                   | 8",
        "i-hz000004 |                   | 2",
        "i-hz000005 | env               | 2", "" }, "\n"), t)
    end)

    it("--pager prints one answer shaped like a page holding every item, without a next token", function()
      local out, _, rc = cli{ "ecs", "DescribeInstances", "--endpoint", emulator.url, "--region", "eu-west-1",
                              "--MaxResults", "10", "--pager" }
      assert.are.equal(0, rc)
      local merged = json.decode(out)
      assert.are.equal(25, #merged.Instances.Instance)
      assert.are.equal("i-lon000025", merged.Instances.Instance[25].InstanceId)
      assert.are.equal(25, merged.TotalCount)
      assert.is_nil(merged.NextToken)
      assert.are.equal(3, #emulator.requests{ action = "DescribeInstances" })
      local hwout = cli(hw("GET", SERVICES, "--limit", "10", "--pager", "path=endpoint_services", "--query",
                           "endpoint_services.25.service_name", "--output", "raw"))
      assert.are.equal("cn-north-4.seed-svc-01.00000001-0001-4001-8001-000000100001\n", hwout)
    end)

    it("--query prints the value at a dotted path, as JSON or raw", function()
      assert.are.equal('"i-hz000002"\n', (cli(ecs("DescribeInstances", "--query", "Instances.Instance.2.InstanceId"))))
      assert.are.equal("300\n", (cli(ecs("DescribeInstances", "--query", "TotalCount", "--output", "raw"))))
      assert.are.equal("null\n", (cli(ecs("DescribeInstances", "--query", "Nothing.Here"))))
      assert.are.equal('{\n  "Tag": []\n}\n', (cli(ecs("DescribeInstances", "--query", "Instances.Instance.1.Tags"))))
    end)

    it("prints Huawei answers; path values and query parameters from --name value", function()
      local out, err, rc = cli(hw("GET", SERVICES, "--limit", "3", "--output", "cols=service_name,status"))
      assert.are.equal("", err)
      assert.are.equal(0, rc)
      assert.are.equal(table.concat({
        "service_name" .. string.rep(" ", 47) .. " | status",
        "----------------------------------------------------------- | ---------",
        "cn-north-4.seed-svc-25.00000001-0019-4001-8019-000000100019 | available",
        "cn-north-4.seed-svc-24.00000001-0018-4001-8018-000000100018 | available",
        "cn-north-4.seed-svc-23.00000001-0017-4001-8017-000000100017 | available", "" }, "\n"), out)
      local one = cli(hw("GET", SERVICES .. "/{id}", "--id", "00000001-0019-4001-8019-000000100019",
                         "--project_id", PID, "--query", "ports.1.client_port", "--output", "raw"))
      assert.are.equal("8025\n", one)
      assert.are.equal(0, #emulator.requests{ operation = "KeystoneListProjects" } - 1) -- one lookup, first call
    end)
  end)

  describe("changes and waiting", function()
    it("sends --body JSON or @file, and waits after a POST for the new resource", function()
      emulator.lifecycle(0.3)
      local body = '{"vpc_id":"vpc-1","port_id":"port-1","server_type":"VM","ports":' ..
                   '[{"client_port":8080,"server_port":80,"protocol":"TCP"}],"service_name":"cli"}'
      local created, _, rc = cli(hw("POST", SERVICES, "--body", body, "--query", "status", "--output", "raw"))
      assert.are.equal("creating\n", created)
      assert.are.equal(0, rc)
      local file = os.tmpname()
      local f = assert(io.open(file, "wb"))
      f:write(body)
      f:close()
      local out, err, rc2 = cli(hw("POST", SERVICES, "--body", "@" .. file, "--waiter", "path=status", "to=available",
                                   "interval=0.1", "--query", "status"))
      os.remove(file)
      assert.are.equal("", err)
      assert.are.equal(0, rc2)
      assert.are.equal('"available"\n', out)
      assert.is_true(#emulator.requests{ operation = "ListServiceDetails" } >= 2)
    end)

    it("starts an instance and waits until it runs", function()
      emulator.lifecycle(0.5)
      local out, err, rc = cli(ecs("StartInstance", "--InstanceId", "i-hz000003", "--waiter",
                                   "path=Instances.Instance.1.Status", "to=Running", "interval=0.1",
                                   "--output", "cols=InstanceId,Status"))
      assert.are.equal("", err)
      assert.are.equal(0, rc)
      assert.are.equal("InstanceId | Status\n---------- | -------\ni-hz000003 | Running\n", out)
      local reads = emulator.requests{ action = "DescribeInstances" }
      assert.is_true(#reads >= 2, #reads .. " reads")
      assert.are.equal(1, #emulator.requests{ action = "StartInstance" })
    end)

    it("a read with --waiter repeats itself; numbers match to=; a timeout exits 3", function()
      local out, _, rc = cli(ecs("DescribeInstances", "--PageSize", "1", "--waiter", "path=TotalCount", "to=300",
                                 "--query", "TotalCount"))
      assert.are.equal("300\n", out)
      assert.are.equal(0, rc)
      emulator.reset()
      emulator.lifecycle(60)
      local _, err, rc2 = cli(ecs("StartInstance", "--InstanceId", "i-hz000006", "--waiter",
                                  "path=Instances.Instance.1.Status", "to=Running", "timeout=0.3", "interval=0.1"))
      assert.are.equal(3, rc2)
      local reads = #emulator.requests{ action = "DescribeInstances" }
      assert.are.equal(string.format("cloudapi: WaitTimeout: waited 0.3s for Instances.Instance.1.Status to be " ..
        "'Running'; last value 'Starting' after %d reads (RequestId %s)\n", reads,
        last_request_id{ action = "DescribeInstances" }), err)
    end)

    it("--waiter fail= ends the wait at one of its values: exit 1", function()
      emulator.lifecycle(0.2)
      local _, err, rc = cli(ecs("StopInstance", "--InstanceId", "i-hz000001", "--waiter",
                                 "path=Instances.Instance.1.Status", "to=Running", "fail=Stopped,Deleted",
                                 "interval=0.05", "timeout=30"))
      assert.are.equal(1, rc)
      assert.is_truthy(err:find("^cloudapi: WaitFailed: [^\n]*'Stopped'"), err)
    end)

    it("refuses to wait after a change it cannot follow, before changing anything", function()
      local _, err, rc = cli(ecs("CreateSnapshot", "--DiskId", "d-1", "--waiter", "path=Status", "to=accomplished"))
      assert.are.equal(2, rc)
      assert.are.equal("cloudapi: usage error: --waiter: cloudapi does not know which read shows the state " ..
                       "CreateSnapshot leads to; wait with the Describe action itself (cloudapi ecs DescribeXxx " ..
                       "... --waiter path=... to=...)\nTry 'cloudapi --help'.\n", err)
      assert.are.equal(0, #emulator.requests())
    end)

    it("shows a progress line only on a terminal", function()
      local args = { "ecs", "DescribeInstances", "--endpoint", emulator.url, "--region", "eu-west-1", "--PageSize",
                     "10", "--pager", "--query", "TotalCount" }
      local tty = cli(args, nil, { tty = true })
      assert.is_truthy(tty:find("\rcloudapi: page 3, 25 items\27[K", 1, true), tty)
      assert.is_truthy(tty:find("25\r?\n$"))
      local out, err = cli(args)
      assert.are.equal("25\n", out)
      assert.are.equal("", err)
      emulator.lifecycle(0.3)
      local w = cli(ecs("StartInstance", "--InstanceId", "i-hz000009", "--waiter", "path=Instances.Instance.1.Status",
                        "to=Running", "interval=0.1"), nil, { tty = true })
      assert.is_truthy(w:find("\rcloudapi: waiting for Instances.Instance.1.Status to be Running: Starting (read 1, ",
                              1, true), w)
    end)
  end)

  describe("flags", function()
    it("--dryrun prints the signed request, redacted, and sends nothing", function()
      local out, err, rc = cli(ecs("DescribeInstances", "--Tag.1.Key", "env", "--Tag.1.Value", "a b", "--dryrun"),
        { ALIBABA_CLOUD_ACCESS_KEY_ID = "sts-ak", ALIBABA_CLOUD_ACCESS_KEY_SECRET = "sts-secret",
          ALIBABA_CLOUD_SECURITY_TOKEN = "sts-token" })
      assert.are.equal("", err)
      assert.are.equal(0, rc)
      local shape = out:gsub("SignatureNonce=%x+", "SignatureNonce=N")
                       :gsub("Timestamp=%d%d%d%d%-%d%d%-%d%dT%d%d%%3A%d%d%%3A%d%dZ", "Timestamp=T")
      assert.are.equal("GET " .. emulator.url .. "/?AccessKeyId=sts-ak&Action=DescribeInstances&Format=JSON" ..
        "&RegionId=cn-hangzhou&SecurityToken=[REDACTED]&SignatureMethod=HMAC-SHA1&SignatureNonce=N" ..
        "&SignatureVersion=1.0&Tag.1.Key=env&Tag.1.Value=a%20b&Timestamp=T&Version=2014-05-26" ..
        "&Signature=[REDACTED]\nUser-Agent: cloudapi-lua/" .. require("cloudapi").VERSION .. "\n", shape)
      assert.are.equal(0, #emulator.requests())
      local h = cli(hw("POST", SERVICES, "--body", '{"ports":[]}', "--project_id", PID, "--signature",
                       "V11-HMAC-SHA256", "--dryrun"), { HUAWEICLOUD_SDK_SECURITY_TOKEN = "hw-sts-token",
                       HUAWEICLOUD_SDK_AK = "hw-sts-ak", HUAWEICLOUD_SDK_SK = "hw-sts-sk" })
      local hshape = h:gsub("%d%d%d%d%d%d%d%dT%d%d%d%d%d%dZ", "DATE"):gsub("/%d%d%d%d%d%d%d%d/", "/DAY/")
      local host = emulator.url:match("^http://(.*)$")
      assert.are.equal("POST " .. emulator.url .. "/v1/" .. PID .. "/vpc-endpoint-services\n" ..
        "Authorization: V11-HMAC-SHA256 Credential=hw-sts-ak/DAY/cn-north-4/vpcep, SignedHeaders=content-type;" ..
        "host;x-project-id;x-sdk-date;x-security-token, Signature=[REDACTED]\n" ..
        "Content-Type: application/json\nHost: " .. host .. "\nUser-Agent: cloudapi-lua/" ..
        require("cloudapi").VERSION .. "\nX-Project-Id: " .. PID .. "\nX-Sdk-Date: DATE\n" ..
        "X-Security-Token: [REDACTED]\n\n" .. '{"ports":[]}' .. "\n", hshape)
      assert.are.equal(0, #emulator.requests())
    end)

    it("--debug prints each attempt's events on stderr", function()
      emulator.fault{ kind = "throttle", count = 1 }
      local out, err, rc = cli(ecs("DescribeRegions", "--debug", "--query", "Regions.Region.1.RegionId"))
      assert.are.equal('"cn-hangzhou"\n', out)
      assert.are.equal(0, rc)
      local lines = {}
      for line in err:gmatch("[^\n]+") do lines[#lines + 1] = line end
      assert.are.equal(3, #lines)
      assert.are.equal("debug: credentials cloudapi.credentials(aliyun default chain: env)", lines[1])
      assert.is_truthy(lines[2]:match("^debug: attempt 1: GET http://127%.0%.0%.1:%d+/%?AccessKeyId=testid&" ..
        "Action=DescribeRegions&.*&Signature=%[REDACTED%] %-> cloudapi service error Throttling %(HTTP 400%): " ..
        "Request was denied due to request throttling%. %[RequestId [%x%-]+%] in [%d%.]+ ms$"), -- the id once
        lines[2])
      assert.is_truthy(lines[3]:match("^debug: attempt 2: GET .* %-> 200 in [%d%.]+ ms %[RequestId [%x%-]+%]$"),
                       lines[3])
      assert.is_nil(err:find("testsecret", 1, true))
    end)

    it("--retry N retries N times, --retry 0 not at all", function()
      emulator.fault{ kind = "throttle", count = 5 }
      local _, err, rc = cli(ecs("DescribeRegions", "--retry", "0"))
      assert.are.equal(1, rc)
      assert.is_truthy(err:find("^cloudapi: Throttling: Request was denied due to request throttling%. %(HTTP 400, " ..
                                "RequestId [%x%-]+%)\n$"), err)
      local _, err2, rc2 = cli(ecs("DescribeRegions", "--retry", "2"))
      assert.are.equal(1, rc2)
      assert.is_truthy(err2:find(", 3 attempts)\n", 1, true), err2)
      assert.are.equal(4, #emulator.requests{ action = "DescribeRegions" })
    end)

    it("--timeout bounds each call: exit 3", function()
      emulator.fault{ kind = "delay", seconds = 5 }
      local t0 = require("cloudapi.core").monotonic()
      local _, err, rc = cli(ecs("DescribeRegions", "--timeout", "0.5", "--retry", "0"))
      local elapsed = require("cloudapi.core").monotonic() - t0
      assert.are.equal(3, rc)
      assert.is_truthy(err:find("^cloudapi: timeout error: "), err)
      assert.is_true(elapsed < 4, "took " .. elapsed)
    end)

    it("--network vpc signs for the -vpc host; --signature ACS3-HMAC-SHA256 calls under ACS3", function()
      local out, err, rc = cli{ "ecs", "DescribeRegions", "--region", "cn-hangzhou", "--network", "vpc", "--dryrun" }
      assert.are.same({ "", 0 }, { err, rc })
      assert.are.equal("GET https://ecs-vpc.cn-hangzhou.aliyuncs.com/?AccessKeyId=testid&Action=DescribeRegions" ..
        "&Format=JSON&RegionId=cn-hangzhou&SignatureMethod=HMAC-SHA1&SignatureNonce=N&SignatureVersion=1.0" ..
        "&Timestamp=T&Version=2014-05-26&Signature=[REDACTED]\nUser-Agent: cloudapi-lua/" ..
        require("cloudapi").VERSION .. "\n", (out:gsub("SignatureNonce=%x+", "SignatureNonce=N")
                                                :gsub("Timestamp=[%dT%-]+%%3A%d%d%%3A%d%dZ", "Timestamp=T")))
      local _, nerr, nrc = cli{ "ecs", "DescribeRegions", "--network", "vpc", "--dryrun" }
      assert.are.equal(2, nrc)
      assert.is_truthy(nerr:find('network = "vpc" needs a region', 1, true), nerr)
      local a3, a3err, a3rc = cli(ecs("DescribeInstances", "--signature", "ACS3-HMAC-SHA256", "--InstanceIds",
                                      '["i-hz000002"]', "--query", "Instances.Instance.1.InstanceId", "--debug"))
      assert.are.same({ '"i-hz000002"\n', 0 }, { a3, a3rc })
      -- under ACS3 the query holds only the parameters: no AccessKeyId, no Signature
      local line = "\ndebug: attempt 1: GET " .. emulator.url .. "/?InstanceIds=%5B%22i-hz000002%22%5D" ..
                   "&RegionId=cn-hangzhou -> 200 in "
      assert.is_truthy(a3err:find(line, 1, true), a3err)
      assert.are.equal(1, #emulator.requests{ action = "DescribeInstances", status = 200 })
      local d3 = cli(ecs("DescribeRegions", "--signature", "ACS3-HMAC-SHA256", "--dryrun"))
      assert.is_truthy(d3:find("\nAuthorization: ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-action;" ..
                               "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=" ..
                               "[REDACTED]\n", 1, true), d3)
      assert.is_truthy(d3:find("\nx-acs-action: DescribeRegions\n", 1, true), d3)
    end)

    it("--region sends RegionId; --api-version the version; --endpoint the URL", function()
      assert.are.equal("25\n", (cli{ "ecs", "DescribeInstances", "--endpoint", emulator.url, "--region", "eu-west-1",
                                     "--query", "TotalCount" }))
      local _, err, rc = cli(ecs("DescribeRegions", "--api-version", "2099-01-01"))
      assert.are.equal(1, rc)
      assert.is_truthy(err:find("^cloudapi: InvalidVersion: Specified parameter Version is not valid%."), err)
      local _, err2, rc2 = cli{ "ecs", "DescribeRegions", "--endpoint", "http://127.0.0.1:9", "--retry", "0" }
      assert.are.equal(3, rc2)
      assert.is_truthy(err2:find("^cloudapi: network error: "), err2)
      local _, err3, rc3 = cli{ "ecs", "DescribeRegions", "--endpoint", "ftp://x" }
      assert.are.equal(2, rc3)
      assert.is_truthy(err3:find("^cloudapi: usage error: cloudapi%.aliyun%.new: "), err3)
    end)

    it("--version and --help", function()
      local out, err, rc = cli{ "--version" }
      assert.are.same({ "cloudapi " .. require("cloudapi").VERSION .. "\n", "", 0 }, { out, err, rc })
      local help, _, hrc = cli{ "--help" }
      assert.are.equal(0, hrc)
      for _, f in ipairs(require("cloudapi.cli.flags").LIST) do
        assert.is_truthy(help:find("\n  --" .. f[1], 1, true), f[1])
      end
      assert.is_truthy(help:find("usage:\n  cloudapi PRODUCT Action [--Name value ...] [flags]\n", 1, true))
      local none, nerr, nrc = cli{}
      assert.are.same({ "", help, 2 }, { none, nerr, nrc })
    end)

    it("cloudapi help PRODUCT", function()
      local out, _, rc = cli{ "help", "ecs" }
      assert.are.equal(0, rc)
      assert.are.equal(table.concat({
        "ecs: Alibaba Cloud RPC (?Action=), signature v1 (HMAC-SHA1)",
        "  API version: 2014-05-26 (default; --api-version to change)",
        "  endpoint: https://ecs.aliyuncs.com, in a region https://ecs.REGION.aliyuncs.com",
        "  usage: cloudapi ecs Action [--Name value ...] [flags]",
        "  reference: https://api.aliyun.com/product/ecs", "" }, "\n"), out)
      assert.is_truthy((cli{ "help", "slb" }):find("API version: none known: give --api-version YYYY-MM-DD", 1, true))
      assert.is_truthy((cli{ "help", "huaweicloud", "vpcep" }):find(
        "  endpoint: https://vpcep.REGION.myhuaweicloud.com (--region REGION, or --endpoint URL)\n", 1, true))
      local _, err, rc2 = cli{ "help", "no such" }
      assert.are.equal(2, rc2)
      assert.are.equal("cloudapi: usage error: 'no such' is not a product name\nTry 'cloudapi --help'.\n", err)
      assert.are.equal(out, (cli{ "ecs", "--help" }))
      local _, err2, rc3 = cli{ "no such", "--help" }
      assert.are.same({ 2, err }, { rc3, err2 })
    end)
  end)

  describe("errors", function()
    it("a service error: one line, exit 1; as JSON with --output json", function()
      local out, err, rc = cli(ecs("StopInstance", "--InstanceId", "i-nope"))
      assert.are.equal("", out)
      assert.are.equal(1, rc)
      local id = last_request_id{ action = "StopInstance" }
      assert.are.equal("cloudapi: InvalidInstanceId.NotFound: The specified InstanceId does not exist. " ..
                       "(HTTP 404, RequestId " .. id .. ")\n", err)
      local _, jerr, jrc = cli(ecs("StopInstance", "--InstanceId", "i-nope", "--output", "json"))
      assert.are.equal(1, jrc)
      local jid = last_request_id{ action = "StopInstance" }
      assert.are.equal('{"error":{"attempts":1,"code":"InvalidInstanceId.NotFound","host_id":"ecs.aliyuncs.com",' ..
        '"kind":"service","message":"The specified InstanceId does not exist.","recommend":' ..
        '"https://api.aliyun.com/troubleshoot?q=InvalidInstanceId.NotFound&product=Ecs&requestId=' .. jid .. '",' ..
        '"request_id":"' .. jid .. '","retryable":false,"status":404}}\n', jerr)
    end)

    it("a wrong secret: the error line and the diagnosis, no secret", function()
      local _, err, rc = cli(ecs("DescribeRegions"), { ALIBABA_CLOUD_ACCESS_KEY_SECRET = "cli-wrong-secret-7" })
      assert.are.equal(1, rc)
      local lines = {}
      for line in err:gmatch("[^\n]+") do lines[#lines + 1] = line end
      assert.are.equal(2, #lines)
      assert.is_truthy(lines[1]:find("^cloudapi: SignatureDoesNotMatch: Specified signature is not matched"))
      assert.are.equal("cloudapi: diagnosis: the server signed the same string to sign as we did, so the " ..
                       "AccessKeySecret does not belong to this AccessKeyId (wrong secret)", lines[2])
      local _, herr, hrc = cli(hw("GET", SERVICES, "--project_id", PID), { HUAWEICLOUD_SDK_SK = "cli-wrong-secret-7" })
      assert.are.equal(1, hrc)
      assert.is_truthy(herr:find("^cloudapi: APIGW.0301: [^\n]*\ncloudapi: diagnosis: [^\n]*\n$"), herr)
      -- a server quoting its canonical request (ACS3) still makes one line, and one of diagnosis
      local _, aerr, arc = cli(ecs("DescribeRegions", "--signature", "ACS3-HMAC-SHA256"),
                               { ALIBABA_CLOUD_ACCESS_KEY_SECRET = "cli-wrong-secret-7" })
      assert.are.equal(1, arc)
      assert.is_truthy(aerr:find("^cloudapi: SignatureDoesNotMatch: [^\n]*\\n[^\n]*\ncloudapi: diagnosis: [^\n]*\n$"),
                       aerr)
    end)

    it("output it cannot write is a failure: exit 1, said on stderr", function()
      local _, err, rc = cli(ecs("DescribeRegions"), nil, { stdout = "/dev/full" })
      assert.are.same({ "cloudapi: cannot write the output: No space left on device\n", 1 }, { err, rc })
    end)

    it("missing credentials are a usage-class error: exit 2", function()
      local _, err, rc = cli(ecs("DescribeRegions"), { ALIBABA_CLOUD_ACCESS_KEY_ID = false })
      assert.are.equal(2, rc)
      -- the default chain says what it tried (the suite runs with an empty HOME, no metadata)
      assert.are.equal("cloudapi: credentials error: no Alibaba Cloud credentials found; tried env " ..
        "(ALIBABA_CLOUD_ACCESS_KEY_ID is not set), oidc (skipped: ALIBABA_CLOUD_ROLE_ARN, " ..
        "ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE are not set), profile (" ..
        os.getenv("HOME") .. "/.aliyun/config.json does not exist), ini (" .. os.getenv("HOME") ..
        "/.alibabacloud/credentials does not exist), ecs_ram_role (skipped: " ..
        "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true), uri (skipped: ALIBABA_CLOUD_CREDENTIALS_URI is not set); " ..
        "pass credentials = {access_key_id =, access_key_secret =} or a provider\n", err)
    end)

    it("usage errors exit 2 with the problem named, before any request", function()
      local cases = {
        { { "ecs" }, "missing the action: cloudapi PRODUCT Action [--Name value ...] [flags]" },
        { { "ecs", "describeInstances" }, "'describeInstances' is not an action name (actions look like " ..
                                          "DescribeInstances)" },
        { { "ecs", "DescribeRegions", "extra" }, "unexpected 'extra' after the action: cloudapi PRODUCT Action " ..
                                                 "[--Name value ...] [flags]" },
        { { "ecs", "DescribeRegions", "--PageSize" }, "--PageSize needs a value" },
        { { "ecs", "DescribeRegions", "--A", "1", "--A", "2" }, "parameter --A given twice" },
        { { "ecs", "DescribeRegions", "--region", "a", "--region", "b" }, "--region given twice" },
        { { "ecs", "DescribeRegions", "-x" }, "unknown option '-x'" },
        { { "ecs", "DescribeRegions", "--output", "yaml" }, "--output needs json|raw|cols=A,B [rows=PATH]" },
        { { "ecs", "DescribeRegions", "--output", "cols=A", "width=3" }, "--output: unknown field 'width=' " ..
                                                                          "(known: cols= rows=)" },
        { { "ecs", "DescribeRegions", "--output", "rows=A" }, "--output needs json, raw or cols=A,B [rows=PATH]" },
        { { "ecs", "DescribeRegions", "--output", "cols=A,,B" }, "--output cols=A,,B: an empty column name" },
        { { "ecs", "DescribeRegions", "--waiter", "path=A" }, "--waiter needs path=PATH and to=VALUE" },
        { { "ecs", "DescribeRegions", "--waiter", "path=A", "to=B", "timeout=x" },
          "--waiter timeout= must be a number from 0.001 to 86400, got 'x'" },
        { { "ecs", "DescribeRegions", "--pager", "--waiter", "path=A", "to=B" }, "--pager and --waiter do not go " ..
                                                                                  "together" },
        { { "ecs", "DescribeRegions", "--pager", "path=A..B" }, "--pager path=: path 'A..B' has an empty segment" },
        { { "ecs", "DescribeRegions", "--dryrun", "--pager" }, "--dryrun sends nothing: it cannot page or wait" },
        { { "ecs", "DescribeRegions", "--retry", "x" }, "--retry must be an integer from 0 to 100, got 'x'" },
        { { "ecs", "DescribeRegions", "--retry", "1.5" }, "--retry must be an integer from 0 to 100, got '1.5'" },
        { { "ecs", "DescribeRegions", "--retry", "0x3" }, "--retry must be an integer from 0 to 100, got '0x3'" },
        { { "ecs", "DescribeRegions", "--timeout", "1e2" },
          "--timeout must be a number from 0.001 to 86400, got '1e2'" },
        { { "ecs", "DescribeRegions", "--region", "--endpoint", "http://127.0.0.1:1" },
          "--region needs a value, got the flag --endpoint (write --region=--endpoint for that value)" },
        { { "ecs", "DescribeRegions", "--waiter", "path=A", "to=B", "fail=," },
          "--waiter fail= needs values: fail=Stopped,Deleted" },
        { { "ecs", "DescribeRegions", "--timeout", "-1" }, "--timeout must be a number from 0.001 to 86400, got '-1'" },
        { { "ecs", "DescribeRegions", "--format", "yaml" }, "--format must be json or xml, got 'yaml'" },
        { { "ecs", "DescribeRegions", "--network", "intranet" }, "--network must be vpc (or public), got 'intranet'" },
        { { "ecs", "DescribeRegions", "--query", "a.0" }, "--query: path 'a.0': indexes start at 1" },
        { { "ecs", "DescribeRegions", "--dryrun=yes" }, "--dryrun takes no value" },
        { { "ecs", "DescribeRegions", "--body", "{}" }, "--body is for REST APIs (Huawei, ROA); Alibaba RPC " ..
                                                        "parameters are --Name value" },
        { { "ecs", "DescribeRegions", "--param", "x" }, "--param needs NAME=VALUE, got 'x'" },
        { { "ecs", "DescribeRegions", "--action", "X" }, "--action is for ROA products; an RPC action is the word " ..
                                                         "after the product" },
        { { "ecs", "GET", "/x" }, "ecs is an RPC product: cloudapi ecs Action [--Name value ...] (--style roa for a " ..
                                  "ROA version of it)" },
        { { "ecs", "DescribeRegions", "--style", "soap" }, "--style must be rpc or roa, got 'soap'" },
        { { "huaweicloud", "vpcep", "GET" }, "expected SERVICE METHOD /path: cloudapi huaweicloud SERVICE METHOD " ..
                                             "/path [--name value ...] [--body JSON|@FILE] [flags]" },
        { { "huaweicloud", "vpcep", "FETCH", "/x" }, "'FETCH' is not an HTTP method (GET, POST, PUT, PATCH, DELETE)" },
        { { "huaweicloud", "vpcep", "GET", "x" }, "the path must start with /, got 'x'" },
        { { "huaweicloud", "vpcep", "GET", "/v1/{project_id}/x/{id}" }, "the path needs {id}: give --id VALUE" },
        { { "huaweicloud", "vpcep", "POST", "/x", "--body", "{nope" }, "--body is not JSON: " ..
            "Expected object key string but found invalid token at character 2" },
        { { "huaweicloud", "vpcep", "POST", "/x", "--body", "@/nonexistent/b.json" }, "--body @/nonexistent/b.json: " ..
            "/nonexistent/b.json: No such file or directory" },
        { { "huaweicloud", "vpcep", "GET", "/x", "--format", "xml" },
          "--format is for Alibaba Cloud, not Huawei Cloud" },
        { { "huaweicloud", "vpcep", "GET", "/x", "--action", "X" }, "--action is for Alibaba Cloud, not Huawei Cloud" },
        { { "huaweicloud", "vpcep", "GET", "/x" }, "cloudapi.huaweicloud.new: region is required for the regional " ..
                                                   "service 'vpcep' (or pass endpoint)" },
      }
      for _, case in ipairs(cases) do
        local out, err, rc = cli(case[1])
        assert.are.equal(2, rc, table.concat(case[1], " "))
        assert.are.equal("", out)
        assert.are.equal("cloudapi: usage error: " .. case[2] .. "\nTry 'cloudapi --help'.\n", err)
      end
      local _, jerr = cli{ "ecs", "--output", "json" }
      assert.are.equal('{"error":{"kind":"usage","message":"missing the action: cloudapi PRODUCT Action ' ..
                       '[--Name value ...] [flags]"}}\n', jerr)
      -- a command line that does not parse: JSON too
      assert.are.same({ "", '{"error":{"kind":"usage","message":"unknown option \'-x\'"}}\n', 2 },
                      { cli{ "ecs", "DescribeRegions", "-x", "--output", "json" } })
      assert.are.equal(0, #emulator.requests())
    end)
  end)

  it("--param passes a parameter whose name is a flag's; --Name=value works too", function()
    local out = cli{ "huaweicloud", "vpcep", "GET", SERVICES, "--endpoint", emulator.url, "--region", "cn-north-4",
                     "--param", "limit=2", "--offset=24", "--query", "endpoint_services",
                     "--output", "cols=service_name" }
    assert.are.equal("service_name\n" .. string.rep("-", 59) ..
                     "\ncn-north-4.seed-svc-01.00000001-0001-4001-8001-000000100001\n", out)
  end)
end)
