-- The command's fixed flags: name, what it takes, help text. Everything
-- else that starts with "--" is a parameter of the API call (cli/args.lua).
--   takes: "switch" (nothing), "value" (the next word, or --flag=value),
--          "words" (the key=value words that follow; `keys` lists the keys,
--          `first` words such as "json" that may stand alone)
local M = {}

M.LIST = {
  { "region", "value", "REGION", "region id (Alibaba: also sent as RegionId unless given)" },
  { "endpoint", "value", "URL", "endpoint URL instead of the product's (e.g. a local emulator)" },
  { "network", "value", "vpc", "Alibaba: the endpoint network (vpc for VPC endpoints)" },
  { "signature", "value", "NAME", "signature: Alibaba ACS3-HMAC-SHA256 (ROA: also acs), Huawei V11-HMAC-SHA256" },
  { "api-version", "value", "YYYY-MM-DD", "Alibaba: the API version (ecs, vpc and cs have defaults)" },
  { "style", "value", "rpc|roa", "Alibaba: the product's API style (cs is roa; others rpc unless METHOD /path)" },
  { "format", "value", "json|xml", "Alibaba: the answer's format (default json)" },
  { "timeout", "value", "SECONDS", "limit for each call, its retries included" },
  { "retry", "value", "N", "retries after a failed attempt (default 3; 0: none)" },
  { "output", "words", "json|raw|cols=A,B [rows=PATH]", "pretty JSON (default), the answer as sent, or a table",
    keys = { cols = true, rows = true }, first = { json = true, raw = true } },
  { "query", "value", "PATH", "print only the value at a dotted path (Instances.Instance.1.Status)" },
  { "pager", "words", "[path=PATH]", "fetch every page; print one answer whose list holds every item",
    keys = { path = true }, optional = true },
  { "waiter", "words", "path=PATH to=VALUE [fail=V1,V2] [timeout=S] [interval=S]",
    "repeat a read until the value at PATH is VALUE, or one of the fail= values (exit 1); after a change: " ..
    "the read that shows it",
    keys = { path = true, to = true, fail = true, timeout = true, interval = true } },
  { "body", "value", "JSON|@FILE", "Huawei and ROA: the request body, JSON text or @file.json" },
  { "action", "value", "NAME", "ROA: the API's name (DescribeClusters); ACS3-HMAC-SHA256 needs it" },
  { "param", "value", "NAME=VALUE", "a parameter whose name is also a flag's (repeatable)", repeatable = true },
  { "dryrun", "switch", nil, "print the signed request (secrets redacted) and send nothing" },
  { "debug", "switch", nil, "each attempt's events on stderr (redacted)" },
  { "profile", "value", "NAME", "aliyun-cli's profile NAME (credentials, region); Huawei: default (its file)" },
  { "help", "switch", nil, "this help; cloudapi help PRODUCT for a product" },
  { "version", "switch", nil, "the version" },
}

M.BY_NAME = {}
for _, f in ipairs(M.LIST) do
  local spec = { name = f[1], takes = f[2], arg = f[3], help = f[4], keys = f.keys, first = f.first,
                 optional = f.optional, repeatable = f.repeatable }
  M.BY_NAME[spec.name] = spec
end

return M
