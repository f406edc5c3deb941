#!/usr/bin/env lua5.4
-- Self-test of the emulator, independent of the project's code: it signs
-- requests with its own encoder + `openssl dgst -hmac`, talks HTTP with curl,
-- and checks the emulator's signer against test-vectors.md section A.
--   lua5.4 emulator/tests/selftest.lua        (exit status 0 = all passed)

local here = (arg[0]:match("^(.*)/[^/]*$") or ".") -- emulator/tests
local emu_dir = here .. "/.."                        -- emulator
package.path = emu_dir .. "/lua/?.lua;" .. package.path
local cjson = require "cjson"

-- Shell, crypto and encoding helpers shared by the self-tests.
local T = dofile(here .. "/selftest_lib.lua")
local check, q, sh, tmpfile, readfile = T.check, T.q, T.sh, T.tmpfile, T.readfile
local hmac_sha1, base64, pct = T.hmac_sha1, T.base64, T.pct

---------------------------------------------------------------- test client
local function client_sign(method, params, secret)
  local keys = {}
  for k in pairs(params) do keys[#keys + 1] = k end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = pct(k) .. "=" .. pct(params[k]) end
  local query = table.concat(parts, "&")
  local sts = method .. "&%2F&" .. pct(query)
  local sig = base64(hmac_sha1(secret .. "&", sts))
  return query .. "&Signature=" .. pct(sig), sts, sig
end

local nonce_seq = 0
local function common(action, version, ak, extra)
  nonce_seq = nonce_seq + 1
  local p = {
    Action = action, Version = version, AccessKeyId = ak or "testid",
    SignatureMethod = "HMAC-SHA1", SignatureVersion = "1.0", Format = "JSON",
    SignatureNonce = string.format("selftest-%d-%d-%d", os.time(), math.random(1e9), nonce_seq),
    Timestamp = os.date("!%Y-%m-%dT%H:%M:%SZ"),
  }
  for k, v in pairs(extra or {}) do p[k] = v end
  return p
end

local BASE
-- HTTP via curl. Returns { status, headers (lowercase names), body, json }.
local function http(method, path, body, ctype)
  local hdr, out = os.tmpname(), os.tmpname()
  local cmd = "curl -s -m 10 -X " .. method .. " -D " .. q(hdr) .. " -o " .. q(out) ..
              " -w '%{http_code}'"
  local bodyfile
  if body then
    bodyfile = tmpfile(body)
    cmd = cmd .. " -H " .. q("Content-Type: " .. (ctype or "application/x-www-form-urlencoded")) ..
          " --data-binary @" .. q(bodyfile)
  end
  local code, _, exit = sh(cmd .. " " .. q(BASE .. path))
  local r = { status = tonumber(code), curl_exit = exit, headers = {}, body = readfile(out) }
  for line in readfile(hdr):gmatch("[^\r\n]+") do
    local k, v = line:match("^([^:]+):%s*(.*)$")
    if k then r.headers[k:lower()] = v end
  end
  os.remove(hdr); os.remove(out)
  if bodyfile then os.remove(bodyfile) end
  local ok, decoded = pcall(cjson.decode, r.body)
  if ok then r.json = decoded end
  return r
end

local ECS, VPC = "2014-05-26", "2016-04-28"
local SECRETS = { testid = "testsecret", ["demo-ak"] = "demo-secret", ["sts-ak"] = "sts-secret" }

-- Signs and sends; GET puts everything in the query, POST in the body.
local function call(action, version, extra, opts)
  opts = opts or {}
  local p = opts.params or common(action, version, opts.ak, extra)
  local query, sts = client_sign(opts.method or "GET", p, opts.secret or SECRETS[p.AccessKeyId])
  if opts.tamper then query = query:gsub("&Signature=[^&]*", "&Signature=AAAA") end
  local r
  if opts.method == "POST" then r = http("POST", "/", query)
  else r = http("GET", "/?" .. query) end
  r.sts, r.params = sts, p
  return r
end

local function code_of(r) return r.json and r.json.Code end

---------------------------------------------------------------- unit: signer
local rpc_sign = require "emulator.aliyun.rpc_sign"
do
  local a1 = {
    AccessKeyId = "testid", Action = "DescribeRegions", Format = "XML",
    SignatureMethod = "HMAC-SHA1", SignatureNonce = "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    SignatureVersion = "1.0", Timestamp = "2016-02-23T12:46:24Z", Version = "2014-05-26",
  }
  local sig, sts = rpc_sign.signature("GET", a1, "testsecret", hmac_sha1, base64)
  check(sts == "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML" ..
               "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf" ..
               "%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26",
        "A1 string to sign (emulator signer)", sts)
  check(sig == "OLeaidS1JvxuMvnyHOwuJ+uX5qY=", "A1 signature (emulator signer)", sig)
  a1.Signature = "ignored"
  check(rpc_sign.signature("GET", a1, "testsecret", hmac_sha1, base64) == sig, "A1: Signature param excluded")

  local a2 = {
    AccessKeyId = "testid", Action = "DescribeDedicatedHosts", Format = "JSON", RegionId = "cn-beijing",
    SignatureMethod = "HMAC-SHA1", SignatureNonce = "edb2b34af0af9a6d14deaf7c1a5315eb",
    SignatureVersion = "1.0", Timestamp = "2023-03-13T08:34:30Z", Version = "2014-05-26",
  }
  check(rpc_sign.signature("GET", a2, "testsecret", hmac_sha1, base64) == "9NaGiOspFP5UPcwX8Iwt2YJXXuk=",
        "A2 signature")

  local a3 = {
    Version = "", Action = "", Format = "JSON", Timestamp = "mock date", SignatureMethod = "HMAC-SHA1",
    SignatureVersion = "1.0", SignatureType = "", SignatureNonce = "MOCK_UUID",
    AccessKeyId = "accessKeyId", RegionId = "regionId",
  }
  check(rpc_sign.signature("GET", a3, "accessKeySecret", hmac_sha1, base64) == "7loPmFjvDnzOVnQeQNj85S6nFGY=",
        "A3 signature (empty values)")
  a3.SecurityToken = "accessKeyStsToken"
  check(rpc_sign.signature("GET", a3, "accessKeySecret", hmac_sha1, base64) == "5Nxdcler+ihqWqv0Hr2On4PsBf4=",
        "A3 signature with SecurityToken")
  check(rpc_sign.string_to_sign("GET", { key = "value", q = "http://domain/?q=value&q2=value2" }) ==
        "GET&%2F&key%3Dvalue%26q%3Dhttp%253A%252F%252Fdomain%252F%253Fq%253Dvalue%2526q2%253Dvalue2",
        "A3 string to sign (nested encoding)")
  check(base64(hmac_sha1("secret", "source")) == "Jv4yi8SobFhg5t1C7nWLbhBSFZQ=", "A4 HMAC primitive (test harness)")
  check(rpc_sign.encode("一 (&=?!#%.*)~+") == "%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29~%2B", "RFC 3986 encoding, UTF-8")
  local form = require "emulator.common.form"
  local d = form.decode("a=1+2&b=%2B%20%E4%B8%80&c&d=%zz&a=3")
  check(d.a == "3" and d.b == "+ \228\184\128" and d.c == "" and d.d == "%zz", "form decoding")
  local ts = require "emulator.common.timestamp"
  check(ts.parse("2016-02-23T12:46:24Z") == 1456231584 and not ts.parse("2016-02-30T00:00:00Z")
        and not ts.parse("2016-02-23 12:46:24"), "timestamp parsing")
end

---------------------------------------------------------------- live server
local EMU = emu_dir .. "/emulator"
local prefix = sh("mktemp -d /tmp/cloudapi-emu-selftest.XXXXXX"):gsub("%s+$", "")
local out, ok = sh(q(EMU) .. " start --prefix " .. q(prefix) .. " 2>&1")
BASE = out:gsub("%s+$", "")
if not (ok and check(BASE:match("^http://127%.0%.0%.1:%d+$"), "start prints the URL", out)) then
  os.exit(1)
end
check(readfile(prefix .. "/url"):gsub("%s+$", "") == BASE, "url file written")
local pid = readfile(prefix .. "/nginx.pid"):gsub("%s+$", "")

local function run_live()
  local r = call("DescribeRegions", ECS)
  check(r.status == 200, "signed DescribeRegions (GET, JSON) -> 200", r.body)
  check(r.headers["content-type"] == "application/json;charset=utf-8", "JSON content type", r.headers["content-type"])
  check(r.json and r.json.RequestId == r.headers["x-acs-request-id"] and #r.json.RequestId > 0,
        "RequestId body = header")
  local regions = r.json and r.json.Regions.Region or {}
  check(#regions == 13 and regions[1].RegionId == "cn-hangzhou" and regions[1].RegionEndpoint == "ecs.aliyuncs.com"
        and regions[2].RegionEndpoint == "ecs.cn-zhangjiakou.aliyuncs.com" and regions[6].LocalName == "Japan (Tokyo)",
        "13 regions with endpoints", #regions)

  local again = call(nil, nil, nil, { params = r.params })
  check(again.status == 400 and code_of(again) == "SignatureNonceUsed", "nonce reuse -> SignatureNonceUsed", again.body)

  local bad = call("DescribeRegions", ECS, nil, { tamper = true })
  check(bad.status == 400 and code_of(bad) == "SignatureDoesNotMatch", "wrong signature -> SignatureDoesNotMatch",
        bad.body)
  check(bad.json and bad.json.Message ==
        "Specified signature is not matched with our calculation. server string to sign is:" .. bad.sts,
        "SignatureDoesNotMatch carries the server's string to sign", bad.json and bad.json.Message)
  check(bad.json and bad.json.HostId == "ecs.aliyuncs.com" and bad.json.Recommend and bad.json.Recommend ~= "",
        "error body has HostId and Recommend")
  local wrongkey = call("DescribeRegions", ECS, nil, { secret = "nope" })
  check(code_of(wrongkey) == "SignatureDoesNotMatch", "wrong secret -> SignatureDoesNotMatch")
  -- the nonce of a request whose signature failed is not burned
  local retry = call(nil, nil, nil, { params = wrongkey.params })
  check(retry.status == 200, "nonce of a rejected (badly signed) request still usable", retry.body)

  local x = call("DescribeRegions", VPC, { Format = "xml" })
  check(x.status == 200 and x.headers["content-type"] == "text/xml;charset=utf-8", "XML content type",
        x.headers["content-type"])
  check(x.body:find("^<%?xml version='1%.0' encoding='UTF%-8'%?>" ..
        "<DescribeRegionsResponse><RequestId>[^<]+</RequestId>" ..
        "<Regions><Region><RegionId>cn%-hangzhou</RegionId><LocalName>China %(Hangzhou%)</LocalName>" ..
        "<RegionEndpoint>vpc%.cn%-hangzhou%.aliyuncs%.com</RegionEndpoint><Status>available</Status>" ..
        "</Region><Region>") ~= nil,
        "XML DescribeRegions body (VPC)", x.body:sub(1, 300))
  local _, n = x.body:gsub("<Region>", "")
  check(n == 13 and x.body:find("</Regions></DescribeRegionsResponse>$"), "XML lists repeat the element", n)
  local xe = call("NoSuchAction", ECS, { Format = "XML" })
  check(xe.status == 404 and xe.body:find("<Error><RequestId>[^<]+</RequestId><HostId>ecs%.aliyuncs%.com</HostId>" ..
        "<Code>InvalidAction%.NotFound</Code><Message>Specified api is not found, please check your url and method%." ..
        "</Message>" ..
        "<Recommend>[^<]+</Recommend></Error>$"),
        "XML error body", xe.body)

  local post = call("DescribeRegions", ECS, { AcceptLanguage = "en-US" }, { method = "POST" })
  check(post.status == 200, "signed POST with form body", post.body)

  -- common checks
  local p = common("DescribeRegions", ECS); p.SignatureNonce = nil
  local r2 = call(nil, nil, nil, { params = p })
  check(r2.status == 400 and code_of(r2) == "MissingSignatureNonce"
        and r2.json.Message == "SignatureNonce is mandatory for this action.", "missing nonce", r2.body)
  local r3 = call("DescribeRegions", "2099-01-01")
  check(r3.status == 400 and code_of(r3) == "InvalidVersion", "unknown Version -> InvalidVersion", r3.body)
  local r4 = call("DescribeRegions", ECS, { SignatureMethod = "HMAC-SHA256" })
  check(code_of(r4) == "InvalidSignatureMethod", "InvalidSignatureMethod", r4.body)
  local r5 = call("DescribeRegions", ECS, { SignatureVersion = "2.0" })
  check(code_of(r5) == "InvalidSignatureVersion", "InvalidSignatureVersion", r5.body)
  local r6 = call("DescribeRegions", ECS, { AccessKeyId = "unknown" }, { secret = "x" })
  check(r6.status == 404 and code_of(r6) == "InvalidAccessKeyId.NotFound", "unknown key -> 404", r6.body)
  local r7 = call("DescribeRegions", ECS, { Timestamp = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() - 16 * 60) })
  check(code_of(r7) == "InvalidTimeStamp.Expired", "old timestamp -> Expired", r7.body)
  local r7b = call("DescribeRegions", ECS, { Timestamp = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() + 16 * 60) })
  check(code_of(r7b) == "InvalidTimeStamp.Expired", "future timestamp -> Expired", r7b.body)
  local r8 = call("DescribeRegions", ECS, { Timestamp = "2016-02-23 12:46:24" })
  check(code_of(r8) == "InvalidTimeStamp.Format", "bad timestamp -> Format", r8.body)
  local r9 = call("DescribeRegions", ECS, nil, { ak = "sts-ak" })
  check(code_of(r9) == "MissingSecurityToken", "STS key without token", r9.body)
  local r10 = call("DescribeRegions", ECS, { SecurityToken = "other" }, { ak = "sts-ak" })
  check(code_of(r10) == "InvalidSecurityToken.Mismatch", "STS key with wrong token", r10.body)
  local r11 = call("DescribeRegions", ECS, { SecurityToken = "sts-token" }, { ak = "sts-ak" })
  check(r11.status == 200, "STS key with token", r11.body)
  local r12 = call("DescribeRegions", ECS, { ClientToken = string.rep("x", 65) })
  check(code_of(r12) == "InvalidClientToken.Malformed", "ClientToken too long", r12.body)
  local r13 = call("DescribeInstances", ECS)
  check(r13.status == 400 and code_of(r13) == "MissingRegionId"
        and r13.json.Message == "RegionId is mandatory for this action.",
        "missing action parameter", r13.body)
  local r14 = call("AllocateEipAddress", ECS, { RegionId = "cn-hangzhou" })
  check(r14.status == 404 and code_of(r14) == "InvalidAction.NotFound", "VPC action under the ECS version", r14.body)

  -- ECS data
  local di = call("DescribeInstances", ECS, { RegionId = "cn-hangzhou", PageSize = "100", PageNumber = "3" })
  local inst = di.json and di.json.Instances.Instance or {}
  check(di.status == 200 and di.json.TotalCount == 300 and di.json.PageNumber == 3 and di.json.PageSize == 100
        and #inst == 100 and inst[1].InstanceId == "i-hz000201" and inst[100].InstanceId == "i-hz000300",
        "DescribeInstances paging", di.body:sub(1, 200))
  check(di.body:find('"InstanceId":"i-hz000201","InstanceName":"hz-vm-0201","RegionId":"cn-hangzhou",' ..
        '"ZoneId":"cn-hangzhou-c","Status":"Stopped","InstanceType":"ecs.g7.large","Cpu":2,"Memory":8192,' ..
        '"CreationTime":"2023-01-09T09:00Z","OperationLocks":{"LockReason":[]},"Tags":{"Tag":[]}}', 1, true)
        and di.body:find('"Tags":{"Tag":[{"TagKey":"env","TagValue":"prod"}]}', 1, true)
        and di.body:find('"TotalCount":300,"PageNumber":3,"PageSize":100,', 1, true),
        "instance fields: numbers as numbers, ids as strings, empty lists", di.body:sub(1, 400))
  local st = call("DescribeInstances", ECS, { RegionId = "eu-west-1", Status = "Stopped" })
  check(st.json and st.json.TotalCount == 8 and st.json.PageSize == 10, "Status filter", st.body:sub(1, 200))
  local ids = call("DescribeInstances", ECS,
                   { RegionId = "cn-hangzhou", InstanceIds = '["i-hz000003","i-hz000002","nope"]' })
  check(ids.json and ids.json.TotalCount == 2 and ids.json.Instances.Instance[1].InstanceId == "i-hz000002"
        and ids.json.Instances.Instance[2].Status == "Stopped", "InstanceIds filter", ids.body:sub(1, 200))
  local badids = call("DescribeInstances", ECS, { RegionId = "cn-hangzhou", InstanceIds = "[i-1" })
  check(badids.status == 400 and code_of(badids) == "InvalidInstanceIds.Malformed", "malformed InstanceIds",
        badids.body)
  local many = {}
  for i = 1, 101 do many[i] = '"i-' .. i .. '"' end
  local toomany = call("DescribeInstances", ECS,
                       { RegionId = "cn-hangzhou", InstanceIds = "[" .. table.concat(many, ",") .. "]" })
  check(toomany.status == 400 and code_of(toomany) == "InvalidInstanceIds.Malformed", "more than 100 InstanceIds",
        toomany.body)
  local badsize = call("DescribeInstances", ECS, { RegionId = "cn-hangzhou", PageSize = "101" })
  check(badsize.status == 400 and code_of(badsize) == "InvalidParameter", "PageSize 101 -> InvalidParameter",
        badsize.body)

  local s1 = call("StartInstance", ECS, { InstanceId = "i-hz000003" })
  check(s1.status == 200 and s1.json and s1.json.RequestId, "StartInstance on a stopped instance", s1.body)
  local s2 = call("StartInstance", ECS, { InstanceId = "i-hz000003" })
  check(s2.status == 403 and code_of(s2) == "IncorrectInstanceStatus", "StartInstance on a starting instance", s2.body)
  local s3 = call("StartInstance", ECS, { InstanceId = "i-nope" })
  check(s3.status == 404 and code_of(s3) == "InvalidInstanceId.NotFound", "StartInstance unknown id", s3.body)

  local snap = { DiskId = "d-1", ClientToken = "snap-tok", Description = "中文 a+b&c=d/~" }
  local sn1 = call("CreateSnapshot", ECS, snap)
  local sn2 = call("CreateSnapshot", ECS, snap, { method = "POST" })
  check(sn1.status == 200 and sn1.json.SnapshotId:match("^s%-") and sn2.json
        and sn2.json.SnapshotId == sn1.json.SnapshotId and sn2.json.RequestId ~= sn1.json.RequestId,
        "CreateSnapshot idempotent (UTF-8 and reserved characters signed)", sn1.body .. sn2.body)

  -- EIP lifecycle and ClientToken idempotency
  local e1 = call("AllocateEipAddress", VPC, { RegionId = "cn-hangzhou", ClientToken = "eip-tok-1" })
  check(e1.status == 200 and e1.json.AllocationId:match("^eip%-") and e1.json.EipAddress:match("^47%.%d+%.%d+%.%d+$"),
        "AllocateEipAddress", e1.body)
  local e2 = call("AllocateEipAddress", VPC, { RegionId = "cn-hangzhou", ClientToken = "eip-tok-1" })
  check(e2.status == 200 and e2.json.AllocationId == e1.json.AllocationId and e2.json.EipAddress == e1.json.EipAddress,
        "retry with the same ClientToken returns the same EIP", e2.body)
  local e3 = call("AllocateEipAddress", VPC, { RegionId = "cn-hangzhou", ClientToken = "eip-tok-1", Bandwidth = "10" })
  check(e3.status == 403 and code_of(e3) == "InvalidIdempotenceParameter.Mismatch"
        and e3.json.Message == "The specified parameters are different from before.", "same token, other params -> 403",
        e3.body)
  local e4 = call("AllocateEipAddress", VPC,
                  { RegionId = "cn-hangzhou", Bandwidth = "20", InternetChargeType = "PayByBandwidth" })
  check(e4.status == 200 and e4.json.AllocationId ~= e1.json.AllocationId, "second EIP without token", e4.body)
  local stats = http("GET", "/__emulator/stats").json or {}
  check(stats.eips == 2 and stats.snapshots == 1 and type(stats.requests) == "number", "stats: 2 EIPs, 1 snapshot",
        cjson.encode(stats))
  local de = call("DescribeEipAddresses", VPC, { RegionId = "cn-hangzhou" })
  local list = de.json and de.json.EipAddresses.EipAddress or {}
  check(de.json and de.json.TotalCount == 2 and list[1].AllocationId == e1.json.AllocationId
        and list[1].Bandwidth == "5"
        and list[1].InternetChargeType == "PayByTraffic" and list[2].Bandwidth == "20" and list[1].Status == "Available"
        and list[1].AllocationTime:match("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$"), "DescribeEipAddresses", de.body)
  local de2 = call("DescribeEipAddresses", VPC,
                   { RegionId = "cn-hangzhou", AllocationId = e4.json.AllocationId, Format = "XML" })
  check(de2.body:find("<TotalCount>1</TotalCount><PageNumber>1</PageNumber><PageSize>10</PageSize>" ..
        "<EipAddresses><EipAddress><AllocationId>" .. e4.json.AllocationId, 1, true),
        "DescribeEipAddresses by id, XML", de2.body)
  local rl = call("ReleaseEipAddress", VPC, { AllocationId = e1.json.AllocationId })
  check(rl.status == 200, "ReleaseEipAddress", rl.body)
  local rl2 = call("ReleaseEipAddress", VPC, { AllocationId = e1.json.AllocationId })
  check(rl2.status == 404 and code_of(rl2) == "InvalidAllocationId.NotFound", "release twice -> 404", rl2.body)

  -- faults
  local f = http("POST", "/__emulator/faults", '{"kind":"throttle","count":2}', "application/json")
  check(f.status == 200, "queue a throttling fault", f.body)
  local t1, t2, t3 = call("DescribeRegions", ECS), call("DescribeRegions", ECS), call("DescribeRegions", ECS)
  check(code_of(t1) == "Throttling" and code_of(t2) == "Throttling" and t3.status == 200, "throttle next 2 requests")
  http("POST", "/__emulator/faults", '{"kind":"error","status":503}', "application/json")
  local t4 = call("DescribeRegions", ECS)
  check(t4.status == 503 and code_of(t4) == "ServiceUnavailable", "injected 503", t4.body)
  http("POST", "/__emulator/faults", '{"kind":"reset"}', "application/json")
  local t5 = call("DescribeRegions", ECS)
  check(t5.status == 0 and t5.curl_exit == 52, "injected connection reset (curl: empty reply)", tostring(t5.curl_exit))
  http("POST", "/__emulator/faults", '{"kind":"truncate"}', "application/json")
  local t6 = call("DescribeRegions", ECS)
  check(t6.curl_exit == 18 and #t6.body > 0 and not t6.json, "injected truncated body (curl: partial file)",
        tostring(t6.curl_exit))
  http("POST", "/__emulator/faults", '{"kind":"delay","seconds":0.5}', "application/json")
  local t0 = tonumber((sh("date +%s.%N")))
  local t7 = call("DescribeRegions", ECS)
  local dt = tonumber((sh("date +%s.%N"))) - t0
  check(t7.status == 200 and dt >= 0.5, "injected delay", dt)
  local bf = http("POST", "/__emulator/faults", '{"kind":"bogus"}', "application/json")
  check(bf.status == 400, "invalid fault rejected", bf.body)

  -- reset
  local rs = http("POST", "/__emulator/reset")
  local after = http("GET", "/__emulator/stats").json or {}
  check(rs.status == 200 and after.eips == 0 and after.snapshots == 0 and after.nonces == 0 and after.client_tokens == 0
        and after.requests == 0, "reset clears state", cjson.encode(after))
  local s4 = call("StartInstance", ECS, { InstanceId = "i-hz000003" })
  check(s4.status == 200, "reset restores instance statuses", s4.body)
  local replay = call(nil, nil, nil, { params = r.params })
  check(replay.status == 200, "reset forgets nonces")

  local nf = http("GET", "/elsewhere")
  check(nf.status == 404 and nf.json and nf.json.Code == "NotFound", "unknown path -> 404 NotFound", nf.body)
end

local okrun, err = pcall(run_live)
check(okrun, "live tests ran without a Lua error", err)

---------------------------------------------------------------- lifecycle
local prefix2 = sh("mktemp -d /tmp/cloudapi-emu-selftest.XXXXXX"):gsub("%s+$", "")
local out2, ok2 = sh(q(EMU) .. " start --prefix " .. q(prefix2) .. " 2>&1")
local base2 = out2:gsub("%s+$", "")
check(ok2 and base2 ~= BASE, "a second emulator runs side by side", out2)
local pid2 = readfile(prefix2 .. "/nginx.pid"):gsub("%s+$", "")
local saved = BASE
BASE = base2
check(http("GET", "/__emulator/ping").status == 200, "second emulator answers")
BASE = saved
check(http("GET", "/__emulator/ping").status == 200, "first emulator still answers")
local again, okagain = sh(q(EMU) .. " start --prefix " .. q(prefix) .. " 2>&1")
check(not okagain and again:find("already running"), "start on a running prefix fails clearly", again)

local function alive(p)
  local _, alive_ok = sh("kill -0 " .. p .. " 2>/dev/null")
  return alive_ok
end
local function workers_of(p)
  return (sh("pgrep -P " .. p .. " 2>/dev/null"):gsub("%s+$", ""))
end
local w1, w2 = workers_of(pid), workers_of(pid2)
local _, s1 = sh(q(EMU) .. " stop --prefix " .. q(prefix) .. " 2>&1")
local _, s2 = sh(q(EMU) .. " stop --prefix " .. q(prefix2) .. " 2>&1")
local leftover = false
for p in (pid .. " " .. pid2 .. " " .. w1 .. " " .. w2):gmatch("%d+") do
  if alive(p) then leftover = true end
end
check(s1 and s2 and pid ~= "" and w1 ~= "" and not leftover, "stop leaves no nginx process behind",
      "pids " .. pid .. " " .. pid2 .. " workers " .. w1 .. " " .. w2)
local status_out, status_ok = sh(q(EMU) .. " status --prefix " .. q(prefix) .. " 2>&1")
check(not status_ok and status_out:find("not running"), "status after stop", status_out)
sh("rm -rf " .. q(prefix) .. " " .. q(prefix2))

T.finish()
