#!/usr/bin/env lua5.4
-- Self-test of the emulator's test-control features for retries,
-- idempotency, timeouts and clock skew: the stall fault, throttling retry
-- hints, error-fault headers, the request log (/__emulator/requests),
-- faults_applied and the Date header. Independent of the project's code
-- (curl + openssl, helpers in selftest_lib.lua).
--   lua5.4 emulator/tests/selftest_faults.lua        (exit status 0 = all passed)

local here = (arg[0]:match("^(.*)/[^/]*$") or ".") -- emulator/tests
local emu_dir = here .. "/.."                        -- emulator
package.path = emu_dir .. "/lua/?.lua;" .. package.path
local cjson = require "cjson"
local T = dofile(here .. "/selftest_lib.lua")
local check, rpc, hw, http, ctl = T.check, T.rpc, T.hw, T.http, T.ctl
local ECS, VPC, SVC = T.ECS, T.VPC, T.SVC

local EMU = emu_dir .. "/emulator"
local prefix = T.start(EMU, "faulttest")

local function code_of(r) return r.json and (r.json.Code or r.json.error_code) end
local function enc(v) return cjson.encode(v) end

-- Date header present, well-formed and close to this machine's clock.
local function date_ok(r)
  local t = T.http_date(r.headers["date"])
  return t ~= nil and math.abs(t - os.time()) <= 5, r.headers["date"]
end

local SERVICE_BODY = '{"vpc_id":"vpc-1","port_id":"port-1","server_type":"VM","service_name":"stall-svc",' ..
                     '"ports":[{"client_port":8080,"server_port":80,"protocol":"TCP"}]}'

local function run_live()
  ctl("POST", "reset", "{}")

  ---------------------------------------------------------------- control endpoint validation
  check(T.fault('{"kind":"stall","seconds":61}').status == 400, "stall seconds > 60 rejected")
  check(T.fault('{"kind":"throttle","retry_after_ms":-1}').status == 400, "negative retry_after_ms rejected")
  check(T.fault('{"kind":"throttle","retry_after":1.5}').status == 400, "fractional retry_after rejected")
  check(T.fault('{"kind":"error","headers":{"Bad Name":"x"}}').status == 400, "invalid header name rejected")
  check(T.fault('{"kind":"error","headers":"x"}').status == 400, "headers must be an object")
  local bogus = T.fault('{"kind":"bogus"}')
  check(bogus.status == 400 and bogus.json.Message:find("stall", 1, true), "unknown kind lists stall", bogus.body)
  check(T.stats().faults_pending == 0, "rejected faults are not queued")

  ---------------------------------------------------------------- Date header
  local ok200 = rpc("DescribeRegions", ECS)
  check(ok200.status == 200 and date_ok(ok200), "Date on a normal RPC answer", ok200.headers["date"])
  local bad = rpc("NoSuchAction", ECS)
  check(bad.status == 404 and date_ok(bad), "Date on an RPC error answer", bad.headers["date"])
  local hwerr = http("GET", SVC)
  check(hwerr.status == 401 and date_ok(hwerr), "Date on a Huawei gateway error", hwerr.headers["date"])

  ---------------------------------------------------------------- throttle with retry hints
  T.fault('{"kind":"throttle","api":"rpc","retry_after_ms":1500}')
  local th = rpc("DescribeRegions", ECS)
  check(th.status == 400 and code_of(th) == "Throttling" and th.headers["x-acs-retry-after"] == "1500",
        "RPC throttle with retry_after_ms -> x-acs-retry-after: 1500", enc(th.headers))
  check(date_ok(th), "Date on a throttled RPC answer", th.headers["date"])
  check(th.headers["retry-after"] == nil, "RPC throttle without retry_after: no Retry-After")
  T.fault('{"kind":"throttle","api":"rpc"}')
  local th0 = rpc("DescribeRegions", ECS)
  check(th0.status == 400 and th0.headers["x-acs-retry-after"] == nil,
        "RPC throttle without hint: no x-acs-retry-after")

  T.fault('{"kind":"throttle","api":"huawei","retry_after":2}')
  local hth = hw("GET", SVC, "limit=1")
  check(hth.status == 429 and code_of(hth) == "APIGW.0308" and hth.headers["retry-after"] == "2",
        "Huawei throttle with retry_after -> 429 APIGW.0308, Retry-After: 2", enc(hth.headers))
  check(date_ok(hth), "Date on a throttled Huawei answer", hth.headers["date"])
  T.fault('{"kind":"throttle","api":"huawei"}')
  local hth0 = hw("GET", SVC, "limit=1")
  check(hth0.status == 429 and hth0.headers["retry-after"] == nil, "Huawei throttle without hint: no Retry-After")

  -- a fault for "any" API with both hints: each API gets its own header
  T.fault('{"kind":"throttle","count":2,"retry_after_ms":250,"retry_after":1}')
  local a1, a2 = rpc("DescribeRegions", ECS), hw("GET", SVC, "limit=1")
  check(a1.headers["x-acs-retry-after"] == "250" and a1.headers["retry-after"] == nil
        and a2.headers["retry-after"] == "1" and a2.headers["x-acs-retry-after"] == nil,
        "api any: RPC gets x-acs-retry-after, Huawei gets Retry-After", enc(a1.headers) .. enc(a2.headers))

  ---------------------------------------------------------------- error fault with headers
  T.fault('{"kind":"error","api":"rpc","status":503,"code":"ServiceUnavailable",' ..
          '"headers":{"Retry-After":"3","X-Test":"a b"}}')
  local e1 = rpc("DescribeRegions", ECS)
  check(e1.status == 503 and code_of(e1) == "ServiceUnavailable" and e1.headers["retry-after"] == "3"
        and e1.headers["x-test"] == "a b" and date_ok(e1), "RPC error fault copies headers (and has Date)",
        enc(e1.headers))
  T.fault('{"kind":"error","api":"huawei","status":503,"code":"SYS.0503","message":"busy","headers":{"Retry-After":5}}')
  local e2 = hw("GET", SVC, "limit=1")
  local keys = {}
  for k in pairs(e2.json or {}) do keys[#keys + 1] = k end
  table.sort(keys)
  check(e2.status == 503 and e2.headers["retry-after"] == "5" and date_ok(e2)
        and table.concat(keys, ",") == "error_code,error_msg,request_id"
        and e2.json.error_code == "SYS.0503" and e2.json.error_msg == "busy"
        and e2.json.request_id == e2.headers["x-request-id"],
        "Huawei error fault: flat {error_code,error_msg,request_id}, headers copied", e2.body)
  T.fault('{"kind":"error","api":"huawei"}')
  local e3 = http("POST", "/v3/auth/tokens", "{}", { headers = { "Content-Type: application/json" } })
  check(e3.status == 503 and e3.json and e3.json.error_code == "ServiceUnavailable" and e3.json.error == nil,
        "error fault on the IAM route: flat gateway shape too", e3.body)

  -- truncated answers carry Date as well
  T.fault('{"kind":"truncate","api":"rpc"}')
  local tr = rpc("DescribeRegions", ECS)
  check(tr.curl_exit == 18 and date_ok(tr), "Date on a truncated answer", tr.headers["date"])

  ---------------------------------------------------------------- echo and raw answers
  T.fault('{"kind":"echo","api":"huawei"}')
  local body = '{"auth":{"identity":{"password":{"user":{"password":"p\\"w"}}}}}'
  local echo = http("POST", "/v3/auth/tokens", body,
                    { headers = { "Content-Type: application/json", "X-Auth-Token: tok-1" } })
  check(echo.status == 400 and echo.json and echo.json.error_code == "EchoedRequest"
        and echo.json.error_msg:find("POST /v3/auth/tokens HTTP/1.1", 1, true)
        and echo.json.error_msg:find("X-Auth-Token: tok-1", 1, true) and echo.json.error_msg:find(body, 1, true),
        "echo fault on the IAM route quotes request line, headers and body", echo.body)
  T.fault('{"kind":"echo","api":"rpc","raw":true,"status":502}')
  local recho = rpc("DescribeRegions", ECS)
  check(recho.status == 502 and recho.headers["content-type"] == "text/plain"
        and recho.body:find("^GET /%?") and recho.body:find("Signature=", 1, true),
        "raw echo fault: the request as a text/plain body", recho.body)
  T.fault('{"kind":"raw","api":"rpc","content_type":"text/html","body":"<html>portal</html>"}')
  local page = rpc("DescribeRegions", ECS)
  check(page.status == 200 and page.body == "<html>portal</html>" and page.headers["content-type"] == "text/html",
        "raw fault: status, Content-Type and body verbatim", page.body)
  check(T.fault('{"kind":"raw"}').status == 400, "raw without a body rejected")
  check(T.fault('{"kind":"echo","status":100}').status == 400, "echo status below 200 rejected")

  ---------------------------------------------------------------- stall: act, then wait
  ctl("POST", "reset", "{}")
  local t_fault = T.fault('{"kind":"stall","seconds":3,"api":"rpc"}')
  check(t_fault.status == 200, "queue a 3 s stall fault", t_fault.body)
  local first = rpc("AllocateEipAddress", VPC, { RegionId = "cn-hangzhou", ClientToken = "stall-tok-1" },
                    { max_time = 0.5 })
  check(first.curl_exit == 28 and first.status == 0 and first.elapsed < 2,
        "stalled AllocateEipAddress: curl --max-time 0.5 times out", tostring(first.curl_exit) .. " " .. first.elapsed)
  -- the stalled handler is still asleep: another request is answered at once
  local prompt = rpc("DescribeRegions", VPC)
  check(prompt.status == 200 and prompt.elapsed < 1, "another request is answered promptly during the stall",
        prompt.elapsed)
  local mid = T.requests()
  check(mid[1] and mid[1].action == "AllocateEipAddress" and mid[1].fault == "stall" and mid[1].done == false
        and mid[1].status == cjson.null, "log: the stalled request is still in flight", enc(mid[1]))
  local st_mid = T.stats()
  check(st_mid.eips == 1 and st_mid.client_tokens == 1, "state changed before the stall ended (1 EIP, 1 client token)",
        enc(st_mid))
  local retry = rpc("AllocateEipAddress", VPC, { RegionId = "cn-hangzhou", ClientToken = "stall-tok-1" })
  check(retry.status == 200 and retry.json and retry.json.AllocationId and retry.elapsed < 1
        and retry.params.SignatureNonce ~= first.params.SignatureNonce,
        "retry with the same ClientToken (new nonce) answers at once", retry.body)
  local de = rpc("DescribeEipAddresses", VPC, { RegionId = "cn-hangzhou" })
  local eip_list = de.json and de.json.EipAddresses.EipAddress or {}
  check(de.json and de.json.TotalCount == 1 and eip_list[1].AllocationId == retry.json.AllocationId,
        "the retry returned the EIP the stalled request created", de.body)
  check(T.stats().eips == 1, "stats: eips == 1 after the retry")
  -- wait for the stalled handler to finish
  local deadline = T.now() + 6
  local done
  repeat
    T.sleep(0.2)
    done = T.requests()[1]
  until (done and done.done) or T.now() > deadline
  check(done and done.done == true and done.status == 200 and done.code == cjson.null,
        "log: the stalled request finished with 200", enc(done))
  check(T.stats().eips == 1, "still exactly one EIP after the stall ended")

  -- a client that waits long enough gets the normal answer after `seconds`
  T.fault('{"kind":"stall","seconds":1.5,"api":"rpc"}')
  local bg = rpc("AllocateEipAddress", VPC, { RegionId = "cn-hangzhou", ClientToken = "stall-tok-2" }, { bg = true })
  T.sleep(0.3)
  local during = rpc("DescribeRegions", ECS)
  local waited = T.wait(bg)
  check(during.status == 200 and during.elapsed < 1, "a request in parallel with a stall is not held up",
        during.elapsed)
  check(waited.status == 200 and waited.json and waited.json.AllocationId and waited.elapsed >= 1.5 and date_ok(waited),
        "a patient client gets the normal answer after the stall (with Date)",
        tostring(waited.elapsed) .. " " .. waited.body)
  local replay = rpc("AllocateEipAddress", VPC, { RegionId = "cn-hangzhou", ClientToken = "stall-tok-2" })
  check(replay.json and waited.json and replay.json.AllocationId == waited.json.AllocationId and T.stats().eips == 2,
        "the token of a stalled request replays its EIP", replay.body)

  -- Huawei: POST vpc-endpoint-services is performed, then stalls
  local before = T.stats().vpcep_services
  T.fault('{"kind":"stall","seconds":2,"api":"huawei"}')
  local hs = hw("POST", SVC, "", SERVICE_BODY, { max_time = 0.5 })
  check(hs.curl_exit == 28, "stalled Huawei create: client times out", hs.curl_exit)
  local hprompt = hw("GET", SVC, "limit=1")
  check(hprompt.status == 200 and hprompt.json.total_count == 26 and hprompt.elapsed < 1.5,
        "the endpoint service exists while the create is still stalled; GET answered promptly",
        tostring(hprompt.elapsed) .. " " .. hprompt.body:sub(1, 120))
  check(T.stats().vpcep_services == before + 1, "exactly one service created", T.stats().vpcep_services)

  ---------------------------------------------------------------- request log
  local hlog
  deadline = T.now() + 5
  repeat
    T.sleep(0.2)
    for _, e in ipairs(T.requests()) do if e.operation == "CreateEndpointService" then hlog = e end end
  until (hlog and hlog.done) or T.now() > deadline
  check(hlog and hlog.api == "huawei" and hlog.method == "POST" and hlog.fault == "stall" and hlog.status == 200
        and hlog.sdk_date == hs.sdk_date and hlog.nonce == cjson.null and hlog.action == cjson.null,
        "log: Huawei stalled create (operation, sdk_date, fault, status)", enc(hlog))

  ctl("DELETE", "requests")
  local st_before = T.stats()
  check(#T.requests() == 0 and st_before.eips == 2, "DELETE /__emulator/requests clears only the log", enc(st_before))
  local last_seq = T.ctl("GET", "requests").json.last_seq

  T.fault('{"kind":"throttle","api":"rpc","count":2,"retry_after_ms":100}')
  local l1 = rpc("AllocateEipAddress", VPC, { RegionId = "cn-hangzhou", ClientToken = "log-tok" })
  local l2 = rpc("AllocateEipAddress", VPC, { RegionId = "cn-hangzhou", ClientToken = "log-tok" })
  local l3 = rpc("AllocateEipAddress", VPC, { RegionId = "cn-hangzhou", ClientToken = "log-tok" })
  T.fault('{"kind":"reset","api":"rpc"}')
  local l4 = rpc("DescribeRegions", ECS)
  local l5 = hw("GET", SVC, "limit=1")
  T.fault('{"kind":"error","api":"huawei","status":500,"code":"SYS.0500"}')
  local l6 = hw("GET", SVC, "limit=1")
  local log = T.requests()
  check(#log == 6, "log has the 6 API requests and no control requests", enc(log))
  local seqs_ok, nonces, distinct = true, {}, 0
  for i, e in ipairs(log) do
    if e.seq ~= last_seq + i then seqs_ok = false end
    if e.nonce ~= cjson.null and not nonces[e.nonce] then nonces[e.nonce] = true; distinct = distinct + 1 end
  end
  check(seqs_ok, "seq continues after DELETE, oldest first", enc(log))
  check(distinct == 4 and log[1].nonce == l1.params.SignatureNonce and log[4].nonce == l4.params.SignatureNonce,
        "log: distinct nonces of the 4 RPC requests", enc(log))
  local function txt(v)
    if v == cjson.null then return "null" end
    if math.type(v) == "float" then return tostring(math.tointeger(v) or v) end
    return tostring(v)
  end
  local function row(e) return txt(e.fault) .. "|" .. txt(e.status) .. "|" .. txt(e.code) end
  local rows = {}
  for i, e in ipairs(log) do rows[i] = row(e) end
  local null = "null"
  check(rows[1] == "throttle|400|Throttling" and rows[2] == "throttle|400|Throttling"
        and rows[3] == null .. "|200|" .. null and rows[4] == "reset|" .. null .. "|" .. null
        and rows[5] == null .. "|200|" .. null and rows[6] == "error|500|SYS.0500",
        "log: fault kinds, statuses and codes", table.concat(rows, "  "))
  check(log[1].action == "AllocateEipAddress" and log[1].client_token == "log-tok"
        and log[1].timestamp == l1.params.Timestamp
        and log[1].api == "rpc" and log[1].method == "GET"
        and log[4].client_token == cjson.null and log[4].done == true,
        "log: action, client_token, timestamp (also of faulted requests)", enc(log[1]))
  check(log[5].api == "huawei" and log[5].operation == "ListEndpointServices" and log[5].sdk_date == l5.sdk_date
        and log[5].timestamp == cjson.null and log[6].sdk_date == l6.sdk_date,
        "log: Huawei operation and sdk_date", enc(log[5]))
  check(log[3].request_id == l3.headers["x-acs-request-id"] and log[5].request_id == l5.headers["x-request-id"]
        and type(log[1].connection) == "number" and log[1].connection ~= log[2].connection,
        "log: request_id and connection serial", enc(log[3]))
  check(l2.status == 400 and l3.status == 200 and l4.curl_exit == 52, "the faulted requests answered as logged")
  local since = T.requests(log[4].seq)
  check(#since == 2 and since[1].seq == log[5].seq, "?since=SEQ returns only later entries", enc(since))

  -- several requests on one kept-alive connection share the connection serial
  local parts, files = {}, {}
  for _ = 1, 3 do
    local p = T.rpc_params("DescribeRegions", ECS)
    local query = T.rpc_sign("GET", p, "testsecret")
    local f = os.tmpname(); files[#files + 1] = f
    parts[#parts + 1] = "-s -o " .. T.q(f) .. " " .. T.q(T.BASE .. "/?" .. query)
  end
  T.sh("curl " .. table.concat(parts, " --next "))
  for _, f in ipairs(files) do os.remove(f) end
  local ka = T.requests(log[6].seq)
  check(#ka == 3 and ka[1].connection == ka[2].connection and ka[2].connection == ka[3].connection,
        "log: one connection serial for 3 kept-alive requests", enc(ka))

  ---------------------------------------------------------------- faults_applied
  local fa = T.stats().faults_applied or {}
  -- since the reset before the stall tests: stall 3, throttle 2, reset 1, error 1
  check(fa.stall == 3 and fa.throttle == 2 and fa.reset == 1 and fa.error == 1 and fa.delay == nil,
        "stats.faults_applied counts per kind", enc(fa))

  ---------------------------------------------------------------- bound and reset
  local urls = {}
  for i = 1, 1005 do urls[i] = T.q(T.BASE .. "/?n=" .. i) end
  T.sh("curl -s -o /dev/null " .. table.concat(urls, " -o /dev/null "))
  local full = T.ctl("GET", "requests").json
  check(#full.requests == 1000 and full.requests[1000].seq == full.last_seq
        and full.requests[1].seq == full.last_seq - 999,
        "the log keeps the last 1000 requests", #full.requests)
  ctl("POST", "reset", "{}")
  local after = T.ctl("GET", "requests")
  check(after.status == 200 and after.body:find('"requests":[]', 1, true)
        and next(T.stats().faults_applied or { 1 }) == nil,
        "reset clears the log (empty list) and faults_applied", after.body)
  rpc("DescribeRegions", ECS)
  local fresh = T.requests()
  check(#fresh == 1 and fresh[1].seq == 1, "seq starts again at 1 after reset", enc(fresh))
  check(T.ctl("GET", "requests?since=x").status == 400, "bad since rejected")
end

local okrun, err = pcall(run_live)
check(okrun, "live tests ran without a Lua error", err)

local errlog = T.readfile(prefix .. "/error.log")
check(not errlog:find("%[error%]") and not errlog:find("%[crit%]"), "no errors in nginx error.log",
      errlog:match("[^\n]*%[error%][^\n]*"))
T.stop(EMU, prefix)
T.finish()
