#!/usr/bin/env lua5.4
-- Self-test of the emulator's header-signed Alibaba APIs: its
-- ACS3-HMAC-SHA256 and ROA acs verifiers against test-vectors.md (A5, A6,
-- R1, R2), then live: RPC actions under ACS3 (query and form body),
-- Container Service under acs and ACS3, and what is refused. Independent
-- of the project's code: this file signs with its own encoder + openssl,
-- HTTP goes through curl (helpers in selftest_lib.lua).
--   lua5.4 emulator/tests/selftest_roa.lua        (exit status 0 = all passed)

local here = (arg[0]:match("^(.*)/[^/]*$") or ".") -- emulator/tests
local emu_dir = here .. "/.."                        -- emulator
package.path = emu_dir .. "/lua/?.lua;" .. package.path
local T = dofile(here .. "/selftest_lib.lua")
local check, http, ctl, pct = T.check, T.http, T.ctl, T.pct

local EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
local CRYPTO = { sha256_hex = T.sha256_hex, hmac_sha256 = T.hmac_sha256 }

---------------------------------------------------------------- verifiers vs vectors
local acs3 = require "emulator.aliyun.acs3_sign"
local roa = require "emulator.aliyun.roa_sign"

local a5 = acs3.canonical_request("POST", "/",
  "RegionId=cn-shanghai&ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
  { host = "ecs.cn-shanghai.aliyuncs.com", ["x-acs-action"] = "RunInstances", ["x-acs-content-sha256"] = EMPTY,
    ["x-acs-date"] = "2023-10-26T10:22:32Z", ["x-acs-signature-nonce"] = "3156853299f313e23d1673dc12e1703d",
    ["x-acs-version"] = "2014-05-26" },
  { "x-acs-version", "host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce" }, EMPTY)
local sig, sts = acs3.signature("YourAccessKeySecret", a5, CRYPTO)
check(sts == "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259",
      "A5 string to sign", sts)
check(sig == "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0", "A5 signature", sig)
local a6 = acs3.canonical_request("GET", "/", "test=ok&empty", { ["x-acs-test"] = { "https", "http" } },
  { "x-acs-test" }, "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23")
check(a6 == "GET\n/\nempty=&test=ok\nx-acs-test:http,https\n\nx-acs-test\n" ..
      "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23", "A6 canonical request", a6)
check(acs3.signature("secret", a6, CRYPTO) == "d16b30a7699ae9e43875b13195b2f81bcc3ed10c14a9b5eb780e51619aa50be1",
      "A6 signature")
local r1 = roa.string_to_sign("GET", "/", "", { accept = "application/octet-stream", date = "2018-12-04T03:55:31Z",
  ["x-acs-signature-method"] = "HMAC-SHA1", ["x-acs-signature-version"] = "1.0", ["user-agent"] = "x" })
check(r1 == "GET\napplication/octet-stream\n\n\n2018-12-04T03:55:31Z\nx-acs-signature-method:HMAC-SHA1\n" ..
      "x-acs-signature-version:1.0\n/", "R1 string to sign", r1)
check(roa.signature("access_key_secret", r1, T.hmac_sha1, T.base64) == "HKCpm41tJg6b3EYdtGMbNuwALZU=",
      "R1 signature")
check(roa.signature("secret", roa.string_to_sign("GET", "", "", {}), T.hmac_sha1, T.base64) ==
      "XGXDWA78AEvx/wmfxKoVCq/afWw=", "R2 signature")
check(roa.resource("/c/a%20b", "b=x%20y&a=") == "/c/a%20b?a=&b=x y", "ROA resource: query sorted, values decoded")

---------------------------------------------------------------- this test's own signers
local seq = 0
local function nonce()
  seq = seq + 1
  return string.format("roa-selftest-%d-%d-%d", os.time(), math.random(1e9), seq)
end

local function acs3_request(method, path, query, body, action, version, ak, secret, extra)
  local h = { host = T.HOSTPORT, ["x-acs-action"] = action, ["x-acs-version"] = version,
              ["x-acs-date"] = os.date("!%Y-%m-%dT%H:%M:%SZ"), ["x-acs-signature-nonce"] = nonce(),
              ["x-acs-content-sha256"] = T.sha256_hex(body or "") }
  for k, v in pairs(extra or {}) do h[k] = v end
  local names = {}
  for k in pairs(h) do names[#names + 1] = k end
  table.sort(names)
  local lines = { method, path, query }
  for _, n in ipairs(names) do lines[#lines + 1] = n .. ":" .. h[n] end
  lines[#lines + 1] = ""
  lines[#lines + 1] = table.concat(names, ";")
  lines[#lines + 1] = h["x-acs-content-sha256"]
  local canonical = table.concat(lines, "\n")
  local s = "ACS3-HMAC-SHA256\n" .. T.sha256_hex(canonical)
  local headers = {}
  for _, n in ipairs(names) do headers[#headers + 1] = n .. ": " .. h[n] end
  headers[#headers + 1] = "Authorization: ACS3-HMAC-SHA256 Credential=" .. ak .. ",SignedHeaders=" ..
                          table.concat(names, ";") .. ",Signature=" .. T.hex(T.hmac_sha256(secret, s))
  return http(method, path .. (query ~= "" and ("?" .. query) or ""), body, { headers = headers })
end

local function acs_request(method, path, query_raw, body, ak, secret, ctype) -- query_raw: sorted, unencoded
  local md5 = T.base64((T.sh("printf %s " .. T.q(body or "") .. " | openssl md5 -binary")))
  local date = os.date("!%a, %d %b %Y %H:%M:%S GMT")
  local h = { ["x-acs-signature-method"] = "HMAC-SHA1", ["x-acs-signature-version"] = "1.0",
              ["x-acs-signature-nonce"] = nonce(), ["x-acs-version"] = "2015-12-15" }
  local names = {}
  for k in pairs(h) do names[#names + 1] = k end
  table.sort(names)
  local s = method .. "\napplication/json\n" .. md5 .. "\n" .. (ctype or "") .. "\n" .. date .. "\n"
  for _, n in ipairs(names) do s = s .. n .. ":" .. h[n] .. "\n" end
  s = s .. path .. (query_raw ~= "" and ("?" .. query_raw) or "")
  local headers = { "Accept: application/json", "Date: " .. date, "Content-MD5: " .. md5,
                    "Authorization: acs " .. ak .. ":" .. T.base64(T.hmac_sha1(secret, s)) }
  if ctype then headers[#headers + 1] = "Content-Type: " .. ctype end
  for _, n in ipairs(names) do headers[#headers + 1] = n .. ": " .. h[n] end
  local q = query_raw:gsub(" ", "%%20")
  return http(method, path .. (q ~= "" and ("?" .. q) or ""), body, { headers = headers })
end

---------------------------------------------------------------- live
local EMU = emu_dir .. "/emulator"
local prefix = T.start(EMU, "roatest")

local function run_live()
  ctl("POST", "reset", "{}")
  local r = acs3_request("GET", "/", "PageSize=2&RegionId=cn-hangzhou", nil, "DescribeInstances", T.ECS,
                         "testid", "testsecret")
  check(r.status == 200 and r.json.TotalCount == 300, "RPC DescribeInstances under ACS3 (query)", r.body)
  local form = "AcceptLanguage=" .. pct("中文 ~") .. "&RegionId=cn-hangzhou"
  r = acs3_request("POST", "/", "", form, "DescribeRegions", T.ECS, "testid", "testsecret",
                   { ["content-type"] = "application/x-www-form-urlencoded" })
  check(r.status == 200 and #r.json.Regions.Region == 13, "RPC DescribeRegions under ACS3 (form body)", r.body)
  r = acs3_request("GET", "/", "RegionId=cn-hangzhou", nil, "DescribeEipAddresses", T.VPC, "sts-ak", "sts-secret",
                   { ["x-acs-security-token"] = "sts-token" })
  check(r.status == 200 and r.json.TotalCount == 0, "VPC under ACS3 with an STS token", r.body)
  r = acs3_request("GET", "/", "", nil, "DescribeRegions", T.ECS, "testid", "not-testsecret")
  check(r.status == 400 and r.json.Code == "SignatureDoesNotMatch" and
        r.json.Message:find("server canonical request is:GET\n/\n", 1, true), "ACS3 wrong secret", r.body)
  r = http("GET", "/?Action=DescribeRegions", nil, { headers = { "Authorization: HMAC-MD5 x" } })
  check(r.status == 400 and r.json.Code == "UnsupportedSignatureType" and r.json.Message:find("'HMAC-MD5'", 1, true),
        "an unknown scheme is named, not MissingAction", r.body)

  r = acs_request("POST", "/clusters", "", '{"name":"st","region_id":"cn-hangzhou"}', "testid", "testsecret",
                  "application/json")
  local id = r.json and r.json.cluster_id
  check(r.status == 200 and id, "CS CreateCluster under acs", r.body)
  r = acs_request("GET", "/clusters", "name=st&page_size=10", nil, "testid", "testsecret")
  check(r.status == 200 and r.json.page_info.total_count == 1 and r.json.clusters[1].state == "initial",
        "CS DescribeClusters under acs: paged, initial", r.body)
  r = acs3_request("GET", "/clusters/" .. tostring(id), "", nil, "DescribeClusterDetail", "2015-12-15",
                   "testid", "testsecret")
  check(r.status == 200 and r.json.cluster_id == id, "CS DescribeClusterDetail under ACS3", r.body)
  r = acs3_request("DELETE", "/clusters/" .. tostring(id), "", nil, "DeleteCluster", "2015-12-15",
                   "testid", "testsecret")
  check(r.status == 202, "CS DeleteCluster under ACS3: 202", r.body)
  r = acs_request("GET", "/clusters/" .. tostring(id), "", nil, "testid", "testsecret")
  check(r.status == 404 and r.json.code == "ErrorClusterNotFound" and r.json.requestId and r.json.status == 404,
        "CS's error shape: code, message, requestId, status", r.body)
  r = acs_request("GET", "/clusters", "", nil, "testid", "wrong-secret")
  check(r.status == 400 and r.json.Code == "SignatureDoesNotMatch" and
        r.json.Message:find("server string to sign is:GET\n", 1, true), "acs wrong secret", r.body)
  r = ctl("POST", "cs", '{"running_after":0}')
  check(r.status == 200 and r.json.running_after == 0, "POST /__emulator/cs sets running_after", r.body)
  check(ctl("POST", "cs", '{"running_after":-1}').status == 400, "a negative running_after is refused")
  r = acs_request("POST", "/clusters", "", '{"name":"run","region_id":"cn-hangzhou","client_token":"t1"}',
                  "testid", "testsecret", "application/json")
  local r2 = acs_request("POST", "/clusters", "", '{"name":"run","region_id":"cn-hangzhou","client_token":"t1"}',
                         "testid", "testsecret", "application/json")
  check(r.json and r2.json and r.json.cluster_id == r2.json.cluster_id, "client_token: one cluster")
  local cid = tostring(r.json and r.json.cluster_id)
  r = acs_request("GET", "/clusters/" .. cid, "", nil, "testid", "testsecret")
  check(r.json and r.json.state == "running", "running_after 0: running at once", r.body)
  for i = 1, 2 do
    acs_request("POST", "/clusters", "", '{"name":"p' .. i .. '","region_id":"cn-hangzhou"}', "testid",
                "testsecret", "application/json")
  end
  ctl("POST", "faults", '{"kind":"empty_page","api":"roa"}')
  r = acs_request("GET", "/clusters", "page_size=2", nil, "testid", "testsecret")
  check(r.json and #r.json.clusters == 2, "an empty_page fault passes a first page by", r.body)
  r = acs_request("GET", "/clusters", "page_number=2&page_size=2", nil, "testid", "testsecret")
  check(r.json and #r.json.clusters == 0 and r.json.page_info.total_count == 3,
        "empty_page: page 2 empty, its total unchanged", r.body)
  r = acs_request("GET", "/clusters", "page_number=2&page_size=2", nil, "testid", "testsecret")
  check(r.json and #r.json.clusters == 1, "the fault applied once", r.body)
  r = ctl("POST", "cs", '{"end_state":"failed"}')
  check(r.status == 200 and r.json.end_state == "failed" and r.json.running_after == 0,
        "POST /__emulator/cs sets end_state, keeps running_after", r.body)
  check(ctl("POST", "cs", '{"end_state":"deleted"}').status == 400, "an unknown end_state is refused")
  r = acs_request("POST", "/clusters", "", '{"name":"bad","region_id":"cn-hangzhou"}', "testid", "testsecret",
                  "application/json")
  r = acs_request("GET", "/clusters/" .. tostring(r.json and r.json.cluster_id), "", nil, "testid", "testsecret")
  check(r.json and r.json.state == "failed", "end_state failed: a new cluster fails", r.body)
  local s = T.stats()
  check(s.cs_clusters == 4 and s.by_action.CreateCluster == 6 and s.by_code.ErrorClusterNotFound == 1,
        "stats count ROA requests and clusters",
        require("cjson").encode(s))
  ctl("POST", "reset", "{}")
  local after = ctl("GET", "cs").json
  check(after.running_after == 1 and after.end_state == "running", "reset restores running_after = 1, running")
end

local ok, err = pcall(run_live)
check(ok, "live checks ran to the end", err)
T.stop(EMU, prefix)
T.finish()
