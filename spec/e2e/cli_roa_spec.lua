-- The cloudapi command with Alibaba ROA (REST) products end to end against
-- the emulator's Container Service: METHOD /path, --name values into the
-- path or the query, --body, both signatures (ACS3 with --action),
-- --pager, --waiter after a create and on a read, --dryrun (redacted,
-- nothing sent), --network vpc, --style, help, errors and exit statuses.
local emulator = require "support.emulator"
local json = require "cloudapi.json"
local support_cli = require "support.cli"

local cli, join = support_cli.run, support_cli.join
local VERSION = require("cloudapi").VERSION

local function cs(...)
  return join({ "cs" }, { ... }, { "--endpoint", emulator.url, "--region", "cn-hangzhou" })
end

local function body(name) return '{"name":"' .. name .. '","region_id":"cn-hangzhou"}' end

-- Creates clusters n1..nk through the command; returns their ids.
local function create(k, prefix)
  local ids = {}
  for i = 1, k do
    local out, err, rc = cli(cs("POST", "/clusters", "--body", body((prefix or "n") .. i), "--query", "cluster_id",
                                "--output", "raw"))
    assert(rc == 0, err)
    ids[i] = out:match("^(c%x+)\n$")
  end
  return ids
end

local function last(filter)
  local r = emulator.requests(filter)
  return r[#r]
end

describe("cloudapi with ROA products", function()
  before_each(function() emulator.reset() end)

  it("POST --body creates; the answer is printed as pretty JSON", function()
    local out, err, rc = cli(cs("POST", "/clusters", "--body", body("web")))
    assert.are.same({ "", 0 }, { err, rc })
    local id = json.decode(out).cluster_id
    local entry = last{ operation = "CreateCluster" }
    assert.are.equal(string.format('{\n  "cluster_id": "%s",\n  "request_id": "%s",\n  "task_id": "%s"\n}\n', id,
                                   entry.request_id, json.decode(out).task_id), out)
    assert.are.equal(200, entry.status)
    assert.is_truthy(json.decode(out).task_id:match("^T%-emu%d+$"))
  end)

  it("GET with --name values: the query (page_size), or {name} in the path", function()
    local ids = create(3)
    local out, err, rc = cli(cs("GET", "/clusters", "--page_size", "2", "--output", "cols=name,state,cluster_type"))
    assert.are.same({ "", 0 }, { err, rc })
    assert.are.equal("name | state   | cluster_type\n---- | ------- | -----------------\n" ..
                     "n1   | initial | ManagedKubernetes\nn2   | initial | ManagedKubernetes\n", out)
    assert.are.equal(1, #emulator.requests{ operation = "DescribeClusters" }) -- two of three: page_size was sent
    local one = cli(cs("GET", "/clusters/{cluster_id}", "--cluster_id", ids[3], "--query", "name", "--output", "raw"))
    assert.are.equal("n3\n", one)
    local literal = cli(cs("GET", "/clusters/" .. ids[2], "--query", "cluster_id"))
    assert.are.equal('"' .. ids[2] .. '"\n', literal)
    assert.are.equal(2, #emulator.requests{ operation = "DescribeClusterDetail" })
  end)

  it("--pager fetches every page into one answer", function()
    create(5)
    local out, err, rc = cli(cs("GET", "/clusters", "--page_size", "2", "--pager", "--output", "cols=name",
                                "rows=clusters"))
    assert.are.same({ "", 0 }, { err, rc })
    assert.are.equal("name\n----\nn1\nn2\nn3\nn4\nn5\n", out)
    assert.are.equal(3, #emulator.requests{ operation = "DescribeClusters" })
    local merged = json.decode((cli(cs("GET", "/clusters", "--page_size", "2", "--pager"))))
    assert.are.equal(5, #merged.clusters)
    assert.are.same({ page_number = 1, page_size = 2, total_count = 5 }, merged.page_info)
  end)

  it("--pager meeting an empty page that the total contradicts: the error, exit 1", function()
    create(5)
    emulator.fault{ kind = "empty_page", api = "roa" }
    local out, err, rc = cli(cs("GET", "/clusters", "--page_size", "2", "--pager"))
    assert.are.same({ "", 1 }, { out, rc })
    assert.are.equal("cloudapi: decode error: paging stopped: page 2 is empty but page_info.total_count says 5 " ..
                     "(2 before it): the server lost items while paging (RequestId " ..
                     last{ operation = "DescribeClusters" }.request_id .. ")\n", err)
  end)

  it("--signature ACS3-HMAC-SHA256 with --action: the API's name is signed and sent", function()
    local ids = create(2)
    local out, err, rc = cli(cs("GET", "/clusters", "--signature", "ACS3-HMAC-SHA256", "--action", "DescribeClusters",
                                "--query", "page_info.total_count"))
    assert.are.same({ "2\n", "", 0 }, { out, err, rc })
    assert.are.equal("DescribeClusters", last{ operation = "DescribeClusters" }.action)
    -- the emulator checks the name against the route
    local _, werr, wrc = cli(cs("GET", "/clusters/{cluster_id}", "--cluster_id", ids[1], "--signature",
                                "ACS3-HMAC-SHA256", "--action", "DescribeClusters"))
    assert.are.equal(1, wrc)
    assert.is_truthy(werr:find("^cloudapi: InvalidAction: x%-acs%-action is DescribeClusters, but GET " ..
                               "/clusters/c%x+ is DescribeClusterDetail%."), werr)
  end)

  for _, signature in ipairs({ "acs", "ACS3-HMAC-SHA256" }) do
    it("--waiter after a create reads the new cluster until it runs (" .. signature .. ")", function()
      emulator.cs{ running_after = 0.5 }
      local out, err, rc = cli(cs("POST", "/clusters", "--body", body("wait"), "--signature", signature,
                                  "--action", "CreateCluster", "--waiter", "path=state", "to=running", "interval=0.1",
                                  "--output", "cols=name,state"))
      assert.are.same({ "", 0 }, { err, rc })
      assert.are.equal("name | state\n---- | -------\nwait | running\n", out)
      assert.are.equal(1, #emulator.requests{ operation = "CreateCluster" })
      local reads = emulator.requests{ operation = "DescribeClusterDetail" }
      assert.is_true(#reads >= 2, #reads .. " reads")
      if signature == "ACS3-HMAC-SHA256" then assert.are.equal("DescribeClusterDetail", reads[1].action) end
    end)
  end

  it("--waiter on a read repeats it; a wait that times out exits 3", function()
    emulator.cs{ running_after = 60 }
    local ids = create(1)
    local _, err, rc = cli(cs("GET", "/clusters/{cluster_id}", "--cluster_id", ids[1], "--waiter", "path=state",
                              "to=running", "timeout=0.3", "interval=0.1"))
    assert.are.equal(3, rc)
    local reads = emulator.requests{ operation = "DescribeClusterDetail" }
    assert.are.equal(string.format("cloudapi: WaitTimeout: waited 0.3s for state to be 'running'; last value " ..
                                   "'initial' after %d reads (RequestId %s)\n", #reads, reads[#reads].request_id), err)
  end)

  it("--dryrun prints the signed request, signature and token redacted, and sends nothing", function()
    local out, err, rc = cli(cs("POST", "/clusters", "--body", body("dry"), "--dryrun"),
      { ALIBABA_CLOUD_ACCESS_KEY_ID = "sts-ak", ALIBABA_CLOUD_ACCESS_KEY_SECRET = "sts-secret",
        ALIBABA_CLOUD_SECURITY_TOKEN = "sts-token" })
    assert.are.same({ "", 0 }, { err, rc })
    local shape = out:gsub("\nDate: [^\n]+", "\nDate: D"):gsub("nonce: %x+", "nonce: N")
    assert.are.equal("POST " .. emulator.url .. "/clusters\nAccept: application/json\n" ..
      "Authorization: acs sts-ak:[REDACTED]\nContent-MD5: CYbGvZs3HedKaQUEtUxm1g==\nContent-Type: application/json\n" ..
      "Date: D\nUser-Agent: cloudapi-lua/" .. VERSION .. "\nx-acs-accesskey-id: sts-ak\n" ..
      "x-acs-security-token: [REDACTED]\nx-acs-signature-method: HMAC-SHA1\nx-acs-signature-nonce: N\n" ..
      "x-acs-signature-version: 1.0\nx-acs-version: 2015-12-15\n\n" .. body("dry") .. "\n", shape)
    local vpc = cli{ "cs", "GET", "/clusters", "--region", "cn-beijing", "--network", "vpc", "--signature",
                     "ACS3-HMAC-SHA256", "--action", "DescribeClusters", "--dryrun" }
    local first = vpc:match("^[^\n]+")
    assert.are.equal("GET https://cs-vpc.cn-beijing.aliyuncs.com/clusters", first)
    assert.is_truthy(vpc:find("\nAuthorization: ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-action;" ..
                              "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=" ..
                              "[REDACTED]\n", 1, true), vpc)
    assert.is_truthy(vpc:find("\nhost: cs-vpc.cn-beijing.aliyuncs.com\n", 1, true), vpc)
    assert.are.equal(0, #emulator.requests())
  end)

  it("service errors: one line, exit 1; as JSON with --output json; --api-version reaches the server", function()
    local _, err, rc = cli(cs("GET", "/clusters/{cluster_id}", "--cluster_id", "c-nope"))
    assert.are.equal(1, rc)
    local id = last{ operation = "DescribeClusterDetail" }.request_id
    assert.are.equal("cloudapi: ErrorClusterNotFound: cluster c-nope not found (HTTP 404, RequestId " .. id .. ")\n",
                     err)
    local _, jerr, jrc = cli(cs("GET", "/clusters/{cluster_id}", "--cluster_id", "c-nope", "--output", "json"))
    assert.are.equal(1, jrc)
    local jid = last{ operation = "DescribeClusterDetail" }.request_id
    assert.are.equal('{"error":{"attempts":1,"code":"ErrorClusterNotFound","kind":"service","message":' ..
                     '"cluster c-nope not found","request_id":"' .. jid .. '","retryable":false,"status":404}}\n', jerr)
    local _, verr, vrc = cli(cs("GET", "/clusters", "--api-version", "2099-01-01"))
    assert.are.equal(1, vrc)
    assert.is_truthy(verr:find("^cloudapi: InvalidVersion: Specified parameter Version is not valid %(CS is " ..
                               "2015%-12%-15%)%."), verr)
  end)

  it("--style forces a product's style; cloudapi help PRODUCT tells it", function()
    local out, err, rc = cli{ "cs", "DescribeClusters", "--style", "rpc", "--api-version", "2018-04-18", "--region",
                              "cn-hangzhou", "--dryrun" }
    assert.are.same({ "", 0 }, { err, rc })
    assert.is_truthy(out:find("^GET https://cs%.cn%-hangzhou%.aliyuncs%.com/%?AccessKeyId=testid&" ..
                              "Action=DescribeClusters&"), out)
    local fc = cli{ "fc", "GET", "/services", "--api-version", "2021-04-06", "--region", "cn-hangzhou", "--dryrun" }
    assert.is_truthy(fc:find("^GET https://fc%.cn%-hangzhou%.aliyuncs%.com/services\n"), fc)
    assert.is_truthy(fc:find("\nx-acs-version: 2021-04-06\n", 1, true), fc)
    local help, _, hrc = cli{ "help", "cs" }
    assert.are.equal(0, hrc)
    assert.are.equal(table.concat({
      "cs: Alibaba Cloud ROA (REST), signature acs (or --signature ACS3-HMAC-SHA256 with --action ApiName)",
      "  API version: 2015-12-15 (default; --api-version to change)",
      "  endpoint: https://cs.aliyuncs.com, in a region https://cs.REGION.aliyuncs.com",
      "  usage: cloudapi cs METHOD /path [--name value ...] [--body JSON|@FILE] [--action ApiName] [flags]",
      "  reference: https://api.aliyun.com/product/cs", "" }, "\n"), help)
    assert.are.equal(help, (cli{ "cs", "--help" }))
    assert.is_truthy((cli{ "help", "fc", "--style", "roa" }):find("^fc: Alibaba Cloud ROA %(REST%)"))
    assert.are.equal(0, #emulator.requests())
  end)

  it("usage errors exit 2 with the problem named, before any request", function()
    local cases = {
      { { "cs", "DescribeClusters" }, "cs is a ROA (REST) product: cloudapi cs METHOD /path [--name value ...] " ..
                                      "(--style rpc for an RPC version of it)" },
      { { "fc", "GET", "/x", "--style", "rpc" }, "fc is an RPC product: cloudapi fc Action [--Name value ...]" },
      { { "cs", "GET" }, "expected PRODUCT METHOD /path: cloudapi PRODUCT METHOD /path [--name value ...] " ..
                         "[--body JSON|@FILE] [--action ApiName] [flags]" },
      { { "cs", "GET", "/clusters", "x" }, "unexpected 'x' after the path: cloudapi PRODUCT METHOD /path " ..
                                           "[--name value ...] [--body JSON|@FILE] [--action ApiName] [flags]" },
      { { "cs", "GET", "clusters" }, "the path must start with /, got 'clusters'" },
      { { "cs", "GET", "/clusters/{cluster_id}" }, "the path needs {cluster_id}: give --cluster_id VALUE" },
      { { "cs", "GET", "/clusters", "--format", "xml" }, "--format is for Alibaba RPC products: ROA products " ..
                                                         "answer JSON" },
      { { "cs", "GET", "/clusters", "--action", "describeClusters" }, "--action must be an API name such as " ..
                                                                      "DescribeClusters, got 'describeClusters'" },
      { { "cs", "GET", "/clusters", "--signature", "ACS3-HMAC-SHA256" }, "--signature ACS3-HMAC-SHA256 signs the " ..
          "API's name: give --action NAME (e.g. DescribeClusters for cs GET /clusters)" },
      { { "cs", "GET", "/clusters", "--signature", "HMAC-SHA1" }, "cloudapi.aliyun.roa: signature must be \"acs\" " ..
                                                                  "or \"ACS3-HMAC-SHA256\"" },
      { { "cs", "POST", "/clusters", "--body", "{nope" }, "--body is not JSON: Expected object key string but " ..
                                                          "found invalid token at character 2" },
      { { "cs", "DELETE", "/clusters/c1", "--waiter", "path=state", "to=deleted" }, "--waiter: cloudapi does not " ..
          "know which read shows the state DELETE /clusters/c1 leads to; wait with GET on the resource itself " ..
          "(cloudapi cs GET /path ... --waiter path=... to=...)" },
      { { "fc", "GET", "/services" }, "cloudapi.aliyun.roa: no default API version for product 'fc': pass " ..
                                      "version = \"YYYY-MM-DD\"" },
    }
    for _, case in ipairs(cases) do
      local out, err, rc = cli(join(case[1], { "--endpoint", emulator.url }))
      assert.are.equal(2, rc, table.concat(case[1], " "))
      assert.are.equal("", out)
      assert.are.equal("cloudapi: usage error: " .. case[2] .. "\nTry 'cloudapi --help'.\n", err)
    end
    assert.are.equal(0, #emulator.requests())
  end)
end)
