-- Constructor option checks shared by the clients. A wrong option is
-- programmer misuse, so these raise (error()) with the option's name.
local url = require "cloudapi.url"
local errors = require "cloudapi.errors"

local M = {}

-- The Alibaba SLA: an answer within 30 s, network time excluded; read waits
-- longer. Both clouds share the defaults.
M.DEFAULT_TIMEOUT = { connect = 10, read = 60 }

-- Gateways refuse longer request lines (Alibaba POST carries any size).
M.MAX_URL = 32 * 1024

-- checker("cloudapi.aliyun.new") -> argcheck(cond, msg); raises at the
-- caller of the constructor.
function M.checker(prefix)
  return function(cond, msg)
    if not cond then error(prefix .. ": " .. msg, 3) end
  end
end

-- timeout(t, defaults, argcheck) -> {connect=, read=}
function M.timeout(t, defaults, argcheck)
  t = t or {}
  argcheck(type(t) == "table", "timeout must be a table {connect=, read=}")
  for k in pairs(t) do
    argcheck(k == "connect" or k == "read",
             "timeout has no field '" .. tostring(k) .. "' (it takes connect and read; " ..
             "a whole call is bounded by its deadline)")
  end
  local out = {}
  for _, k in ipairs({ "connect", "read" }) do
    local v = t[k]
    argcheck(v == nil or (type(v) == "number" and v > 0 and v < 1e6),
             "timeout." .. k .. " must be a positive number of seconds (less than 1e6), got " .. errors.show(v))
    out[k] = v or defaults[k]
  end
  return out
end

-- transport(spec, tls, argcheck) -> transport object. nil chooses: inside
-- OpenResty the cosocket transport (libcurl would block the worker),
-- elsewhere curl; "curl" or "ngx" forces one. tls = {cainfo=, capath=,
-- verify=} configures the curl transport ({verify=} the ngx one).
function M.transport(spec, tls, argcheck)
  argcheck(tls == nil or type(tls) == "table", "tls must be a table {cainfo=, capath=, verify=}")
  if tls then
    for _, k in ipairs({ "cainfo", "capath" }) do
      argcheck(tls[k] == nil or type(tls[k]) == "string", "tls." .. k .. " must be a path string")
    end
    argcheck(tls.verify == nil or type(tls.verify) == "boolean", "tls.verify must be a boolean")
  end
  if spec == "ngx" or (spec == nil and require("cloudapi.transport.ngx").in_nginx()) then
    argcheck(tls == nil or (tls.cainfo == nil and tls.capath == nil),
             "inside nginx, trust comes from lua_ssl_trusted_certificate: tls takes only verify")
    return require("cloudapi.transport.ngx").new(tls and { verify = tls.verify ~= false })
  end
  if spec == nil or spec == "curl" then
    return require("cloudapi.transport.curl").new(tls and {
      cainfo = tls.cainfo, capath = tls.capath, verify = tls.verify ~= false })
  end
  argcheck(tls == nil, "tls applies to the curl transport only")
  argcheck(type(spec) == "table" and type(spec.send) == "function",
           "transport must be \"curl\", \"ngx\" or an object with :send(req)")
  return spec
end

local function raiser(cond, msg) if not cond then error(msg, 0) end end

-- call(client, opts) -> policy, timeout | nil, nil, reason
-- Per-call overrides of a client's retry policy and timeouts: opts.retry
-- (false or a table), opts.deadline (seconds for the whole call),
-- opts.timeout ({connect=, read=}).
function M.call(client, opts)
  if opts == nil then return client.retry, client.timeout end
  if type(opts) ~= "table" then return nil, nil, "call options must be a table, got a " .. type(opts) end
  local retry = require "cloudapi.retry"
  local p, why = retry.policy(opts.retry, client.retry)
  if p == nil then return nil, nil, why end
  local deadline = opts.deadline
  if deadline ~= nil then
    local ok
    ok, why = retry.check_seconds(deadline, "deadline", false)
    if not ok then return nil, nil, why end
    p = retry.with_deadline(p, deadline)
  end
  local timeout = client.timeout
  if opts.timeout ~= nil then
    local ok, t = pcall(M.timeout, opts.timeout, client.timeout, raiser)
    if not ok then return nil, nil, t end
    timeout = t
  end
  return p, timeout
end

-- bad_nonce(v) -> nil, or why v cannot be prepare's nonce (a header value
-- under the header-signed families, so no control characters)
function M.bad_nonce(v)
  if type(v) ~= "string" or v == "" or v:find("%c") then
    return "nonce must be a non-empty string without control characters"
  end
end

-- url(spec, default_host, argcheck) -> parsed endpoint URL
function M.url(spec, default_host, argcheck)
  if spec == nil then return assert(url.parse("https://" .. default_host)) end
  local u, why = url.parse(spec)
  argcheck(u, tostring(why))
  return u
end

return M
