-- Credentials for production: a role assumed through STS and refreshed
-- before it expires, an ECS instance's RAM role from the instance
-- metadata, and the default chain. `make demo` runs it against the local
-- emulator (its STS and metadata service):
--
--   CLOUDAPI_ENDPOINT=http://127.0.0.1:PORT \
--   ALIBABA_CLOUD_ACCESS_KEY_ID=demo-ak ALIBABA_CLOUD_ACCESS_KEY_SECRET=demo-secret \
--   lua5.4 examples/credentials.lua
--
-- Without CLOUDAPI_ENDPOINT it refuses to run: the demo never calls a real cloud.
local cloudapi = require "cloudapi"

local endpoint = assert(os.getenv("CLOUDAPI_ENDPOINT"), "set CLOUDAPI_ENDPOINT (make demo does it for you)")
local check = assert -- a failure prints the error (never a secret) and stops

-- What the client's event hook hears of its credentials (never a secret).
local function on_event(ev)
  if ev.type == "credentials" then
    print(string.format("   event: credentials from %s%s", ev.source, ev.error and (": " .. tostring(ev.error)) or ""))
  elseif ev.type == "attempt" and ev.action == "AssumeRole" then
    print("   event: " .. ev.client .. " " .. ev.action .. " -> HTTP " .. tostring(ev.status))
  end
end

-- A clock the demo moves forward, so the refresh happens now rather than
-- in 48 minutes. Real code leaves clock out.
local now = os.time()
local clock = function() return now end

print("== assume_role: the environment's keys sign STS AssumeRole; the role's temporary key signs the calls")
local role = cloudapi.credentials.aliyun.assume_role{
  source = cloudapi.credentials.aliyun.env,
  role_arn = "acs:ram::1234567890123456:role/demo-role",
  session_name = "cloudapi-demo",
  endpoint = endpoint, -- STS; the default is https://sts.aliyuncs.com
  clock = clock,
}
local sts = cloudapi.aliyun.new{ product = "sts", version = "2015-04-01", endpoint = endpoint,
                                 credentials = role, on_event = on_event }
local me = check(sts:call("GetCallerIdentity"))
local first = check(role:get())
print(string.format("   caller %s, key %s... expires in %d s", me.Arn, first.access_key_id:sub(1, 12),
                    first.expiration - now))

print("== 48 minutes later (a 1 h key is refreshed when 20% of its life is left)")
now = now + 48 * 60 + 1
me = check(sts:call("GetCallerIdentity"))
local second = check(role:get())
print(string.format("   caller %s, key %s... (a new one: %s)", me.Arn, second.access_key_id:sub(1, 12),
                    tostring(second.access_key_id ~= first.access_key_id)))

print("== ecs_ram_role: the instance's RAM role from the metadata service (token mode)")
local ecs_role = cloudapi.credentials.aliyun.ecs_ram_role{ endpoint = endpoint } -- real: http://100.100.100.200
local ecs = cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", endpoint = endpoint, credentials = ecs_role }
local regions = check(ecs:call("DescribeRegions"))
print(string.format("   %d regions with the role's key %s...", #regions.Regions.Region,
                    check(ecs_role:get()).access_key_id:sub(1, 12)))

print("== the default chain of a client without credentials")
local plain = cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", endpoint = endpoint }
check(plain:call("DescribeRegions"))
print("   answered by " .. tostring(plain.provider))
