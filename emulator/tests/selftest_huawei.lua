#!/usr/bin/env lua5.4
-- Self-test of the emulator's Huawei Cloud REST side (IAM + VPCEP),
-- independent of the project's code: it signs requests with its own
-- canonicalization + `openssl dgst` (HMAC-SHA256, SHA-256), talks
-- HTTP with curl, and checks the emulator's signer (lua/emulator/huawei/sign.lua)
-- against test-vectors.md section H1-H5.
--   lua5.4 emulator/tests/selftest_huawei.lua        (exit status 0 = all passed)

local here = (arg[0]:match("^(.*)/[^/]*$") or ".") -- emulator/tests
local emu_dir = here .. "/.."                        -- emulator
package.path = emu_dir .. "/lua/?.lua;" .. package.path
local cjson = require "cjson"

-- Shell, crypto and encoding helpers shared by the self-tests.
local T = dofile(here .. "/selftest_lib.lua")
local check, q, sh, tmpfile, readfile = T.check, T.q, T.sh, T.tmpfile, T.readfile
local hex, hmac_sha256, sha256_hex, pct = T.hex, T.hmac_sha256, T.sha256_hex, T.pct

local CRYPTO = { hmac_sha256 = hmac_sha256, sha256_hex = sha256_hex }

---------------------------------------------------------------- unit: server signer vs H1-H5
local hw_sign = require "emulator.huawei.sign"
do
  check(hex(hmac_sha256("key", "The quick brown fox jumps over the lazy dog")) ==
        "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
        "HMAC-SHA256 primitive (RFC 4231-style check)")
  check(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "SHA-256 of empty body")

  local function canon(method, path, query, headers, signed, body)
    return hw_sign.canonical_request({ method = method, path = path, query = query, headers = headers,
                                       signed = signed, payload_hash = sha256_hex(body or "") })
  end
  local function both(c, date, sdk_sig, v11_sig, label)
    local sig, sts = hw_sign.sign(c, { sk = "SecretKey", sdk_date = date }, CRYPTO)
    check(sig == sdk_sig, label .. " SDK-HMAC-SHA256 signature", sig)
    local v11 = hw_sign.sign(c, { algorithm = "V11-HMAC-SHA256", ak = "AccessKey", sk = "SecretKey", sdk_date = date,
                                  info = date:sub(1, 8) .. "/test-region-1/demo" }, CRYPTO)
    check(v11 == v11_sig, label .. " V11-HMAC-SHA256 signature", v11)
    return sts
  end

  local h1h = { host = "service.endpoint.myhuaweicloud.com", ["x-sdk-date"] = "20200608T023900Z",
                test_underscore = "TEST_VALUE" }
  local c1 = canon("GET", "/resources", "size=1", h1h, { "host", "x-sdk-date" })
  check(c1 == "GET\n/resources/\nsize=1\nhost:service.endpoint.myhuaweicloud.com\nx-sdk-date:20200608T023900Z\n\n" ..
        "host;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "H1 canonical request", c1)
  local sts1 = both(c1, "20200608T023900Z", "cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842",
                    "f7dfee056692e58dede80fc80cb89bbfabf45552dd7cd8d18a0a13484455b98e", "H1")
  check(sts1 == "SDK-HMAC-SHA256\n20200608T023900Z\nde94dd1e1ccdb730b403ce35d7e14f7c7b04337f6def1c3a3a2ba936852b133f",
        "H1 string to sign", sts1)
  local a = hw_sign.parse_authorization("SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, " ..
                                        "Signature=cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842")
  check(a and a.access == "AccessKey" and #a.signed_headers == 2 and a.signature:sub(1, 4) == "cfb4",
        "parse SDK Authorization")
  local v = hw_sign.parse_authorization("V11-HMAC-SHA256 Credential=AccessKey/20200608/test-region-1/demo, " ..
                                        "SignedHeaders=host;x-sdk-date, Signature=f7dfee05")
  check(v and v.access == "AccessKey" and v.credential.info == "20200608/test-region-1/demo", "parse V11 Authorization")
  check(not hw_sign.parse_authorization("SDK-HMAC-SHA256 Access=a, SignedHeaders=x-sdk-date;host, Signature=00"),
        "unsorted SignedHeaders rejected")

  local body2 = '{"name":"test","id":1}'
  check(sha256_hex(body2) == "8ed555081b9961769014bc1182c629bb0fe68d7b01c1fc1caab4dc791f377e8c", "H2 payload hash")
  local c2 = canon("POST", "/resources", "size=1", h1h, { "host", "x-sdk-date" }, body2)
  both(c2, "20200608T023900Z", "436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f",
       "8e2d91eaf9656ec5d6fab27812e2d898a35aaaa5e16ee0a0365c38527ccfb3cf", "H2")

  local h3h = { host = "example.huaweicloud.com", ["x-sdk-date"] = "20060102T150405Z", test_underscore = "TEST_VALUE",
                ["content-type"] = "application/json" }
  local c3 = canon("GET", "/path", "limit=1", h3h, { "x-sdk-date" })
  both(c3, "20060102T150405Z", "5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624",
       "8fd3610508884bb19718317797c7378716a94bc740d97502e569322e366341cc", "H3")

  local body4 = '{"Name":"test","Id":1}\n'
  check(sha256_hex(body4) == "a29d7b4c5efd1a22011d69fd7b7aee76fe51e4083c609244228de258afd61289", "H4 payload hash")
  local c4 = canon("POST", "/path", "key=value", h3h, { "x-sdk-date" }, body4)
  both(c4, "20060102T150405Z", "cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59",
       "4112f88b92d82dd1e1b7dd142f1e99e4f1762c42ca8fe0968b3045120870a903", "H4")

  local h5 = "enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123" ..
             "&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29"
  check(hw_sign.canonical_query_pairs({ { "limit", "1" }, { "enable", "true" }, { "test", "一 (&=?!#%.*)" },
        { "path", "/tmp/123" }, { "multi", "3" }, { "multi", "1" }, { "multi", "2" } }) == h5,
        "H5 canonical query (pairs)")
  check(hw_sign.canonical_query("test=%E4%B8%80%20(%26%3D%3F!%23%25.*)&path=/tmp/123" ..
                                "&multi=2&limit=1&multi=1&enable=true&multi=3") == h5,
        "H5 canonical query (re-encoded from a raw query)")
  check(hw_sign.canonical_query("b&a=&c=1") == "a=&b=&c=1", "key without '=' keeps an empty value")
  check(hw_sign.canonical_uri("/") == "/" and hw_sign.canonical_uri("/a%20b/c~d(e)") == "/a%20b/c~d%28e%29/"
        and hw_sign.canonical_uri("/v1/x/") == "/v1/x/" and hw_sign.canonical_uri("/%e4%b8%80") == "/%E4%B8%80/",
        "canonical URI: decode, re-encode, trailing slash")

  -- The primitives nginx actually uses (libcrypto through LuaJIT's FFI), on H1/H4.
  if (sh("command -v luajit")) ~= "" then
    local script = tmpfile([[
package.path = arg[1] .. "/lua/?.lua;" .. package.path
local s, c = require "emulator.huawei.sign", require "emulator.common.crypto"
local h = { host = "service.endpoint.myhuaweicloud.com", ["x-sdk-date"] = "20200608T023900Z" }
local c1 = s.canonical_request({ method = "GET", path = "/resources", query = "size=1", headers = h,
  signed = { "host", "x-sdk-date" }, payload_hash = c.sha256_hex("") })
local h4 = { ["x-sdk-date"] = "20060102T150405Z" }
local c4 = s.canonical_request({ method = "POST", path = "/path", query = "key=value", headers = h4,
  signed = { "x-sdk-date" }, payload_hash = c.sha256_hex('{"Name":"test","Id":1}\n') })
io.write((s.sign(c1, { sk = "SecretKey", sdk_date = "20200608T023900Z" })), " ",
  (s.sign(c4, { algorithm = "V11-HMAC-SHA256", ak = "AccessKey", sk = "SecretKey", sdk_date = "20060102T150405Z",
               info = "20060102/test-region-1/demo" })))
]])
    local res = sh("luajit " .. q(script) .. " " .. q(emu_dir) .. " 2>&1")
    os.remove(script)
    check(res == "cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842 " ..
          "4112f88b92d82dd1e1b7dd142f1e99e4f1762c42ca8fe0968b3045120870a903",
          "H1 + H4/V11 with the FFI libcrypto primitives (luajit)", res)
  else
    print("skip FFI primitives check (no luajit)")
  end
end

---------------------------------------------------------------- test client
-- The client's own canonicalization (deliberately not the emulator's).
local function unpct(s) return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end)) end

local function split(s, sep)
  local out, start = {}, 1
  while true do
    local i = s:find(sep, start, true)
    if not i then out[#out + 1] = s:sub(start); return out end
    out[#out + 1] = s:sub(start, i - 1)
    start = i + 1
  end
end

local function client_uri(path)
  local segs = split(path, "/")
  for i, s in ipairs(segs) do segs[i] = pct(unpct(s)) end
  local u = table.concat(segs, "/")
  if u:sub(-1) ~= "/" then u = u .. "/" end
  return u
end

local function client_query(raw)
  local kv = {}
  if raw == "" then return "" end
  for _, piece in ipairs(split(raw, "&")) do
    if piece ~= "" then
      local k, v = piece:match("^([^=]*)=(.*)$")
      if not k then k, v = piece, "" end
      if k ~= "" then kv[#kv + 1] = { unpct(k), unpct(v) } end
    end
  end
  table.sort(kv, function(x, y) if x[1] ~= y[1] then return x[1] < y[1] end return x[2] < y[2] end)
  local parts = {}
  for i, p in ipairs(kv) do parts[i] = pct(p[1]) .. "=" .. pct(p[2]) end
  return table.concat(parts, "&")
end

local BASE, HOSTPORT

local function parse_response(hdr, out, code, exit)
  local r = { status = tonumber(code), curl_exit = exit, headers = {}, body = readfile(out) }
  for line in readfile(hdr):gmatch("[^\r\n]+") do
    local k, v = line:match("^([^:]+):%s*(.*)$")
    if k then r.headers[k:lower()] = v end
  end
  local ok, decoded = pcall(cjson.decode, r.body)
  if ok then r.json = decoded end
  return r
end

-- One HTTP request by curl. headers: list of "Name: value".
local function curl_args(method, target, body, headers, hdr, out)
  local cmd = "-s -m 10 -X " .. method .. " -D " .. q(hdr) .. " -o " .. q(out) .. " -w '%{http_code}'"
  for _, h in ipairs(headers or {}) do cmd = cmd .. " -H " .. q(h) end
  local bodyfile
  if body then
    bodyfile = tmpfile(body)
    cmd = cmd .. " --data-binary @" .. q(bodyfile)
  end
  return cmd .. " " .. q(BASE .. target), bodyfile
end

local function http(method, target, body, headers)
  local hdr, out = os.tmpname(), os.tmpname()
  local args, bodyfile = curl_args(method, target, body, headers, hdr, out)
  local code, _, exit = sh("curl " .. args)
  local r = parse_response(hdr, out, code, exit)
  os.remove(hdr); os.remove(out)
  if bodyfile then os.remove(bodyfile) end
  return r
end

local KEYS = { ["hw-ak"] = "hw-sk", ["hw-sts-ak"] = "hw-sts-sk" }

-- Builds the headers of a signed request.
--   opts: ak, sk, v11 = { region, service }, date, extra = { {name, value} },
--         sign_host (default true), content_sha, tamper_sk, unsigned_date
-- Returns headers list, canonical request.
local function sign_headers(method, path, query, body, opts)
  opts = opts or {}
  local ak = opts.ak or "hw-ak"
  local sk = opts.sk or KEYS[ak] or "x"
  local date = opts.date or os.date("!%Y%m%dT%H%M%SZ")
  local hs = { { "x-sdk-date", date } }
  if opts.sign_host ~= false then hs[#hs + 1] = { "host", HOSTPORT } end
  if body then hs[#hs + 1] = { "content-type", "application/json" } end
  for _, e in ipairs(opts.extra or {}) do hs[#hs + 1] = { e[1]:lower(), e[2] } end
  table.sort(hs, function(x, y) return x[1] < y[1] end)
  local names, lines, wire = {}, {}, {}
  for _, h in ipairs(hs) do
    if not (opts.unsigned_date and h[1] == "x-sdk-date") then
      names[#names + 1] = h[1]
      lines[#lines + 1] = h[1] .. ":" .. h[2] .. "\n"
    end
    if h[1] ~= "host" then wire[#wire + 1] = h[1] .. ": " .. h[2] end
  end
  local payload = opts.content_sha or sha256_hex(body or "")
  if opts.content_sha then wire[#wire + 1] = "X-Sdk-Content-Sha256: " .. opts.content_sha end
  local signed = table.concat(names, ";")
  local canonical = method .. "\n" .. client_uri(path) .. "\n" .. client_query(query or "") .. "\n" ..
                    table.concat(lines) .. "\n" .. signed .. "\n" .. payload
  local digest = sha256_hex(canonical)
  local authz
  if opts.v11 then
    local info = (opts.cred_date or date:sub(1, 8)) .. "/" .. opts.v11.region .. "/" .. opts.v11.service
    local key = hex(hmac_sha256(hmac_sha256(ak, sk), info .. "\1"))
    local sig = hex(hmac_sha256(key, "V11-HMAC-SHA256\n" .. date .. "\n" .. info .. "\n" .. digest))
    authz = "V11-HMAC-SHA256 Credential=" .. ak .. "/" .. info .. ", SignedHeaders=" .. signed .. ", Signature=" .. sig
  else
    local sig = hex(hmac_sha256(sk, "SDK-HMAC-SHA256\n" .. date .. "\n" .. digest))
    authz = "SDK-HMAC-SHA256 Access=" .. ak .. ", SignedHeaders=" .. signed .. ", Signature=" .. sig
  end
  wire[#wire + 1] = "Authorization: " .. authz
  return wire, canonical
end

-- Signed request: path without query, query raw (already encoded).
local function signed(method, path, query, body, opts)
  local headers, canonical = sign_headers(method, path, query, body, opts)
  for _, h in ipairs(opts and opts.wire_extra or {}) do headers[#headers + 1] = h end
  local r = http(method, path .. ((query and query ~= "") and ("?" .. query) or ""), body, headers)
  r.canonical = canonical
  return r
end

local function with_token(method, target, token, body, extra)
  local headers = { "X-Auth-Token: " .. token }
  if body then headers[#headers + 1] = "Content-Type: application/json" end
  for _, h in ipairs(extra or {}) do headers[#headers + 1] = h end
  return http(method, target, body, headers)
end

local function token_body(user, password, scope)
  local t = { auth = { identity = { methods = { "password" }, password = { user = {
    name = user, password = password, domain = { name = "demo-domain" } } } } } }
  t.auth.scope = scope
  return cjson.encode(t)
end

local function get_token(scope, user, password)
  local r = http("POST", "/v3/auth/tokens", token_body(user or "demo-user", password or "demo-password",
                 scope == nil and { project = { name = "cn-north-4" } } or scope or nil),
                 { "Content-Type: application/json" })
  return r.headers["x-subject-token"], r
end

local function ecode(r) return r.json and r.json.error_code end
local function emsg(r) return r.json and r.json.error_msg end
local function stats() return http("GET", "/__emulator/stats").json or {} end
local function ctl(path, body) return http("POST", path, body, { "Content-Type: application/json" }) end

local P1 = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"      -- cn-north-4
local P2 = "1b2c3d4e5f60718293a4b5c6d7e8f90a"      -- ap-southeast-1
local SVC = "/v1/" .. P1 .. "/vpc-endpoint-services"
local EPS = "/v1/" .. P1 .. "/vpc-endpoints"

---------------------------------------------------------------- live server
local EMU = emu_dir .. "/emulator"
local prefix = sh("mktemp -d /tmp/cloudapi-emu-hwtest.XXXXXX"):gsub("%s+$", "")
local out, ok = sh(q(EMU) .. " start --prefix " .. q(prefix) .. " 2>&1")
BASE = out:gsub("%s+$", "")
if not (ok and check(BASE:match("^http://127%.0%.0%.1:%d+$"), "start prints the URL", out)) then
  os.exit(1)
end
HOSTPORT = BASE:match("^http://(.*)$")

local function run_live()
  ---------------------------------------------------------------- AK/SK
  local r = signed("GET", SVC, "")
  check(r.status == 200 and r.json and r.json.total_count == 25 and #r.json.endpoint_services == 10,
        "signed GET endpoint services (default limit 10 of 25)", r.body:sub(1, 300))
  check(r.headers["content-type"] == "application/json" and (r.headers["x-request-id"] or ""):match("^%x+$"),
        "JSON content type and X-Request-Id", r.headers["content-type"])
  local first = r.json and r.json.endpoint_services[1] or {}
  check(first.project_id == P1 and first.status == "available" and first.service_type == "interface"
        and first.service_name:match("^cn%-north%-4%..+%." .. first.id:gsub("%-", "%%-") .. "$")
        and type(first.ports) == "table" and first.ports[1].protocol == "TCP", "service object shape",
        cjson.encode(first))
  local pg = signed("GET", SVC, "limit=10&offset=20")
  check(pg.status == 200 and #pg.json.endpoint_services == 5 and pg.json.total_count == 25, "last page has 5",
        pg.body:sub(1, 200))
  local all = signed("GET", SVC, "offset=0&limit=1000")
  local ids, dup = {}, false
  for _, s in ipairs(all.json and all.json.endpoint_services or {}) do
    if ids[s.id] then dup = true end
    ids[s.id] = true
  end
  check(all.status == 200 and #all.json.endpoint_services == 25 and not dup, "limit=1000 returns all 25, distinct ids")
  local bl = signed("GET", SVC, "limit=1001")
  check(bl.status == 400 and ecode(bl) == "EndPoint.0006" and bl.json.request_id, "limit 1001 -> 400 EndPoint.0006",
        bl.body)
  local bl2 = signed("GET", SVC, "limit=abc")
  check(bl2.status == 400 and ecode(bl2) == "EndPoint.0006", "limit abc -> 400", bl2.body)
  local bo = signed("GET", SVC, "offset=-1")
  check(bo.status == 400 and ecode(bo) == "EndPoint.0010", "offset -1 -> 400 EndPoint.0010", bo.body)

  local nohost = signed("GET", SVC, "limit=2", nil, { sign_host = false })
  check(nohost.status == 200 and #nohost.json.endpoint_services == 2, "only x-sdk-date signed (host not signed)",
        nohost.body:sub(1, 200))
  local fancy = signed("GET", SVC, "endpoint_service_name=seed-svc-0%31&flag&z=%E4%B8%80%20%2A~&a=b%2Fc")
  check(fancy.status == 200 and fancy.json.total_count == 1
        and fancy.json.endpoint_services[1].service_name:find("seed-svc-01", 1, true),
        "query with encoded chars, a bare key, UTF-8", fancy.body:sub(1, 300))
  local enc = signed("GET", SVC .. "/no%20such%3Aid", "")
  check(enc.status == 404 and ecode(enc) == "EndPoint.0005",
        "percent-encoded path segment signs and routes (404 unknown id)", enc.body)

  local v11 = signed("GET", SVC, "limit=3", nil, { v11 = { region = "cn-north-4", service = "vpcep" } })
  check(v11.status == 200 and #v11.json.endpoint_services == 3, "V11-HMAC-SHA256 (derived key) accepted",
        v11.body:sub(1, 200))
  local v11bad = signed("GET", SVC, "", nil,
                        { v11 = { region = "cn-north-4", service = "vpcep" }, cred_date = "20000101" })
  check(v11bad.status == 401 and ecode(v11bad) == "APIGW.0301", "V11 credential date != x-sdk-date -> 401", v11bad.body)
  local v11sk = signed("GET", SVC, "", nil, { v11 = { region = "cn-north-4", service = "vpcep" }, sk = "nope" })
  check(v11sk.status == 401 and emsg(v11sk) ==
        "Incorrect IAM authentication information: verify aksk signature fail, canonicalRequest: " .. v11sk.canonical,
        "V11 wrong SK -> 401 with canonical request", v11sk.body)

  local bad = signed("GET", SVC, "limit=5&offset=1", nil, { sk = "wrong" })
  local rid = bad.headers["x-request-id"] or "?"
  check(bad.status == 401
        and bad.body == '{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: ' ..
        'verify aksk signature fail, canonicalRequest: ' .. bad.canonical:gsub("\n", "\\n") ..
        '","request_id":"' .. rid .. '"}',
        "wrong SK -> 401 APIGW.0301, body exactly with the canonical request", bad.body)
  local expired = signed("GET", SVC, "", nil, { date = os.date("!%Y%m%dT%H%M%SZ", os.time() - 16 * 60) })
  check(expired.status == 401 and ecode(expired) == "APIGW.0303"
        and emsg(expired) == "Incorrect IAM authentication information: x-sdk-date expired"
        and expired.json.request_id == expired.headers["x-request-id"], "x-sdk-date 16 min old -> 401 APIGW.0303",
        expired.body)
  local future = signed("GET", SVC, "", nil, { date = os.date("!%Y%m%dT%H%M%SZ", os.time() + 16 * 60) })
  check(future.status == 401 and ecode(future) == "APIGW.0303", "x-sdk-date 16 min ahead -> 401 APIGW.0303",
        future.body)
  local near = signed("GET", SVC, "", nil, { date = os.date("!%Y%m%dT%H%M%SZ", os.time() - 14 * 60) })
  check(near.status == 200, "x-sdk-date 14 min old accepted", near.body:sub(1, 100))
  local malformed = signed("GET", SVC, "", nil, { date = "2020-06-08T02:39:00Z" })
  check(malformed.status == 401 and ecode(malformed) == "APIGW.0301"
        and emsg(malformed):find("YYYYMMDDTHHMMSSZ", 1, true),
        "malformed x-sdk-date -> 401 APIGW.0301", malformed.body)
  local nodate = signed("GET", SVC, "", nil, { unsigned_date = true })
  check(nodate.status == 401 and ecode(nodate) == "APIGW.0301"
        and emsg(nodate):find("x-sdk-date must be one of the SignedHeaders", 1, true),
        "x-sdk-date not signed -> 401 APIGW.0301", nodate.body)
  local unknown = signed("GET", SVC, "", nil, { ak = "who", sk = "x" })
  check(unknown.status == 401 and ecode(unknown) == "APIGW.0301"
        and emsg(unknown):find("unknown access key (AK) 'who'", 1, true),
        "unknown AK -> 401 APIGW.0301", unknown.body)
  local garbled = http("GET", SVC, nil,
                       { "Authorization: SDK-HMAC-SHA256 nonsense", "X-Sdk-Date: " .. os.date("!%Y%m%dT%H%M%SZ") })
  check(garbled.status == 401 and ecode(garbled) == "APIGW.0301", "malformed Authorization -> 401 APIGW.0301",
        garbled.body)
  local none = http("GET", SVC)
  check(none.status == 401 and ecode(none) == "APIGW.0301" and none.headers["x-request-id"], "no credentials -> 401",
        none.body)

  local sts0 = signed("GET", SVC, "", nil, { ak = "hw-sts-ak" })
  check(sts0.status == 401 and ecode(sts0) == "APIGW.0301" and emsg(sts0):find("X-Security-Token", 1, true),
        "STS AK without X-Security-Token -> 401", sts0.body)
  local sts1 = signed("GET", SVC, "", nil, { ak = "hw-sts-ak", extra = { { "X-Security-Token", "other" } } })
  check(sts1.status == 401 and ecode(sts1) == "APIGW.0301", "STS AK with a wrong token -> 401", sts1.body)
  local sts2 = signed("GET", SVC, "", nil, { ak = "hw-sts-ak", extra = { { "X-Security-Token", "hw-sts-token" } } })
  check(sts2.status == 200, "STS AK with its token (signed) -> 200", sts2.body:sub(1, 100))
  local sts3 = signed("GET", SVC, "", nil, { ak = "hw-sts-ak", wire_extra = { "X-Security-Token: hw-sts-token" } })
  check(sts3.status == 200, "STS token need not be signed", sts3.body:sub(1, 100))

  ---------------------------------------------------------------- service lifecycle
  -- Created resources pass through `creating` (selftest_paging.lua checks
  -- that); here they reach their final state at once.
  ctl("/__emulator/lifecycle", '{"seconds":0}')
  local body = '{"vpc_id":"vpc-1","port_id":"port-1","server_type":"VM","service_name":"my-svc",' ..
               '"ports":[{"client_port":8080,"server_port":80,"protocol":"TCP"}],"approval_enabled":false}\n'
  local c = signed("POST", SVC, "", body)
  local svc = c.json or {}
  check(c.status == 200 and type(svc.id) == "string" and svc.service_name == "cn-north-4.my-svc." .. svc.id
        and svc.vpc_id == "vpc-1" and svc.port_id == "port-1" and svc.server_type == "VM" and svc.status == "available"
        and svc.service_type == "interface" and svc.approval_enabled == false and svc.project_id == P1
        and svc.ports[1].client_port == 8080 and svc.created_at:match("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$"),
        "create endpoint service (body with trailing newline)", c.body)
  local g = signed("GET", SVC .. "/" .. svc.id, "")
  check(g.status == 200 and g.json.id == svc.id and g.json.service_name == svc.service_name, "get endpoint service",
        g.body)
  local listed = signed("GET", SVC, "limit=1")
  check(listed.json and listed.json.total_count == 26 and listed.json.endpoint_services[1].id == svc.id,
        "new service listed first, total 26", listed.body:sub(1, 200))
  local u = signed("PUT", SVC .. "/" .. svc.id, "",
                   '{"approval_enabled":true,"service_name":"renamed","description":"hello",' ..
                   '"ports":[{"client_port":9090,"server_port":90,"protocol":"TCP"}]}')
  check(u.status == 200 and u.json.approval_enabled == true and u.json.service_name == "cn-north-4.renamed." .. svc.id
        and u.json.description == "hello" and u.json.ports[1].client_port == 9090, "update endpoint service", u.body)
  local unsigned = signed("POST", SVC, "", body, { content_sha = "UNSIGNED-PAYLOAD" })
  check(unsigned.status == 200 and unsigned.json.id ~= svc.id, "X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD",
        unsigned.body:sub(1, 100))
  local miss = signed("POST", SVC, "", '{"vpc_id":"v","port_id":"p","server_type":"VM"}')
  check(miss.status == 400 and ecode(miss) == "EndPoint.0002" and emsg(miss):find("ports", 1, true)
        and miss.json.request_id,
        "create without ports -> 400 EndPoint.0002", miss.body)
  local miss2 = signed("POST", SVC, "",
                       '{"port_id":"p","server_type":"VM","ports":[{"client_port":1,"server_port":1}]}')
  check(miss2.status == 400 and emsg(miss2):find("vpc_id", 1, true), "create without vpc_id -> 400", miss2.body)
  local badtype = signed("POST", SVC, "",
                         '{"vpc_id":"v","port_id":"p","server_type":"XX","ports":[{"client_port":1,"server_port":1}]}')
  check(badtype.status == 400 and ecode(badtype) == "EndPoint.0002", "bad server_type -> 400", badtype.body)
  local notjson = signed("POST", SVC, "", "vpc_id=v")
  check(notjson.status == 400 and ecode(notjson) == "EndPoint.0002", "non-JSON body -> 400", notjson.body)
  local notjson2 = signed("PUT", SVC .. "/" .. svc.id, "", "{broken")
  check(notjson2.status == 400 and ecode(notjson2) == "EndPoint.0002", "non-JSON PUT body -> 400", notjson2.body)

  ---------------------------------------------------------------- endpoints
  local e0 = signed("GET", EPS, "")
  check(e0.status == 200 and e0.json.total_count == 0 and e0.body:find('"endpoints":[]', 1, true),
        "no endpoints yet ([] not {})", e0.body)
  local ec = signed("POST", EPS, "", '{"endpoint_service_id":"' .. svc.id .. '","vpc_id":"vpc-2","subnet_id":"sub-2"}')
  local ep = ec.json or {}
  check(ec.status == 200 and type(ep.id) == "string" and ep.endpoint_service_id == svc.id and ep.vpc_id == "vpc-2"
        and ep.service_type == "interface" and ep.status == "pendingAcceptance" and ep.ip:match("^10%.0%.%d+%.%d+$")
        and ep.project_id == P1 and ep.created_at, "create endpoint (service needs approval -> pendingAcceptance)",
        ec.body)
  local c2 = signed("POST", SVC, "",
      '{"vpc_id":"v","port_id":"p","server_type":"LB","ports":[{"client_port":1,"server_port":2,"protocol":"TCP"}]}')
  local ec2 = signed("POST", EPS, "",
                     '{"endpoint_service_id":"' .. (c2.json and c2.json.id or "?") .. '","vpc_id":"vpc-3"}')
  check(ec2.status == 200 and ec2.json.status == "accepted" and ec2.json.ip ~= ep.ip
        and (c2.json.service_name or ""):match("^cn%-north%-4%.[%x%-]+$"), "create endpoint without subnet -> accepted",
        ec2.body)
  local el = signed("GET", EPS, "limit=1")
  check(el.status == 200 and el.json.total_count == 2 and #el.json.endpoints == 1
        and el.json.endpoints[1].id == ec2.json.id,
        "list endpoints (newest first, paged)", el.body:sub(1, 200))
  local eg = signed("GET", EPS .. "/" .. ep.id, "")
  check(eg.status == 200 and eg.json.id == ep.id, "get endpoint", eg.body:sub(1, 100))
  local eu = signed("POST", EPS, "", '{"endpoint_service_id":"nope","vpc_id":"v"}')
  check(eu.status == 404 and ecode(eu) == "EndPoint.0005", "endpoint for unknown service -> 404", eu.body)
  local emiss = signed("POST", EPS, "", '{"vpc_id":"v"}')
  check(emiss.status == 400 and ecode(emiss) == "EndPoint.0002", "endpoint without endpoint_service_id -> 400",
        emiss.body)
  local ed = signed("DELETE", EPS .. "/" .. ep.id, "")
  check(ed.status == 204 and ed.body == "" and ed.headers["x-request-id"], "delete endpoint -> 204, no body", ed.body)
  local ed2 = signed("DELETE", EPS .. "/" .. ep.id, "")
  check(ed2.status == 404 and ecode(ed2) == "EndPoint.0005", "delete endpoint twice -> 404", ed2.body)
  local d = signed("DELETE", SVC .. "/" .. svc.id, "")
  check(d.status == 204 and d.body == "" and not d.headers["content-type"], "delete endpoint service -> 204, no body",
        d.body)
  local gd = signed("GET", SVC .. "/" .. svc.id, "")
  check(gd.status == 404 and ecode(gd) == "EndPoint.0005" and gd.json.request_id,
        "deleted service -> 404 EndPoint.0005", gd.body)

  local badp = signed("GET", "/v1/ffffffffffffffffffffffffffffffff/vpc-endpoint-services", "")
  check(badp.status == 400 and ecode(badp) == "EndPoint.0014", "unknown project id -> 400 EndPoint.0014", badp.body)
  local xp = signed("GET", SVC, "", nil, { extra = { { "X-Project-Id", P2 } } })
  check(xp.status == 400 and ecode(xp) == "EndPoint.0014" and emsg(xp):find("X-Project-Id", 1, true),
        "X-Project-Id != path -> 400", xp.body)
  local xp2 = signed("GET", SVC, "limit=1", nil, { extra = { { "X-Project-Id", P1 } } })
  check(xp2.status == 200, "X-Project-Id = path -> 200", xp2.body:sub(1, 100))
  local p2 = signed("GET", "/v1/" .. P2 .. "/vpc-endpoint-services", "limit=1")
  check(p2.status == 200 and p2.json.total_count == 25 and p2.json.endpoint_services[1].project_id == P2,
        "state is per project", p2.body:sub(1, 200))
  local noroute = signed("GET", "/v1/" .. P1 .. "/nothing-here", "")
  check(noroute.status == 404 and ecode(noroute) == "APIGW.0101", "unknown API -> 404 APIGW.0101", noroute.body)
  local nomethod = signed("PATCH", SVC, "", "{}")
  check(nomethod.status == 404 and ecode(nomethod) == "APIGW.0101", "unsupported method -> 404 APIGW.0101",
        nomethod.body)

  ---------------------------------------------------------------- IAM tokens
  local before = stats()
  local tok, tr = get_token()
  check(tr.status == 201 and tok and tok:match("^MIIE%x+$") and tr.headers["x-request-id"],
        "token issued: 201 + X-Subject-Token", tr.body)
  local t = tr.json and tr.json.token or {}
  check(t.methods and t.methods[1] == "password" and t.user.name == "demo-user" and t.user.domain.name == "demo-domain"
        and t.user.domain.id == "d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0" and t.project.name == "cn-north-4"
        and t.project.id == P1
        and t.expires_at:match("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%d%.%d%d%d%d%d%dZ$") and t.issued_at,
        "token body: user, domain, project, timestamps", tr.body)
  local function epoch(iso)
    local y, mo, dd, h, mi, s = iso:match("^(%d+)%-(%d+)%-(%d+)T(%d+):(%d+):(%d+)")
    return os.time({ year = y, month = mo, day = dd, hour = h, min = mi, sec = s, isdst = false })
  end
  local life = epoch(t.expires_at or "") - epoch(t.issued_at or "")
  check(life >= 86399 and life <= 86401, "default token lifetime 24 h", life)
  local use = with_token("GET", SVC .. "?limit=2", tok)
  check(use.status == 200 and #use.json.endpoint_services == 2, "token authenticates a VPCEP call",
        use.body:sub(1, 100))
  local other = with_token("GET", "/v1/" .. P2 .. "/vpc-endpoint-services", tok)
  check(other.status == 403 and ecode(other) == "EndPoint.0004", "project-scoped token on another project -> 403",
        other.body)
  local bogus = with_token("GET", SVC, "MIIEbogus")
  check(bogus.status == 401 and ecode(bogus) == "APIGW.0301"
        and emsg(bogus) == "Incorrect IAM authentication information: token invalid"
        and bogus.json.request_id, "unknown token -> 401 APIGW.0301 token invalid", bogus.body)
  local _, wp = get_token(nil, "demo-user", "wrong")
  check(wp.status == 401
        and wp.body == '{"error":{"code":401,"message":"The username or password is wrong.","title":"Unauthorized"}}'
        and not wp.headers["x-subject-token"], "wrong password -> 401 IAM error body", wp.body)
  local _, wu = get_token(nil, "nobody", "demo-password")
  check(wu.status == 401 and wu.json and wu.json.error.code == 401, "unknown user -> 401", wu.body)
  local mal = http("POST", "/v3/auth/tokens", "{not json", { "Content-Type: application/json" })
  check(mal.status == 400 and mal.json and mal.json.error.code == 400 and mal.json.error.title == "Bad Request"
        and mal.headers["x-request-id"], "malformed token body -> 400 IAM error", mal.body)
  local mal2 = http("POST", "/v3/auth/tokens", '{"auth":{"identity":{"methods":["password"]}}}',
                    { "Content-Type: application/json" })
  check(mal2.status == 400 and mal2.json.error.message:find("password.user", 1, true), "token body without user -> 400",
        mal2.body)
  local _, np = get_token({ project = { name = "nowhere-1" } })
  check(np.status == 400 and np.json and np.json.error.code == 400 and np.json.error.message:find("nowhere-1", 1, true),
        "unknown project name in scope -> 400", np.body)
  local tid, rid2 = get_token({ project = { id = P2 } })
  check(rid2.status == 201 and rid2.json.token.project.name == "ap-southeast-1" and tid ~= tok, "scope by project id",
        rid2.body)
  local tdom, rdom = get_token({ domain = { name = "demo-domain" } })
  check(rdom.status == 201 and rdom.json.token.domain.id == "d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0"
        and not rdom.json.token.project,
        "domain-scoped token", rdom.body)
  local _, rnos = get_token(false)
  check(rnos.status == 201 and not rnos.json.token.project and not rnos.json.token.domain, "unscoped token (no scope)",
        rnos.body)
  local after = stats()
  check(after.iam_tokens - (before.iam_tokens or 0) == 4, "stats: iam_tokens counts issued tokens", after.iam_tokens)

  ---------------------------------------------------------------- projects
  local pr = signed("GET", "/v3/projects", "name=cn-north-4")
  check(pr.status == 200 and #pr.json.projects == 1 and pr.json.projects[1].id == P1
        and pr.json.projects[1].name == "cn-north-4"
        and pr.json.projects[1].domain_id == "d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0" and pr.json.projects[1].enabled == true
        and pr.json.links, "projects?name=cn-north-4 (AK/SK) -> one", pr.body)
  local pn = signed("GET", "/v3/projects", "name=nowhere-9")
  check(pn.status == 200 and pn.body:find('"projects":[]', 1, true), "projects?name=unknown -> empty list", pn.body)
  local pd = with_token("GET", "/v3/projects?name=cn-dup-1", tdom)
  check(pd.status == 200 and #pd.json.projects == 2 and pd.json.projects[1].id ~= pd.json.projects[2].id
        and pd.json.projects[2].name == "cn-dup-1", "projects?name=cn-dup-1 (token) -> two", pd.body)
  local pe = with_token("GET", "/v3/projects?name=eu-west-101", tok)
  check(pe.status == 200 and pe.json.projects[1].id == "2c3d4e5f60718293a4b5c6d7e8f90a1b", "eu-west-101 id", pe.body)
  local pu = http("GET", "/v3/projects?name=cn-north-4")
  check(pu.status == 401 and ecode(pu) == "APIGW.0301", "projects without credentials -> 401", pu.body)
  check(stats().iam_project_lookups - (after.iam_project_lookups or 0) == 4, "stats: iam_project_lookups")

  ---------------------------------------------------------------- token expiry and revocation
  local bad_ctl = ctl("/__emulator/iam", '{"token_ttl":-1}')
  check(bad_ctl.status == 400, "control: negative token_ttl rejected", bad_ctl.body)
  local sc = ctl("/__emulator/iam", '{"token_ttl":1}')
  check(sc.status == 200 and sc.json.token_ttl == 1, "control: token_ttl 1 s", sc.body)
  local short, sr = get_token()
  local sl = epoch(sr.json.token.expires_at) - epoch(sr.json.token.issued_at)
  check(sl >= 0 and sl <= 2, "short-lived token's expires_at", sl)
  local s1 = with_token("GET", SVC .. "?limit=1", short)
  check(s1.status == 200, "short-lived token works at first", s1.body:sub(1, 100))
  sh("sleep 1.3")
  local s2 = with_token("GET", SVC .. "?limit=1", short)
  check(s2.status == 401
        and s2.body == '{"error_code":"APIGW.0307","error_msg":"The token must be updated.","request_id":"' ..
        (s2.headers["x-request-id"] or "?") .. '"}', "expired token -> 401 APIGW.0307", s2.body)
  ctl("/__emulator/iam", '{"token_ttl":86400}')
  local fresh = get_token()
  check(with_token("GET", SVC .. "?limit=1", fresh).status == 200, "fresh token works")
  local rv = ctl("/__emulator/iam", '{"revoke_tokens":true}')
  check(rv.status == 200 and rv.json.tokens_revoked >= 1 and rv.json.tokens_active == 0, "control: revoke_tokens",
        rv.body)
  local r2 = with_token("GET", SVC .. "?limit=1", fresh)
  check(r2.status == 401 and ecode(r2) == "APIGW.0307", "revoked token -> 401 APIGW.0307", r2.body)
  local newer = get_token()
  check(with_token("GET", SVC .. "?limit=1", newer).status == 200, "tokens issued after a revoke work")

  ---------------------------------------------------------------- connections (keep-alive)
  http("POST", "/__emulator/reset")
  -- three signed requests in one curl run (--next reuses the connection)
  local parts, files = {}, {}
  for i = 1, 3 do
    local h, o = os.tmpname(), os.tmpname()
    files[#files + 1] = h; files[#files + 1] = o
    local headers = sign_headers("GET", SVC, "limit=" .. i, nil)
    local args = curl_args("GET", SVC .. "?limit=" .. i, nil, headers, h, o)
    parts[#parts + 1] = args
  end
  local codes = sh("curl " .. table.concat(parts, " --next "))
  for _, f in ipairs(files) do os.remove(f) end
  local st1 = stats()
  check(codes == "200200200" and st1.connections == 1 and st1.huawei_requests == 3,
        "3 requests on one kept-alive connection -> connections 1",
        codes .. " " .. tostring(st1.connections))
  signed("GET", SVC, "limit=1"); signed("GET", SVC, "limit=1")
  check(stats().connections == 3, "two more curl runs -> connections 3", stats().connections)

  ---------------------------------------------------------------- faults, reset
  ctl("/__emulator/faults", '{"kind":"throttle","api":"huawei"}')
  local th = signed("GET", SVC, "limit=1")
  check(th.status == 429 and ecode(th) == "APIGW.0308" and th.json.request_id,
        "huawei throttle fault -> 429 APIGW.0308", th.body)
  ctl("/__emulator/faults", '{"kind":"error","status":503,"code":"SYS.0503","message":"busy","api":"rpc"}')
  local notme = signed("GET", SVC, "limit=1")
  check(notme.status == 200 and stats().faults_pending == 1, "an rpc-only fault leaves Huawei requests alone",
        notme.body:sub(1, 100))
  http("DELETE", "/__emulator/faults")
  ctl("/__emulator/faults", '{"kind":"error","status":500,"code":"SYS.0500","message":"boom"}')
  local f5 = signed("GET", SVC, "limit=1")
  check(f5.status == 500 and ecode(f5) == "SYS.0500" and emsg(f5) == "boom", "error fault in Huawei's flat form",
        f5.body)

  signed("POST", SVC, "", body)
  local st2 = stats()
  check(st2.vpcep_services == 126 and st2.iam_tokens == 0, "stats before reset", cjson.encode(st2))
  local old_tok = newer
  http("POST", "/__emulator/reset")
  local st3 = stats()
  check(st3.vpcep_services == 125 and st3.vpcep_endpoints == 0 and st3.iam_tokens == 0 and st3.iam_project_lookups == 0
        and st3.huawei_requests == 0 and st3.connections == 0 and st3.iam_token_ttl == 86400,
        "reset clears Huawei state", cjson.encode(st3))
  local gone = with_token("GET", SVC, old_tok)
  check(gone.status == 401 and ecode(gone) == "APIGW.0301", "tokens forgotten after reset", gone.body)
  local ic = http("GET", "/__emulator/iam")
  check(ic.status == 200 and ic.json.token_ttl == 86400, "GET /__emulator/iam", ic.body)
end

local okrun, err = pcall(run_live)
check(okrun, "live tests ran without a Lua error", err)

local log = readfile(prefix .. "/error.log")
check(not log:find("%[error%]") and not log:find("%[crit%]"), "no errors in nginx error.log",
      log:match("[^\n]*%[error%][^\n]*"))
local _, stopped = sh(q(EMU) .. " stop --prefix " .. q(prefix) .. " 2>&1")
check(stopped, "emulator stopped")
sh("rm -rf " .. q(prefix))

T.finish()
