-- The cloudapi command with credential profiles, end to end against the
-- emulator: --profile NAME (aliyun-cli's ~/.aliyun/config.json) for each
-- mode the emulator can serve (AK, StsToken, RamRoleArn, OIDC and
-- ChainableRamRoleArn through its STS), the profile's region, the default
-- chain and the current profile's region without --profile, Huawei's
-- --profile default, `cloudapi configure list`, and the errors. HOME is a
-- fresh directory of fixture files (spec/fixtures/credentials/) per test.
local emulator = require "support.emulator"
local fixtures = require "support.fixtures"
local support_cli = require "support.cli"

local cli, join = support_cli.run, support_cli.join
local VERSION = require("cloudapi").VERSION
local SINGAPORE = emulator.PROJECTS["ap-southeast-1"] -- the [basic] section's project_id

-- home() -> a HOME holding both clouds' fixture files (and the OIDC token file)
local function home()
  local dir = fixtures.dir()
  fixtures.write(dir, "oidc-token", emulator.OIDC_TOKEN)
  fixtures.copy(dir, "config.json", ".aliyun/config.json", { EMULATOR = emulator.url })
  fixtures.copy(dir, "huaweicloud.ini", ".huaweicloud/credentials")
  return dir
end

local function ecs(...)
  return join({ "ecs" }, { ... }, { "--endpoint", emulator.url })
end

local function hw(...)
  return join({ "huaweicloud", "vpcep", "GET", "/v1/{project_id}/vpc-endpoint-services" }, { ... },
              { "--endpoint", emulator.url, "--region", "ap-southeast-1" })
end

-- What a temporary key of the emulator's STS looks like (secret: 32 hex
-- digits, token CAIS...): never in what the command prints.
local function no_temporary_secret(text)
  local plain = text:gsub("SignatureNonce=%x+", ""):gsub("nonce: %x+", "")
  assert.is_nil(plain:find("CAIS", 1, true), text)
  assert.is_nil(plain:find(string.rep("%x", 32)), text)
end

local function shape(out)
  return (out:gsub("SignatureNonce=%x+", "SignatureNonce=N")
             :gsub("Timestamp=[%dT%-]+%%3A%d%d%%3A%d%dZ", "Timestamp=T"))
end

describe("cloudapi --profile", function()
  before_each(function() emulator.reset() end)
  after_each(function() fixtures.cleanup() end)

  it("uses the profile's credentials, not the environment's, and its region unless --region", function()
    local env = { HOME = home(), ALIBABA_CLOUD_ACCESS_KEY_SECRET = "cli-wrong-secret-7" }
    local out, err, rc = cli(ecs("DescribeInstances", "--profile", "ak", "--query", "TotalCount"), env)
    assert.are.same({ "300\n", "", 0 }, { out, err, rc }) -- cn-hangzhou
    assert.are.equal("0\n", (cli(ecs("DescribeInstances", "--profile", "sts", "--query", "TotalCount"), env)))
    assert.are.equal("25\n", (cli(ecs("DescribeInstances", "--profile", "sts", "--region", "eu-west-1", "--query",
                                      "TotalCount"), env)))
    local log = emulator.requests{ action = "DescribeInstances" }
    assert.are.same({ 200, 200, 200 }, { log[1].status, log[2].status, log[3].status })
  end)

  it("--dryrun with a profile: its key id and region, the token and signature redacted", function()
    local out, err, rc = cli(ecs("DescribeRegions", "--profile", "sts", "--dryrun"), { HOME = home() })
    assert.are.same({ "", 0 }, { err, rc })
    assert.are.equal("GET " .. emulator.url .. "/?AccessKeyId=sts-ak&Action=DescribeRegions&Format=JSON" ..
      "&RegionId=cn-beijing&SecurityToken=[REDACTED]&SignatureMethod=HMAC-SHA1&SignatureNonce=N" ..
      "&SignatureVersion=1.0&Timestamp=T&Version=2014-05-26&Signature=[REDACTED]\nUser-Agent: cloudapi-lua/" ..
      VERSION .. "\n", shape(out))
    assert.are.equal(0, #emulator.requests())
  end)

  it("serves every mode the emulator can: AK, StsToken, RamRoleArn, OIDC, ChainableRamRoleArn", function()
    local env = { HOME = home(), ALIBABA_CLOUD_ACCESS_KEY_ID = false, ALIBABA_CLOUD_ACCESS_KEY_SECRET = false }
    for _, name in ipairs({ "ak", "sts", "role", "oidc", "chained" }) do
      local out, err, rc = cli(ecs("DescribeInstances", "--profile", name, "--region", "cn-hangzhou", "--PageSize",
                                   "1", "--query", "TotalCount", "--debug"), env)
      assert.are.equal(0, rc, name .. ": " .. err)
      assert.are.equal("300\n", out, name)
      assert.is_truthy(err:find("debug: credentials cloudapi.credentials(aliyun profile " .. name .. ")", 1, true), err)
      no_temporary_secret(err)
    end
    assert.are.equal(3, #emulator.requests{ action = "AssumeRole", status = 200 }) -- role; chained: its source, its own
    assert.are.equal(1, #emulator.requests{ action = "AssumeRoleWithOIDC", status = 200 })
    local dry = cli(ecs("DescribeRegions", "--profile", "role", "--dryrun"), env)
    assert.is_truthy(dry:find("^GET [^\n]+/%?AccessKeyId=STS%.EMU%d+%x+&Action=DescribeRegions&Format=JSON" ..
                              "&RegionId=cn%-shanghai&SecurityToken=%[REDACTED%]&"), dry)
    no_temporary_secret(dry)
  end)

  it("an EcsRamRole profile meets ALIBABA_CLOUD_ECS_METADATA_DISABLED=true before any request", function()
    local env = { HOME = home(), ALIBABA_CLOUD_ACCESS_KEY_ID = false, ALIBABA_CLOUD_ACCESS_KEY_SECRET = false,
                  ALIBABA_CLOUD_ECS_METADATA_DISABLED = "true" }
    local out, err, rc = cli(ecs("DescribeRegions", "--profile", "ecs"), env)
    assert.are.same({ "", 2 }, { out, rc })
    assert.are.equal("cloudapi: credentials error: IMDS credentials is disabled " ..
                     "(ALIBABA_CLOUD_ECS_METADATA_DISABLED=true)\n", err)
    assert.are.equal(0, #emulator.requests())
  end)

  it("an STS it cannot reach is a network error: exit 3", function()
    local dir = fixtures.dir()
    fixtures.write(dir, ".aliyun/config.json", '{"current":"r","profiles":[{"name":"r","mode":"RamRoleArn",' ..
      '"access_key_id":"testid","access_key_secret":"testsecret","ram_role_arn":"' .. emulator.ROLE .. '",' ..
      '"sts_endpoint":"http://127.0.0.1:9"}]}')
    local out, err, rc = cli(ecs("DescribeRegions", "--profile", "r", "--region", "cn-hangzhou", "--output", "json"),
                             { HOME = dir })
    assert.are.same({ "", 3 }, { out, rc })
    local e = require("cloudapi.json").decode(err).error
    assert.are.same({ "credentials", "network" }, { e.kind, e.cause_kind })
    assert.is_truthy(e.message:find("^STS AssumeRole for " .. emulator.ROLE:gsub("%p", "%%%0") .. " failed: "), err)
  end)

  it("works for ROA products too", function()
    local out, err, rc = cli({ "cs", "GET", "/clusters", "--endpoint", emulator.url, "--profile", "sts", "--query",
                               "page_info.total_count" }, { HOME = home() })
    assert.are.same({ "0\n", "", 0 }, { out, err, rc })
    assert.are.equal(200, emulator.requests{ operation = "DescribeClusters" }[1].status)
  end)

  it("a name the file lacks, no file, or an empty name: a usage error naming it, exit 2, nothing sent", function()
    local dir = home()
    local cases = {
      { dir, "nope", "--profile nope: " .. dir .. "/.aliyun/config.json has no profile named 'nope' (its " ..
                     "profiles: ak, sts, role, ecs, oidc, chained, loop-a, loop-b, odd, half)" },
      { os.getenv("HOME"), "dev", "--profile dev: " .. os.getenv("HOME") .. "/.aliyun/config.json does not exist" },
      { dir, "", "--profile needs a profile name" },
    }
    for _, case in ipairs(cases) do
      local out, err, rc = cli(ecs("DescribeRegions", "--profile", case[2]), { HOME = case[1] })
      assert.are.same({ "", 2 }, { out, rc })
      assert.are.equal("cloudapi: usage error: " .. case[3] .. "\nTry 'cloudapi --help'.\n", err)
    end
    local _, err, rc = cli(ecs("DescribeRegions", "--profile", "odd"), { HOME = dir })
    assert.are.equal(2, rc)
    assert.are.equal("cloudapi: credentials error: " .. dir .. "/.aliyun/config.json: profile 'odd' has the " ..
                     "unknown mode 'Telepathy' (known: AK, StsToken, RamRoleArn, EcsRamRole, OIDC, " ..
                     "ChainableRamRoleArn)\n", err)
    assert.are.equal(0, #emulator.requests())
  end)
end)

describe("cloudapi without --profile", function()
  before_each(function() emulator.reset() end)
  after_each(function() fixtures.cleanup() end)

  it("takes the current profile's region unless --region, with credentials from the default chain", function()
    local dir = home()
    local out, err = cli(ecs("DescribeRegions", "--dryrun", "--debug"), { HOME = dir })
    assert.is_truthy(out:find("&RegionId=cn-hangzhou&", 1, true), out)
    assert.is_truthy(out:find("?AccessKeyId=testid&", 1, true), out) -- the environment's key comes first
    assert.are.equal("debug: region cn-hangzhou from profile 'ak' (" .. dir .. "/.aliyun/config.json)\n" ..
                     "debug: credentials cloudapi.credentials(aliyun default chain: env)\n", err)
    local sts = cli(ecs("DescribeRegions", "--dryrun"), { HOME = dir, ALIBABA_CLOUD_PROFILE = "sts" })
    assert.is_truthy(sts:find("&RegionId=cn-beijing&", 1, true), sts)
    local given = cli(ecs("DescribeRegions", "--dryrun", "--region", "eu-west-1"), { HOME = dir })
    assert.is_truthy(given:find("&RegionId=eu-west-1&", 1, true), given)
    local off = cli(ecs("DescribeRegions", "--dryrun"), { HOME = dir, ALIBABA_CLOUD_CLI_PROFILE_DISABLED = "true" })
    assert.is_nil(off:find("RegionId", 1, true), off)
  end)

  it("an existing ~/.aliyun/config.json works unchanged: its current profile signs", function()
    local env = { HOME = home(), ALIBABA_CLOUD_ACCESS_KEY_ID = false, ALIBABA_CLOUD_ACCESS_KEY_SECRET = false }
    local out, err, rc = cli(ecs("DescribeInstances", "--query", "TotalCount", "--debug"), env)
    assert.are.same({ "300\n", 0 }, { out, rc })
    assert.is_truthy(err:find("debug: credentials cloudapi.credentials(aliyun default chain: profile)", 1, true), err)
    env.ALIBABA_CLOUD_PROFILE = "sts"
    assert.are.equal("0\n", (cli(ecs("DescribeInstances", "--query", "TotalCount"), env))) -- cn-beijing
  end)
end)

describe("cloudapi --profile with Huawei Cloud", function()
  before_each(function() emulator.reset() end)
  after_each(function() fixtures.cleanup() end)

  it("--profile default reads ~/.huaweicloud/credentials instead of the environment", function()
    local env = { HOME = home(), HUAWEICLOUD_SDK_SK = "cli-wrong-secret-7" }
    local out, err, rc = cli(hw("--profile", "default", "--limit", "1", "--query", "total_count"), env)
    assert.are.same({ "25\n", "", 0 }, { out, err, rc })
    -- the [basic] section's project_id: no IAM lookup
    assert.are.equal(0, #emulator.requests{ operation = "KeystoneListProjects" })
    local dry = cli(hw("--profile", "default", "--dryrun"), env)
    assert.is_truthy(dry:find("^GET " .. emulator.url:gsub("%p", "%%%0") .. "/v1/" .. SINGAPORE ..
                              "/vpc%-endpoint%-services\nAuthorization: SDK%-HMAC%-SHA256 Access=hw%-ak, "), dry)
    local _, werr, wrc = cli(hw("--limit", "1"), env) -- the environment's wrong key first
    assert.are.equal(1, wrc)
    assert.is_truthy(werr:find("^cloudapi: APIGW.0301: "), werr)
  end)

  it("a name other than default is a usage error; no file is a credentials error", function()
    local _, err, rc = cli(hw("--profile", "dev"), { HOME = home() })
    assert.are.equal(2, rc)
    assert.are.equal("cloudapi: usage error: --profile dev: Huawei Cloud's credentials file " ..
      "(~/.huaweicloud/credentials) has no named profiles, only [basic] (regional services) and [global] (global " ..
      "ones), chosen by the service: --profile default reads it (HUAWEICLOUD_SDK_CREDENTIALS_FILE names another " ..
      "file)\nTry 'cloudapi --help'.\n", err)
    local _, nerr, nrc = cli(hw("--profile", "default", "--project_id", SINGAPORE))
    assert.are.equal(2, nrc)
    assert.are.equal("cloudapi: credentials error: " .. os.getenv("HOME") .. "/.huaweicloud/credentials does not " ..
                     "exist\n", nerr)
    assert.are.equal(0, #emulator.requests())
  end)
end)

describe("cloudapi configure list", function()
  after_each(function() fixtures.cleanup() end)

  local SECRETS = { "testsecret", "sts-secret", "sts-token", "hw-sk", "hw-sts-sk", "hw-sts-token", "testid",
                    "demo-secret", "sts-ak", "hw-ak", "hw-sts-ak" }

  it("shows the profiles of both clouds, the current one marked, never a secret", function()
    local dir = home()
    fixtures.copy(dir, "credentials.ini", ".alibabacloud/credentials", { DIR = dir })
    local out, err, rc = cli({ "configure", "list" }, { HOME = dir })
    assert.are.same({ "", 0 }, { err, rc })
    assert.are.equal(table.concat({
      "Alibaba Cloud profiles: " .. dir .. "/.aliyun/config.json (* used without --profile)",
      "Profile | Mode                | Region",
      "------- | ------------------- | -----------",
      "ak *    | AK                  | cn-hangzhou",
      "sts     | StsToken            | cn-beijing",
      "role    | RamRoleArn          | cn-shanghai",
      "ecs     | EcsRamRole          | cn-hangzhou",
      "oidc    | OIDC                |",
      "chained | ChainableRamRoleArn |",
      "loop-a  | ChainableRamRoleArn |",
      "loop-b  | ChainableRamRoleArn |",
      "odd     | Telepathy           |",
      "half    | RamRoleArn          |",
      "",
      "Alibaba Cloud credentials file: " .. dir .. "/.alibabacloud/credentials (* the section the default " ..
        "chain reads)",
      "Section   | Type",
      "--------- | -------------",
      "default * | access_key",
      "ecs       | ecs_ram_role",
      "half      | ram_role_arn",
      "odd       | telepathy",
      "oidc      | oidc_role_arn",
      "role      | ram_role_arn",
      "",
      "Huawei Cloud credentials: " .. dir .. "/.huaweicloud/credentials (--profile default)",
      "Section | For               | Credential             | project_id                       | domain_id",
      "------- | ----------------- | ---------------------- | -------------------------------- | " ..
        "--------------------------------",
      "basic   | regional services | AK/SK                  | " .. SINGAPORE .. " |",
      "global  | global services   | AK/SK + security token |                                  | " ..
        "d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0", "" }, "\n"), out)
    local marked = cli({ "configure", "list" }, { HOME = dir, ALIBABA_CLOUD_PROFILE = "role" })
    assert.is_truthy(marked:find("\nak      | AK ", 1, true), marked)
    assert.is_truthy(marked:find("\nrole *  | RamRoleArn ", 1, true), marked)
    assert.is_truthy(marked:find("\ndefault | access_key\n", 1, true), marked) -- ALIBABA_CLOUD_PROFILE: both files
    assert.is_truthy(marked:find("\nrole *  | ram_role_arn\n", 1, true), marked)
    local js, jerr, jrc = cli({ "configure", "list", "--output", "json" }, { HOME = dir })
    assert.are.same({ "", 0 }, { jerr, jrc })
    local t = require("cloudapi.json").decode(js)
    assert.are.equal("ak", t.aliyun.current)
    assert.are.equal("ak", t.aliyun.used)
    assert.are.same({ name = "role", mode = "RamRoleArn", region = "cn-shanghai" }, t.aliyun.profiles[3])
    assert.are.same({ file = dir .. "/.alibabacloud/credentials", current = "default",
                      profiles = { { name = "default", mode = "access_key" }, { name = "ecs", mode = "ecs_ram_role" },
                                   { name = "half", mode = "ram_role_arn" }, { name = "odd", mode = "telepathy" },
                                   { name = "oidc", mode = "oidc_role_arn" },
                                   { name = "role", mode = "ram_role_arn" } } },
                    t.aliyun_credentials_file)
    assert.are.same({ name = "global", used_by = "global services", credential = "AK/SK + security token",
                      domain_id = "d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0" }, t.huaweicloud.sections[2])
    for _, text in ipairs({ out, marked, js }) do
      for _, s in ipairs(SECRETS) do assert.is_nil(text:find(s, 1, true), s) end
    end
  end)

  it("says so when there are none: exit 0", function()
    local h = os.getenv("HOME")
    local out, err, rc = cli{ "configure", "list" }
    assert.are.same({ "", 0 }, { err, rc })
    assert.are.equal("Alibaba Cloud profiles: none (" .. h .. "/.aliyun/config.json does not exist)\n\n" ..
                     "Alibaba Cloud credentials file: none (" .. h .. "/.alibabacloud/credentials does not exist)" ..
                     "\n\nHuawei Cloud credentials: none (" .. h .. "/.huaweicloud/credentials does not exist)\n", out)
  end)

  it("a file it cannot read: the error on stderr, exit 2, the other cloud still listed", function()
    local dir = fixtures.dir()
    fixtures.copy(dir, "malformed.json", ".aliyun/config.json")
    fixtures.copy(dir, "huaweicloud.ini", ".huaweicloud/credentials")
    local out, err, rc = cli({ "configure", "list" }, { HOME = dir })
    assert.are.equal(2, rc)
    assert.are.equal("cloudapi: credentials error: " .. dir .. "/.aliyun/config.json: not valid JSON\n", err)
    assert.is_truthy(out:find("^Alibaba Cloud credentials file: none", 1), out)
    assert.is_truthy(out:find("\n\nHuawei Cloud credentials: " .. dir:gsub("%p", "%%%0")), out)
    fixtures.copy(dir, "config.json", ".aliyun/config.json", { EMULATOR = emulator.url })
    fixtures.copy(dir, "malformed.ini", ".alibabacloud/credentials")
    local out2, err2, rc2 = cli({ "configure", "list" }, { HOME = dir })
    assert.are.equal(2, rc2)
    assert.is_truthy(err2:find("^cloudapi: credentials error: " .. dir:gsub("%p", "%%%0") ..
                               "/%.alibabacloud/credentials:"), err2)
    assert.is_truthy(out2:find("^Alibaba Cloud profiles: " .. dir:gsub("%p", "%%%0")), out2)
    assert.is_nil(out2:find("Alibaba Cloud credentials file", 1, true), out2)
  end)

  it("anything but configure list is a usage error", function()
    local cases = {
      { { "configure" }, "cloudapi configure: only 'cloudapi configure list [--output json]' (cloudapi reads " ..
        "profiles, aliyun-cli writes them: aliyun configure --profile NAME; Huawei: ~/.huaweicloud/credentials)" },
      { { "configure", "set", "--profile", "x" }, "cloudapi configure: only 'cloudapi configure list [--output " ..
        "json]' (cloudapi reads profiles, aliyun-cli writes them: aliyun configure --profile NAME; Huawei: " ..
        "~/.huaweicloud/credentials)" },
      { { "configure", "list", "--region", "x" }, "--region: cloudapi configure list [--output json] takes no " ..
                                                  "other flag" },
      { { "configure", "list", "--Name", "x" }, "unexpected --Name: cloudapi configure list [--output json]" },
    }
    for _, case in ipairs(cases) do
      local out, err, rc = cli(case[1])
      assert.are.same({ "", 2 }, { out, rc })
      assert.are.equal("cloudapi: usage error: " .. case[2] .. "\nTry 'cloudapi --help'.\n", err)
    end
    assert.are.equal("usage: cloudapi configure list [--output json]\n  the profiles cloudapi can use " ..
                     "(--profile NAME), never a secret\n", (cli{ "help", "configure" }))
  end)
end)
