#!/usr/bin/env lua5.4
-- Self-test of what clients page and wait through: ECS DescribeInstances by
-- NextToken/MaxResults, the Huawei VPC v3 marker list, the paging faults
-- (repeat_token, empty_page), lifecycles (ECS Starting/Stopping, VPCEP
-- creating) and their control switch, resources kept per account, and the
-- 404 InvalidAction.NotFound of an unknown action. Independent of the
-- project's code (curl + openssl, helpers in selftest_lib.lua).
--   lua5.4 emulator/tests/selftest_paging.lua        (exit status 0 = all passed)

local tests = arg[0]:match("^(.*)/[^/]*$") or "."
local T = dofile(tests .. "/selftest_lib.lua")
local EMU = tests .. "/../emulator"
local prefix = T.start(EMU, "pagingtest")
local cjson = require "cjson"
local check, rpc, hw, ctl = T.check, T.rpc, T.hw, T.ctl
local ECS, VPC, SVC, P1 = T.ECS, T.VPC, T.SVC, T.P1

local function code_of(r) return r.json and (r.json.Code or r.json.error_code) end
local function enc(v) return cjson.encode(v) end

local function ids(r)
  local out = {}
  for i, inst in ipairs(r.json and r.json.Instances.Instance or {}) do out[i] = inst.InstanceId end
  return out
end

local function status_of(id, extra)
  local p = { RegionId = "cn-hangzhou", InstanceIds = '["' .. id .. '"]' }
  for k, v in pairs(extra or {}) do p[k] = v end
  local r = rpc("DescribeInstances", ECS, p)
  return r.json and r.json.Instances.Instance[1] and r.json.Instances.Instance[1].Status
end

-- Polls until f() is true, at most `limit` seconds.
local function eventually(f, limit)
  local deadline = T.now() + limit
  repeat
    if f() then return true end
    T.sleep(0.1)
  until T.now() > deadline
  return f()
end

local function run_live()
  ctl("POST", "reset", "{}")

  ---------------------------------------------------------------- ECS NextToken / MaxResults
  local t1 = rpc("DescribeInstances", ECS, { RegionId = "cn-hangzhou", MaxResults = "100" })
  local tok = t1.json and t1.json.NextToken
  check(t1.status == 200 and #ids(t1) == 100 and ids(t1)[1] == "i-hz000001" and type(tok) == "string"
        and tok:match("^%x+$") and t1.json.TotalCount == 300 and t1.json.PageNumber == nil,
        "MaxResults=100: first page and a NextToken", t1.body:sub(1, 120))
  local t2 = rpc("DescribeInstances", ECS, { RegionId = "cn-hangzhou", MaxResults = "100", NextToken = tok })
  local tok2 = t2.json and t2.json.NextToken
  check(ids(t2)[1] == "i-hz000101" and #ids(t2) == 100 and tok2 ~= tok, "NextToken: the second page",
        t2.body:sub(1, 120))
  local t3 = rpc("DescribeInstances", ECS, { RegionId = "cn-hangzhou", MaxResults = "100", NextToken = tok2 })
  check(ids(t3)[100] == "i-hz000300" and t3.json.NextToken == "", "the last page: NextToken \"\"",
        t3.body:sub(-120))
  local td = rpc("DescribeInstances", ECS, { RegionId = "eu-west-1", NextToken = "" })
  check(#ids(td) == 10 and type(td.json.NextToken) == "string" and td.json.NextToken ~= "",
        "NextToken=\"\" starts at the first page, MaxResults defaults to 10", td.body:sub(1, 120))
  local other = rpc("DescribeInstances", ECS, { RegionId = "eu-west-1", NextToken = tok })
  check(other.status == 400 and code_of(other) == "InvalidParameter"
        and other.json.Message == 'The specified parameter "NextToken" is not valid.',
        "a token of another query is refused", other.body)
  local junk = rpc("DescribeInstances", ECS, { RegionId = "cn-hangzhou", NextToken = "zzz" })
  check(junk.status == 400 and code_of(junk) == "InvalidParameter", "a malformed token is refused", junk.body)
  local big = rpc("DescribeInstances", ECS, { RegionId = "cn-hangzhou", MaxResults = "101" })
  check(big.status == 400 and big.json.Message == 'The specified parameter "MaxResults" is not valid.',
        "MaxResults 101 is refused", big.body)

  ---------------------------------------------------------------- paging faults
  check(T.fault('{"kind":"repeat_token"}').status == 200, "queue a repeat_token fault")
  local f1 = rpc("DescribeInstances", ECS, { RegionId = "cn-hangzhou", MaxResults = "50" })
  check(f1.json and f1.json.NextToken ~= "" and #ids(f1) == 50, "a first page passes the paging fault by",
        f1.body:sub(1, 80))
  local f2 = rpc("DescribeInstances", ECS,
                 { RegionId = "cn-hangzhou", MaxResults = "50", NextToken = f1.json.NextToken })
  check(f2.json and f2.json.NextToken == f1.json.NextToken and ids(f2)[1] == "i-hz000051",
        "repeat_token: the answer repeats the request's token", f2.body:sub(1, 80))
  check(T.fault('{"kind":"empty_page","api":"rpc"}').status == 200, "queue an empty_page fault")
  local e1 = rpc("DescribeInstances", ECS, { RegionId = "cn-hangzhou", PageSize = "100", PageNumber = "2" })
  check(e1.json and e1.json.TotalCount == 300 and #ids(e1) == 0 and e1.body:find('"Instance":[]', 1, true),
        "empty_page: no items, the total unchanged", e1.body:sub(1, 160))
  local e2 = rpc("DescribeInstances", ECS, { RegionId = "cn-hangzhou", PageSize = "100", PageNumber = "2" })
  check(#ids(e2) == 100, "the fault hit one request", e2.body:sub(1, 80))

  ---------------------------------------------------------------- unknown action
  local na = rpc("DescribeNothing", ECS)
  check(na.status == 404 and code_of(na) == "InvalidAction.NotFound"
        and na.json.Message == "Specified api is not found, please check your url and method.",
        "unknown action -> 404 InvalidAction.NotFound", na.body)

  ---------------------------------------------------------------- lifecycles
  local lc = ctl("GET", "lifecycle")
  check(lc.status == 200 and lc.json.seconds == 1, "lifecycle: 1 s by default", lc.body)
  check(ctl("POST", "lifecycle", '{"seconds":-1}').status == 400, "negative lifecycle seconds rejected")
  check(ctl("POST", "lifecycle", '{"secs":1}').status == 400, "lifecycle needs seconds")
  check(ctl("POST", "lifecycle", '{"seconds":0.6}').json.seconds == 0.6, "lifecycle set to 0.6 s")
  local s1 = rpc("StartInstance", ECS, { InstanceId = "i-hz000003" })
  check(s1.status == 200 and status_of("i-hz000003") == "Starting", "StartInstance: Starting at once", s1.body)
  local again = rpc("StartInstance", ECS, { InstanceId = "i-hz000003" })
  check(again.status == 403 and code_of(again) == "IncorrectInstanceStatus", "a Starting instance cannot start again",
        again.body)
  local st = rpc("DescribeInstances", ECS, { RegionId = "cn-hangzhou", Status = "Starting" })
  check(st.json and st.json.TotalCount == 1 and ids(st)[1] == "i-hz000003", "Status=Starting filter",
        st.body:sub(1, 120))
  check(eventually(function() return status_of("i-hz000003") == "Running" end, 10), "then Running")
  local p1 = rpc("StopInstance", ECS, { InstanceId = "i-hz000003" })
  check(p1.status == 200 and status_of("i-hz000003") == "Stopping", "StopInstance: Stopping at once", p1.body)
  check(eventually(function() return status_of("i-hz000003") == "Stopped" end, 10), "then Stopped")
  local p2 = rpc("StopInstance", ECS, { InstanceId = "i-hz000003" })
  check(p2.status == 403 and code_of(p2) == "IncorrectInstanceStatus", "a Stopped instance cannot stop", p2.body)
  local p3 = rpc("StopInstance", ECS, { InstanceId = "i-nope" })
  check(p3.status == 404 and code_of(p3) == "InvalidInstanceId.NotFound", "StopInstance unknown id", p3.body)

  ---------------------------------------------------------------- per account
  check(rpc("StartInstance", ECS, { InstanceId = "i-hz000006" }).status == 200, "testid starts i-hz000006")
  check(status_of("i-hz000006", { AccessKeyId = "demo-ak" }) == "Stopped",
        "another account's keys see their own status of it")
  check(status_of("i-hz000006", { AccessKeyId = "sts-ak", SecurityToken = "sts-token" }) == "Starting",
        "an STS key of the same account sees the change")
  local mine = rpc("AllocateEipAddress", VPC, { RegionId = "cn-hangzhou" })
  local eip = mine.json and mine.json.AllocationId
  local theirs = rpc("DescribeEipAddresses", VPC, { RegionId = "cn-hangzhou", AccessKeyId = "demo-ak" })
  check(theirs.json and theirs.json.TotalCount == 0, "another account does not list the EIP", theirs.body)
  local steal = rpc("ReleaseEipAddress", VPC, { AllocationId = eip, AccessKeyId = "demo-ak" })
  check(steal.status == 404 and code_of(steal) == "InvalidAllocationId.NotFound",
        "another account cannot release it", steal.body)
  local own = rpc("DescribeEipAddresses", VPC, { RegionId = "cn-hangzhou" })
  check(own.json and own.json.TotalCount == 1, "the owner still has it", own.body)
  check(rpc("ReleaseEipAddress", VPC, { AllocationId = eip }).status == 200, "the owner releases it")

  ---------------------------------------------------------------- VPCEP creating
  ctl("POST", "lifecycle", '{"seconds":0.6}')
  local body = '{"vpc_id":"vpc-1","port_id":"port-1","server_type":"VM",' ..
               '"ports":[{"client_port":8080,"server_port":80,"protocol":"TCP"}]}'
  local c = hw("POST", SVC, "", body)
  local id = c.json and c.json.id
  check(c.status == 200 and c.json.status == "creating", "a new endpoint service is creating", c.body)
  local function svc_status() local g = hw("GET", SVC .. "/" .. id, ""); return g.json and g.json.status end
  check(eventually(function() return svc_status() == "available" end, 10), "then available")
  local ep = hw("POST", "/v1/" .. P1 .. "/vpc-endpoints", "", '{"endpoint_service_id":"' .. id .. '","vpc_id":"v2"}')
  check(ep.status == 200 and ep.json.status == "creating", "a new endpoint is creating", ep.body)
  local function ep_status()
    local g = hw("GET", "/v1/" .. P1 .. "/vpc-endpoints/" .. ep.json.id, "")
    return g.json and g.json.status
  end
  check(eventually(function() return ep_status() == "accepted" end, 10), "then accepted")

  ---------------------------------------------------------------- Huawei VPC v3: marker paging
  local VPCS = "/v3/" .. P1 .. "/vpc/vpcs"
  local v1 = hw("GET", VPCS, "limit=5")
  local pi = v1.json and v1.json.page_info or {}
  check(v1.status == 200 and #v1.json.vpcs == 5 and pi.current_count == 5 and pi.next_marker == v1.json.vpcs[5].id
        and pi.previous_marker == nil and type(v1.json.request_id) == "string",
        "ListVpcs limit=5: page_info.next_marker is the last id", v1.body:sub(1, 200))
  local v2 = hw("GET", VPCS, "limit=5&marker=" .. pi.next_marker)
  local v3 = hw("GET", VPCS, "limit=5&marker=" .. v2.json.page_info.next_marker)
  check(#v3.json.vpcs == 2 and v3.json.page_info.next_marker == nil and v3.json.vpcs[2].name == "vpc-12"
        and v2.json.page_info.previous_marker == v2.json.vpcs[1].id,
        "the last page has no next_marker", v3.body:sub(1, 200))
  local all = hw("GET", VPCS, "")
  check(#all.json.vpcs == 12 and all.json.page_info.next_marker == nil, "no limit: all 12 (default 2000)",
        enc(all.json.page_info))
  local bm = hw("GET", VPCS, "marker=nope")
  check(bm.status == 400 and code_of(bm) == "VPC.0002", "unknown marker -> 400", bm.body)
  local bl = hw("GET", VPCS, "limit=0")
  check(bl.status == 400 and code_of(bl) == "VPC.0002", "limit 0 -> 400", bl.body)
  T.fault('{"kind":"repeat_token","api":"huawei"}')
  local r1 = hw("GET", VPCS, "limit=5")
  local r2 = hw("GET", VPCS, "limit=5&marker=" .. r1.json.page_info.next_marker)
  check(r2.json.page_info.next_marker == r1.json.page_info.next_marker, "repeat_token repeats the marker",
        enc(r2.json.page_info))
  T.fault('{"kind":"empty_page","api":"huawei"}')
  local o1 = hw("GET", SVC, "limit=10&offset=10")
  check(o1.json and #o1.json.endpoint_services == 0 and o1.json.total_count == 26, "empty_page on an offset list",
        o1.body:sub(1, 200))

  local rs = ctl("POST", "reset", "{}")
  check(rs.status == 200 and ctl("GET", "lifecycle").json.seconds == 1 and status_of("i-hz000003") == "Stopped",
        "reset restores the lifecycle time and the statuses")
end

T.run(run_live, EMU, prefix)
