-- A server that quotes the request back (the emulator's echo fault) puts
-- signatures, tokens and passwords in its answer: none of them reaches an
-- error, its printed form or an event. And no dump of a client, its
-- provider and its transport included, shows a secret.
local cloudapi = require "cloudapi"
local core = require "cloudapi.core"
local emulator = require "support.emulator"

local KEYS = emulator.KEYS
local PID = emulator.PROJECTS["cn-north-4"]
local SERVICES = "/v1/{project_id}/vpc-endpoint-services"

local function forms(s)
  local once = core.encode(s)
  return { s, once, core.encode(once), (s:gsub('[\\"]', "\\%0")) }
end

-- Every string reachable from v (keys, values, metatables; not upvalues)
-- that shows one of the secrets, as "where: string".
local function leaks(v, secrets, where, seen, found)
  seen, found = seen or {}, found or {}
  if type(v) == "string" then
    for _, s in ipairs(secrets) do
      for _, f in ipairs(forms(s)) do
        if v:find(f, 1, true) then found[#found + 1] = where .. ": " .. v end
      end
    end
  elseif type(v) == "table" and not seen[v] then
    seen[v] = true
    for k, x in pairs(v) do
      leaks(k, secrets, where .. " key", seen, found)
      leaks(x, secrets, where .. "." .. tostring(k), seen, found)
    end
    local mt = getmetatable(v)
    if mt then leaks(mt, secrets, where .. " metatable", seen, found) end
  end
  return found
end

local function shows_none(err, secrets)
  assert.are.same({}, leaks(err, secrets, "err"))
  assert.are.same({}, leaks(tostring(err), secrets, "tostring(err)"))
end

local function aliyun(creds, opts)
  opts = opts or {}
  opts.product, opts.region, opts.endpoint = "ecs", "cn-hangzhou", emulator.url
  opts.credentials, opts.retry = creds, false
  return cloudapi.aliyun.new(opts)
end

local function vpcep(creds, opts)
  opts = opts or {}
  opts.service, opts.region, opts.endpoint = "vpcep", "cn-north-4", emulator.url
  opts.credentials, opts.retry = creds, false
  if creds.ak then opts.project_id = PID end
  return cloudapi.huaweicloud.new(opts)
end

describe("a server quoting the request", function()
  before_each(function() emulator.reset() end)

  it("never shows the Alibaba signature nor the security token, GET or POST, JSON or XML", function()
    for _, method in ipairs({ "GET", "POST" }) do
      for _, format in ipairs({ "JSON", "XML" }) do
        local c = aliyun(KEYS.sts, { method = method, format = format })
        local req = assert(c:prepare("DescribeRegions", { AcceptLanguage = "en" }))
        local sig = (req.body or req.url):match("Signature=([^&]*)")
        sig = sig:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end)
        emulator.fault{ kind = "echo" }
        local _, err = c:send(req)
        assert.are.equal("EchoedRequest", err.code)
        assert.is_truthy(err.message:find("The request was: " .. method .. " /", 1, true), err.message)
        shows_none(err, { sig, "sts-token", "sts-secret" })
        assert.is_truthy(err.message:find("Signature=[REDACTED]", 1, true), err.message)
      end
    end
  end)

  it("never shows a Password parameter in the string to sign a server quotes (encoded once there)", function()
    local c = aliyun({ access_key_id = "testid", access_key_secret = "not-the-secret" })
    local _, err = c:call("DescribeRegions", { Password = "Secr3t!Pw-77" })
    assert.are.equal("SignatureDoesNotMatch", err.code)
    assert.is_truthy(err.message:find("Password%3D[REDACTED]", 1, true), err.message)
    shows_none(err, { "Secr3t!Pw-77" })
    for _, form in ipairs({ "Secr3t%2521Pw", "Secr3t%21Pw", "Secr3t" }) do
      assert.is_nil(tostring(err):find(form, 1, true), form)
    end
  end)

  it("never shows an ACS3 or ROA signature nor the security token (RPC and ROA clients)", function()
    local function roa(signature)
      return cloudapi.aliyun.roa{ product = "cs", region = "cn-hangzhou", endpoint = emulator.url,
                                  credentials = KEYS.sts, retry = false, signature = signature }
    end
    local cases = {
      { aliyun(KEYS.sts, { signature = "ACS3-HMAC-SHA256" }), "DescribeRegions", nil, "rpc",
        "ACS3%-HMAC%-SHA256 Credential=[^,]+,SignedHeaders=[^,]+,Signature=(%x+)" },
      { roa("acs"), "GET", "/clusters", "roa", "acs sts%-ak:([%w+/=]+)" },
      { roa("ACS3-HMAC-SHA256"), "GET", "/clusters", "roa",
        "ACS3%-HMAC%-SHA256 Credential=[^,]+,SignedHeaders=[^,]+,Signature=(%x+)" },
    }
    for i, case in ipairs(cases) do
      local c, a1, a2, api, pattern = case[1], case[2], case[3], case[4], case[5]
      local events = {}
      c.on_event = function(ev) events[#events + 1] = ev end
      local req = a2 and assert(c:prepare(a1, a2, { action = "DescribeClusters" })) or assert(c:prepare(a1))
      local sig = req.headers.Authorization:match("^" .. pattern .. "$")
      assert.is_truthy(sig, "case " .. i .. ": " .. req.headers.Authorization)
      emulator.fault{ kind = "echo", api = api }
      local _, err = c:send(req)
      assert.are.equal("EchoedRequest", err.code, "case " .. i)
      -- the quote is there, the secrets are not
      assert.is_truthy(err.message:find("Authorization: ", 1, true), err.message)
      assert.is_truthy(err.message:find("x-acs-security-token: [REDACTED]", 1, true) or
                       err.message:find("X-Acs-Security-Token: [REDACTED]", 1, true), err.message)
      shows_none(err, { sig, "sts-token", "sts-secret" })
      assert.are.same({}, leaks(events, { sig, "sts-token", "sts-secret" }, "events"))
    end
  end)

  it("never shows the Huawei signature nor the security token", function()
    local events = {}
    local c = vpcep(KEYS.hw_sts, { on_event = function(ev) events[#events + 1] = ev end })
    local req = assert(c:prepare("GET", SERVICES, { query = { limit = 1 } }))
    local sig = req.headers.Authorization:match("Signature=(%x+)")
    emulator.fault{ kind = "echo", api = "huawei" }
    local _, err = c:send(req)
    assert.are.equal("EchoedRequest", err.code)
    assert.is_truthy(err.message:find("Authorization: SDK-HMAC-SHA256 Access=hw-sts-ak", 1, true), err.message)
    shows_none(err, { sig, "hw-sts-token", "hw-sts-sk" })
    assert.are.same({}, leaks(events, { sig, "hw-sts-token" }, "events"))
  end)

  it("never shows the IAM password, even one that JSON escapes, nor the token", function()
    local password = 'pa"ss\\word-77'
    local c = vpcep({ username = "demo-user", password = password, domain = "demo-domain" })
    emulator.fault{ kind = "echo", api = "huawei" } -- the token request
    local _, err = c:get(SERVICES)
    assert.are.equal("credentials", err.kind)
    assert.is_truthy(err.message:find("POST /v3/auth/tokens HTTP/1.1", 1, true), err.message)
    assert.is_truthy(err.message:find('"password":"[REDACTED]"', 1, true), err.message)
    shows_none(err, { password })
    -- the raw form: a text/plain quote, cut to an excerpt after redaction
    emulator.fault{ kind = "echo", api = "huawei", raw = true, status = 502 }
    _, err = c:get(SERVICES)
    shows_none(err, { password })

    local user = vpcep(KEYS.hw_user)
    assert(user:get(SERVICES, { query = { limit = 1 } }))
    local token = assert(user:prepare("GET", SERVICES)).headers["X-Auth-Token"]
    emulator.fault{ kind = "echo", api = "huawei" } -- a request carrying X-Auth-Token
    local _, terr = user:get(SERVICES)
    assert.is_truthy(terr.message:find("X-Auth-Token: [REDACTED]", 1, true), terr.message)
    shows_none(terr, { "demo-password", token })
  end)

  it("never shows the new values of credentials rotated in place", function()
    local creds = { access_key_id = "sts-ak", access_key_secret = "sts-secret", security_token = "sts-token" }
    local c = aliyun(function() return creds end)
    assert(c:call("DescribeRegions"))
    creds.security_token = "rotated-in-place-token-31"
    creds.access_key_secret = "rotated-in-place-secret-31"
    emulator.fault{ kind = "echo" }
    local _, err = c:call("DescribeRegions")
    assert.are.equal("EchoedRequest", err.code)
    shows_none(err, { "rotated-in-place-token-31", "sts-token" })
  end)
end)

describe("a dump of a client", function()
  before_each(function() emulator.reset() end)

  local function dumped_clean(c, secrets)
    assert.are.same({}, leaks(c, secrets, "client"))
  end

  it("shows no Alibaba secret: static keys, STS token, after calls", function()
    local c = aliyun(KEYS.sts)
    assert(c:call("DescribeRegions"))
    assert(c:call("DescribeRegions", { AcceptLanguage = "en" }))
    dumped_clean(c, { "sts-secret", "sts-token" })
    local post = aliyun(KEYS.sts, { method = "POST" })
    assert(post:call("DescribeRegions"))
    dumped_clean(post, { "sts-secret", "sts-token" })
  end)

  it("shows no source key of an assumed role given as a table", function()
    local role = cloudapi.credentials.aliyun.assume_role{ source = KEYS.sts, role_arn = emulator.ROLE,
                                                          endpoint = emulator.url }
    local c = aliyun(role)
    assert(c:call("DescribeRegions"))
    dumped_clean(c, { "sts-secret", "sts-token" })
  end)

  it("shows no Huawei SK, token, password or IAM token", function()
    local c = vpcep(KEYS.hw_sts)
    assert(c:get(SERVICES, { query = { limit = 1 } }))
    dumped_clean(c, { "hw-sts-sk", "hw-sts-token" })
    local user = vpcep(KEYS.hw_user)
    assert(user:get(SERVICES, { query = { limit = 1 } }))
    assert(user:get(SERVICES, { query = { limit = 2 } }))
    -- the IAM token it got: what a prepared request carries
    local token = assert(user:prepare("GET", SERVICES)).headers["X-Auth-Token"]
    assert.is_string(token)
    dumped_clean(user, { "demo-password", token })
  end)
end)
