-- Credential files: aliyun-cli's config.json (every mode), the shared INI
-- file (every type), Huawei's credentials file; missing, malformed and
-- unknown entries give errors naming the file and profile, never a value;
-- files readable by others give a warning event; region and mode for the CLI.
local cloudapi = require "cloudapi"
local emulator = require "support.emulator"
local fixtures = require "support.fixtures"
local subprocess = require "support.subprocess"

local creds = cloudapi.credentials.aliyun

local function arn_of(p)
  local sts = cloudapi.aliyun.new{ product = "sts", version = "2015-04-01", endpoint = emulator.url, credentials = p }
  local res, err = sts:call("GetCallerIdentity")
  return res and res.Arn, err
end

local ROOT = "acs:ram::" .. emulator.ACCOUNT .. ":"

-- A directory with config.json, credentials (INI) and the OIDC token file.
local function files(mode)
  local dir = fixtures.dir()
  local vars = { EMULATOR = emulator.url }
  fixtures.write(dir, "oidc-token", emulator.OIDC_TOKEN)
  return dir, fixtures.copy(dir, "config.json", nil, vars, mode), fixtures.copy(dir, "credentials.ini", nil, vars, mode)
end

before_each(function() emulator.reset() end)
after_each(function() fixtures.cleanup() end)

describe("aliyun.profile (aliyun-cli config.json)", function()
  local MODES = {
    { "ak", ROOT .. "root" },
    { "sts", ROOT .. "root" },
    { "role", ROOT .. "assumed-role/demo-role/profile-role" },
    { "oidc", ROOT .. "assumed-role/oidc-role/profile-oidc" },
    { "chained", ROOT .. "assumed-role/ci-role/profile-chained" },
  }
  for _, case in ipairs(MODES) do
    it("signs with profile '" .. case[1] .. "'", function()
      local _, config = files()
      assert.are.equal(case[2], arn_of(creds.profile{ file = config, name = case[1] }))
    end)
  end

  it("EcsRamRole asks the metadata address given as an option, never one from the file", function()
    local _, config = files()
    local p = creds.profile{ file = config, name = "ecs", metadata_endpoint = emulator.url }
    assert.are.equal(ROOT .. "assumed-role/EcsDemoRole/i-emulator", arn_of(p))
    assert.are.equal(1, emulator.stats().imds_credentials)
  end)

  it("a RamRoleArn profile's expired_seconds and sts_endpoint reach STS", function()
    local _, config = files()
    local c = assert(creds.profile{ file = config, name = "role" }:get())
    assert.are.equal(1, emulator.stats().sts_assume_role)
    local left = c.expiration - require("cloudapi.core").now()
    assert.is_true(left > 800 and left <= 900, "expired_seconds 900 was not asked for: " .. left)
  end)

  it("uses the file's current profile by default", function()
    local _, config = files()
    local p = creds.profile{ file = config }
    assert.are.equal(ROOT .. "root", arn_of(p))
    assert.are.equal("cloudapi.credentials(aliyun profile ak)", tostring(p))
  end)

  it("tells a profile's region and mode without secrets, and lists the profiles", function()
    local _, config = files()
    assert.are.equal("cn-shanghai", creds.profile{ file = config, name = "role" }:region())
    assert.are.same({ file = config, name = "sts", mode = "StsToken", region = "cn-beijing" },
                    creds.profile{ file = config, name = "sts" }:describe())
    assert.is_nil(creds.profile{ file = config, name = "oidc" }:region())
    local list = assert(creds.profiles{ file = config })
    assert.are.equal("ak", list.current)
    assert.are.same({ name = "ak", mode = "AK", region = "cn-hangzhou" }, list.profiles[1])
    assert.are.equal(10, #list.profiles)
  end)

  local BAD = {
    { "odd", ": profile 'odd' has the unknown mode 'Telepathy' (known: AK, StsToken, RamRoleArn, EcsRamRole, " ..
             "OIDC, ChainableRamRoleArn)" },
    { "half", ": profile 'half' (mode RamRoleArn) has no ram_role_arn" },
    { "nobody", " has no profile named 'nobody'" },
    { "loop-a", ": profile 'loop-b' (mode ChainableRamRoleArn) has a source_profile chain that comes back to " ..
                "'loop-a'" },
  }
  for _, case in ipairs(BAD) do
    it("says what is wrong with profile '" .. case[1] .. "', naming the file", function()
      local _, config = files()
      local _, err = creds.profile{ file = config, name = case[1] }:get()
      assert.are.equal("credentials", err.kind)
      assert.are.equal(config .. case[2], err.message)
    end)
  end

  it("reports a missing file and a malformed one without their content", function()
    local dir = fixtures.dir()
    local _, err = creds.profile{ file = dir .. "/none.json" }:get()
    assert.are.equal(dir .. "/none.json does not exist", err.message)
    local bad = fixtures.copy(dir, "malformed.json")
    _, err = creds.profile{ file = bad }:get()
    assert.are.equal(bad .. ": not valid JSON", err.message)
  end)

  it("warns (and still works) when the file is readable by group or others", function()
    local _, config = files("640")
    local events = {}
    local c = cloudapi.aliyun.new{ product = "ecs", endpoint = emulator.url, credentials = creds.profile{
      file = config }, on_event = function(ev) events[#events + 1] = ev end }
    assert(c:call("DescribeRegions"))
    assert.are.equal(config .. " is readable by group or others (mode 0640): chmod 600 it", events[1].warning)
    assert.are.equal("aliyun ecs", events[1].client)
  end)

  it("reads an INI file given as file=", function()
    local _, _, ini = files()
    assert.are.equal(ROOT .. "root", arn_of(creds.profile{ file = ini }))
  end)
end)

describe("aliyun.ini (the shared credentials file)", function()
  local TYPES = {
    { "default", ROOT .. "root" },
    { "role", ROOT .. "assumed-role/demo-role/ini-role" },
    { "oidc", ROOT .. "assumed-role/oidc-role/ini-oidc" },
  }
  for _, case in ipairs(TYPES) do
    it("signs with section [" .. case[1] .. "]", function()
      local _, _, ini = files()
      assert.are.equal(case[2], arn_of(creds.ini{ file = ini, name = case[1], sts_endpoint = emulator.url }))
    end)
  end

  it("type ecs_ram_role asks the metadata address given as an option", function()
    local _, _, ini = files()
    local p = creds.ini{ file = ini, name = "ecs", metadata_endpoint = emulator.url }
    assert.are.equal(ROOT .. "assumed-role/EcsDemoRole/i-emulator", arn_of(p))
  end)

  local BAD = {
    { "odd", ": section [odd] has the unknown type 'telepathy' (known: access_key, ecs_ram_role, ram_role_arn, " ..
             "oidc_role_arn)" },
    { "half", ": section [half] (type ram_role_arn) has no access_key_secret" },
    { "nobody", " has no section [nobody]" },
  }
  for _, case in ipairs(BAD) do
    it("says what is wrong with section [" .. case[1] .. "], naming the file", function()
      local _, _, ini = files()
      local _, err = creds.ini{ file = ini, name = case[1] }:get()
      assert.are.equal(ini .. case[2], err.message)
    end)
  end

  it("reports a malformed line by its number only", function()
    local dir = fixtures.dir()
    local bad = fixtures.copy(dir, "malformed.ini")
    local _, err = creds.ini{ file = bad }:get()
    assert.are.equal(bad .. ": line 3 is not a [section], key = value or comment", err.message)
    assert.is_falsy(err.message:find("testid", 1, true))
  end)

  it("reads the file ALIBABA_CLOUD_CREDENTIALS_FILE names, section ALIBABA_CLOUD_PROFILE", function()
    local _, _, ini = files()
    local out = subprocess.run({ ALIBABA_CLOUD_CREDENTIALS_FILE = ini, ALIBABA_CLOUD_PROFILE = "role" }, [[
      local p = require("cloudapi").credentials.aliyun.ini{ sts_endpoint = os.getenv("CLOUDAPI_EMULATOR_URL") }
      local d = assert(p:describe())
      local c = assert(p:get())
      io.write(d.name, " ", d.mode, " ", c.access_key_id:sub(1, 7))]])
    assert.are.equal("role ram_role_arn STS.EMU", out)
  end)

  it("reads its file at the first call, not at construction", function()
    local dir = fixtures.dir()
    local path = dir .. "/later.ini"
    local p = creds.ini{ file = path }
    local _, err = p:get()
    assert.are.equal(path .. " does not exist", err.message)
    local q = creds.ini{ file = path } -- made before the file exists
    fixtures.write(dir, "later.ini", "[default]\ntype = access_key\naccess_key_id = testid\n" ..
                   "access_key_secret = testsecret\n")
    assert.are.equal("testid", assert(q:get()).access_key_id)
  end)

  it("ini_profiles{file=} lists the sections, their types and the one ini{} reads, never a value", function()
    local _, _, ini = files()
    local list = assert(creds.ini_profiles{ file = ini })
    assert.are.same({ file = ini, current = "default", profiles = {
      { name = "default", mode = "access_key" }, { name = "ecs", mode = "ecs_ram_role" },
      { name = "half", mode = "ram_role_arn" }, { name = "odd", mode = "telepathy" },
      { name = "oidc", mode = "oidc_role_arn" }, { name = "role", mode = "ram_role_arn" } } }, list)
    assert.are.equal("role", assert(creds.ini_profiles{ file = ini, name = "role" }).current)
    local dir = fixtures.dir()
    local none, err = creds.ini_profiles{ file = dir .. "/nothing" }
    assert.is_nil(none)
    assert.is_true(err.missing)
    assert.are.equal(dir .. "/nothing does not exist", err.message)
    local bad = fixtures.copy(dir, "malformed.ini")
    local _, berr = creds.ini_profiles{ file = bad }
    assert.are.equal(bad .. ": line 3 is not a [section], key = value or comment", berr.message)
  end)
end)

describe("huaweicloud.profile", function()
  local function client(service, region, path, extra)
    local opts = { service = service, region = region, endpoint = emulator.url,
                   credentials = cloudapi.credentials.huaweicloud.profile{ file = path } }
    for k, v in pairs(extra or {}) do opts[k] = v end
    return cloudapi.huaweicloud.new(opts)
  end

  it("reads [basic] for a regional service and adopts its project_id", function()
    local path = fixtures.copy(fixtures.dir(), "huaweicloud.ini")
    local c = client("vpcep", "ap-southeast-1", path)
    local _, err, info = c:get("/v1/{project_id}/vpc-endpoint-services", { query = { limit = 1 } })
    assert.is_nil(err)
    assert.are.equal(200, info.status)
    assert.are.equal(emulator.PROJECTS["ap-southeast-1"], c.project_id)
    assert.are.equal(0, emulator.stats().iam_project_lookups) -- the file gave it
  end)

  it("reads [global] (with its security token) for a global service", function()
    local path = fixtures.copy(fixtures.dir(), "huaweicloud.ini")
    local c = client("iam", nil, path)
    local res, err = c:get("/v3/projects", { query = { name = "cn-north-4" } })
    assert.is_nil(err)
    assert.are.equal(1, #res.projects)
    assert.are.equal("d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0", c.domain_id)
  end)

  it("lends its iam_endpoint to a client given none (prepare: no request)", function()
    local dir = fixtures.dir()
    local path = fixtures.write(dir, "credentials", "[basic]\nak = hw-ak\nsk = hw-sk\nproject_id = p1\n" ..
                                "iam_endpoint = " .. emulator.url .. "\n")
    local c = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4",
                                        credentials = cloudapi.credentials.huaweicloud.profile{ file = path } }
    local req = assert(c:prepare("GET", "/v1/{project_id}/vpc-endpoint-services"))
    assert.are.equal("https://vpcep.cn-north-4.myhuaweicloud.com/v1/p1/vpc-endpoint-services", req.url)
    assert.are.equal(emulator.url, c.iam_url)
    local given = cloudapi.huaweicloud.new{ service = "vpcep", region = "cn-north-4", iam_endpoint = "https://iam.x",
                                            credentials = cloudapi.credentials.huaweicloud.profile{ file = path } }
    assert(given:prepare("GET", "/v1/{project_id}/x"))
    assert.are.equal("https://iam.x", given.iam_url)
  end)

  it("names the file and section of what is missing", function()
    local dir = fixtures.dir()
    local path = fixtures.write(dir, "credentials", "[basic]\nak = hw-ak\n")
    local _, err = cloudapi.credentials.huaweicloud.profile{ file = path }:get({})
    assert.are.equal(path .. ": section [basic] needs ak and sk", err.message)
    _, err = cloudapi.credentials.huaweicloud.profile{ file = path }:get({ global = true })
    assert.are.equal(path .. " has no section [global]", err.message)
  end)

  it("reads the file HUAWEICLOUD_SDK_CREDENTIALS_FILE names", function()
    local dir = fixtures.dir()
    local path = fixtures.write(dir, "hw-creds", "[basic]\nak = hw-ak\nsk = hw-sk\nproject_id = p9\n")
    local out = subprocess.run({ HUAWEICLOUD_SDK_CREDENTIALS_FILE = path }, [[
      local c = assert(require("cloudapi").credentials.huaweicloud.profile{}:get({}))
      io.write(c.ak, " ", c.project_id)]])
    assert.are.equal("hw-ak p9", out)
  end)

  it("profiles{file=} lists the sections and what they hold, never a value of ak, sk or token", function()
    local dir = fixtures.dir()
    local path = fixtures.write(dir, "credentials", "[basic]\nak = hw-ak\nsk = hw-sk\nproject_id = p1\n" ..
                                "[global]\nak = hw-sts-ak\nsk = hw-sts-sk\nsecurity_token = hw-sts-token\n" ..
                                "domain_id = d1\n[old]\nak = hw-ak\n[fed]\nidp_id = idp-1\n")
    local list = assert(cloudapi.credentials.huaweicloud.profiles{ file = path })
    assert.are.same({ file = path, sections = {
      { name = "basic", used_by = "regional services", credential = "AK/SK", project_id = "p1" },
      { name = "fed", used_by = "nothing (not read)", credential = "idp_id (federated identity, not supported)" },
      { name = "global", used_by = "global services", credential = "AK/SK + security token", domain_id = "d1" },
      { name = "old", used_by = "nothing (not read)", credential = "incomplete: needs ak and sk" },
    } }, list)
    local none, err = cloudapi.credentials.huaweicloud.profiles{ file = dir .. "/nothing" }
    assert.is_nil(none)
    assert.is_true(err.missing)
    assert.are.equal(dir .. "/nothing does not exist", err.message)
    local bad = fixtures.write(dir, "bad", "ak = before any section\n")
    local _, berr = cloudapi.credentials.huaweicloud.profiles{ file = bad }
    assert.are.equal(bad .. ": line 1 comes before any [section]", berr.message)
  end)
end)
