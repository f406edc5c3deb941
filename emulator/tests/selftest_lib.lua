-- Shared helpers for the emulator's self-tests (selftest.lua,
-- selftest_huawei.lua, selftest_faults.lua). Independent
-- of the project's code and of the emulator's signers: requests are signed
-- with this file's own encoders + `openssl dgst`, HTTP goes through curl.
--   local T = dofile(here .. "/selftest_lib.lua")

local cjson = require "cjson"

local T = {}

---------------------------------------------------------------- checks
T.failures, T.checks = 0, 0
function T.check(cond, what, detail)
  T.checks = T.checks + 1
  if cond then
    print("ok   " .. what)
  else
    T.failures = T.failures + 1
    print("FAIL " .. what .. (detail ~= nil and ("\n     " .. tostring(detail)) or ""))
  end
  return cond
end

function T.finish()
  print(string.format("\n%d checks, %d failed", T.checks, T.failures))
  os.exit(T.failures == 0 and 0 or 1)
end

---------------------------------------------------------------- shell
function T.q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end
local q = T.q

function T.sh(cmd)
  local p = assert(io.popen(cmd, "r"))
  local out = p:read("a")
  local ok, _, code = p:close()
  return out, ok, code
end
local sh = T.sh

function T.tmpfile(content)
  local name = os.tmpname()
  local f = assert(io.open(name, "wb"))
  f:write(content or "")
  f:close()
  return name
end

function T.readfile(name)
  local f = io.open(name, "rb")
  if not f then return "" end
  local s = f:read("a")
  f:close()
  return s
end

-- Wall clock with sub-second resolution.
function T.now() return tonumber((sh("date +%s.%N"))) end

function T.sleep(s) sh("sleep " .. s) end

function T.hex(raw)
  return (raw:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
function T.base64(s)
  return ((s:gsub(".", function(c)
    local b, r = c:byte(), ""
    for i = 8, 1, -1 do r = r .. (b % 2 ^ i - b % 2 ^ (i - 1) > 0 and "1" or "0") end
    return r
  end) .. "0000"):gsub("%d%d%d?%d?%d?%d?", function(x)
    if #x < 6 then return "" end
    local c = 0
    for i = 1, 6 do c = c + (x:sub(i, i) == "1" and 2 ^ (6 - i) or 0) end
    return B64:sub(c + 1, c + 1)
  end) .. ({ "", "==", "=" })[#s % 3 + 1])
end

function T.hmac_sha1(key, msg)
  local f = T.tmpfile(msg)
  local out = sh("openssl dgst -sha1 -binary -hmac " .. q(key) .. " < " .. q(f))
  os.remove(f)
  return out
end

function T.hmac_sha256(key, msg)
  local f = T.tmpfile(msg)
  local out = sh("openssl dgst -sha256 -binary -mac HMAC -macopt hexkey:" .. T.hex(key) .. " < " .. q(f))
  os.remove(f)
  return out
end

function T.sha256_hex(data)
  local f = T.tmpfile(data)
  local out = sh("openssl dgst -sha256 -r < " .. q(f))
  os.remove(f)
  return out:match("^(%x+)")
end

-- RFC 3986 percent-encoding (unreserved characters kept).
function T.pct(s)
  local out = {}
  for i = 1, #s do
    local c = s:sub(i, i)
    if c:match("[%w%-%._~]") then out[#out + 1] = c
    else out[#out + 1] = string.format("%%%02X", c:byte()) end
  end
  return table.concat(out)
end

-- "Sun, 06 Nov 1994 08:49:37 GMT" -> epoch seconds, or nil.
local MONTHS = { Jan = 1, Feb = 2, Mar = 3, Apr = 4, May = 5, Jun = 6,
                 Jul = 7, Aug = 8, Sep = 9, Oct = 10, Nov = 11, Dec = 12 }
function T.http_date(s)
  if type(s) ~= "string" then return nil end
  local d, mon, y, h, mi, se = s:match("^%a%a%a, (%d%d) (%a%a%a) (%d%d%d%d) (%d%d):(%d%d):(%d%d) GMT$")
  local m = MONTHS[mon or ""]
  if not m then return nil end
  y, m, d = tonumber(y), m, tonumber(d)
  -- days from civil (proleptic Gregorian)
  if m <= 2 then y = y - 1 end
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local doy = (153 * (m + (m > 2 and -3 or 9)) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  local days = era * 146097 + doe - 719468
  return days * 86400 + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(se)
end

---------------------------------------------------------------- emulator
T.BASE = nil

function T.start(emu, tag)
  local prefix = sh("mktemp -d /tmp/cloudapi-emu-" .. (tag or "selftest") .. ".XXXXXX"):gsub("%s+$", "")
  local out, ok = sh(q(emu) .. " start --prefix " .. q(prefix) .. " 2>&1")
  local base = out:gsub("%s+$", "")
  if not (ok and T.check(base:match("^http://127%.0%.0%.1:%d+$"), "start prints the URL", out)) then
    os.exit(1)
  end
  T.BASE, T.HOSTPORT = base, base:match("^http://(.*)$")
  return prefix, base
end

-- conclude(emu, prefix, run): run the live checks, check nginx logged no
-- error, stop the emulator, print the summary.
function T.conclude(emu, prefix, run)
  local okrun, err = pcall(run)
  T.check(okrun, "live tests ran without a Lua error", err)
  local errlog = T.readfile(prefix .. "/error.log")
  T.check(not errlog:find("%[error%]") and not errlog:find("%[crit%]"), "no errors in nginx error.log",
          errlog:match("[^\n]*%[error%][^\n]*"))
  T.stop(emu, prefix)
  T.finish()
end

function T.stop(emu, prefix)
  local _, stopped = sh(q(emu) .. " stop --prefix " .. q(prefix) .. " 2>&1")
  T.check(stopped, "emulator stopped")
  sh("rm -rf " .. q(prefix))
end

-- Runs live(), checks nginx's error log, stops the emulator and exits with
-- the verdict.
function T.run(live, emu, prefix)
  local ok, err = pcall(live)
  T.check(ok, "live tests ran without a Lua error", err)
  local errlog = T.readfile(prefix .. "/error.log")
  T.check(not errlog:find("%[error%]") and not errlog:find("%[crit%]"), "no errors in nginx error.log",
          errlog:match("[^\n]*%[error%][^\n]*"))
  T.stop(emu, prefix)
  T.finish()
end

---------------------------------------------------------------- HTTP
local function parse_response(hdr, out, code, exit)
  local r = { status = tonumber(code), curl_exit = exit, headers = {}, body = T.readfile(out) }
  for line in T.readfile(hdr):gmatch("[^\r\n]+") do
    local k, v = line:match("^([^:]+):%s*(.*)$")
    if k then r.headers[k:lower()] = v end
  end
  local ok, decoded = pcall(cjson.decode, r.body)
  if ok then r.json = decoded end
  return r
end

-- opts: headers (list of "Name: value"), max_time (seconds, default 10)
local function curl_cmd(method, target, body, opts, hdr, out)
  opts = opts or {}
  local cmd = "curl -s -m " .. (opts.max_time or 10) .. " -X " .. method .. " -D " .. q(hdr) .. " -o " .. q(out) ..
              " -w '%{http_code}'"
  for _, h in ipairs(opts.headers or {}) do cmd = cmd .. " -H " .. q(h) end
  local bodyfile
  if body then
    bodyfile = T.tmpfile(body)
    cmd = cmd .. " --data-binary @" .. q(bodyfile)
  end
  return cmd .. " " .. q(T.BASE .. target), bodyfile
end

-- One request. Returns { status, curl_exit, headers (lowercase), body, json, elapsed }.
function T.http(method, target, body, opts)
  local hdr, out = os.tmpname(), os.tmpname()
  local cmd, bodyfile = curl_cmd(method, target, body, opts, hdr, out)
  local t0 = T.now()
  local code, _, exit = sh(cmd)
  local r = parse_response(hdr, out, code, exit)
  r.elapsed = T.now() - t0
  os.remove(hdr); os.remove(out)
  if bodyfile then os.remove(bodyfile) end
  return r
end

-- The same in the background: returns a handle; T.wait(handle) -> response.
function T.http_bg(method, target, body, opts)
  local h = { hdr = os.tmpname(), out = os.tmpname(), code = os.tmpname(), done = os.tmpname() }
  local cmd
  cmd, h.bodyfile = curl_cmd(method, target, body, opts, h.hdr, h.out)
  h.t0 = T.now()
  sh("( " .. cmd .. " > " .. q(h.code) .. "; echo $? > " .. q(h.done) .. " ) >/dev/null 2>&1 &")
  return h
end

function T.wait(h, limit)
  local deadline = T.now() + (limit or 30)
  while T.readfile(h.done) == "" and T.now() < deadline do T.sleep(0.05) end
  local elapsed = T.now() - h.t0
  local r = parse_response(h.hdr, h.out, T.readfile(h.code), tonumber((T.readfile(h.done):match("%d+"))))
  r.elapsed = elapsed
  for _, f in ipairs({ h.hdr, h.out, h.code, h.done, h.bodyfile }) do os.remove(f) end
  return r
end

function T.ctl(method, path, body)
  return T.http(method, "/__emulator/" .. path, body,
                body and { headers = { "Content-Type: application/json" } } or nil)
end
function T.stats() return T.ctl("GET", "stats").json or {} end
function T.fault(json) return T.ctl("POST", "faults", json) end
function T.requests(since)
  local r = T.ctl("GET", "requests" .. (since and ("?since=" .. since) or ""))
  return (r.json or {}).requests or {}
end

---------------------------------------------------------------- Alibaba RPC
T.ECS, T.VPC = "2014-05-26", "2016-04-28"
T.RPC_SECRETS = { testid = "testsecret", ["demo-ak"] = "demo-secret", ["sts-ak"] = "sts-secret" }

function T.rpc_sign(method, params, secret)
  local keys = {}
  for k in pairs(params) do keys[#keys + 1] = k end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = T.pct(k) .. "=" .. T.pct(params[k]) end
  local query = table.concat(parts, "&")
  local sts = method .. "&%2F&" .. T.pct(query)
  local sig = T.base64(T.hmac_sha1(secret .. "&", sts))
  return query .. "&Signature=" .. T.pct(sig), sts
end

local nonce_seq = 0
function T.rpc_params(action, version, extra)
  nonce_seq = nonce_seq + 1
  local p = {
    Action = action, Version = version, AccessKeyId = "testid",
    SignatureMethod = "HMAC-SHA1", SignatureVersion = "1.0", Format = "JSON",
    SignatureNonce = string.format("selftest-%d-%d-%d", os.time(), math.random(1e9), nonce_seq),
    Timestamp = os.date("!%Y-%m-%dT%H:%M:%SZ"),
  }
  for k, v in pairs(extra or {}) do p[k] = v end
  return p
end

-- Signed GET; opts: params (prebuilt), max_time, bg (background: returns handle).
function T.rpc(action, version, extra, opts)
  opts = opts or {}
  local p = opts.params or T.rpc_params(action, version, extra)
  local query = T.rpc_sign("GET", p, T.RPC_SECRETS[p.AccessKeyId])
  if opts.bg then
    local h = T.http_bg("GET", "/?" .. query, nil, opts)
    h.params = p
    return h
  end
  local r = T.http("GET", "/?" .. query, nil, opts)
  r.params = p
  return r
end

---------------------------------------------------------------- Huawei REST (SDK-HMAC-SHA256)
function T.hw_sign_headers(method, path, query, body, ak, sk)
  local date = os.date("!%Y%m%dT%H%M%SZ")
  local hs = { { "host", T.HOSTPORT }, { "x-sdk-date", date } }
  if body then hs[#hs + 1] = { "content-type", "application/json" } end
  table.sort(hs, function(x, y) return x[1] < y[1] end)
  local names, lines, wire = {}, {}, {}
  for _, h in ipairs(hs) do
    names[#names + 1] = h[1]
    lines[#lines + 1] = h[1] .. ":" .. h[2] .. "\n"
    if h[1] ~= "host" then wire[#wire + 1] = h[1] .. ": " .. h[2] end
  end
  local uri = path:gsub("[^/]+", function(seg) return T.pct(seg) end)
  if uri:sub(-1) ~= "/" then uri = uri .. "/" end
  -- query: only simple already-encoded k=v pairs, sorted
  local kv = {}
  for piece in (query or ""):gmatch("[^&]+") do kv[#kv + 1] = piece end
  table.sort(kv)
  local signed = table.concat(names, ";")
  local canonical = method .. "\n" .. uri .. "\n" .. table.concat(kv, "&") .. "\n" ..
                    table.concat(lines) .. "\n" .. signed .. "\n" .. T.sha256_hex(body or "")
  local sig = T.hex(T.hmac_sha256(sk, "SDK-HMAC-SHA256\n" .. date .. "\n" .. T.sha256_hex(canonical)))
  wire[#wire + 1] = "Authorization: SDK-HMAC-SHA256 Access=" .. ak .. ", SignedHeaders=" .. signed ..
                    ", Signature=" .. sig
  return wire, date
end

-- Signed request with hw-ak/hw-sk; opts: max_time, bg.
function T.hw(method, path, query, body, opts)
  opts = opts or {}
  local headers, date = T.hw_sign_headers(method, path, query, body, "hw-ak", "hw-sk")
  local o = { headers = headers, max_time = opts.max_time }
  local target = path .. ((query and query ~= "") and ("?" .. query) or "")
  local r
  if opts.bg then r = T.http_bg(method, target, body, o) else r = T.http(method, target, body, o) end
  r.sdk_date = date
  return r
end

T.P1 = "0a1b2c3d4e5f60718293a4b5c6d7e8f9" -- cn-north-4
T.SVC = "/v1/" .. T.P1 .. "/vpc-endpoint-services"

return T
