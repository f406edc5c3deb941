-- Temporary credentials shared by every nginx worker through a
-- lua_shared_dict (credentials/cache.lua's shared_dict option): the value
-- under one key, a lock under another, so that one worker fetches while
-- the others wait for the value it stores. Keys are hashes of what
-- identifies the credential; a lock expires by itself if its worker dies.
local json = require "cloudapi.json"
local credentials = require "cloudapi.credentials"

local M = {}

M.LOCK_TTL = 30 -- seconds: longer than any provider's own timeouts

local function fresh(raw, now)
  local stored = raw and json.decode(raw)
  if type(stored) ~= "table" or type(stored.creds) ~= "table" then return nil end
  local entry = require("cloudapi.credentials.cache").entry(stored.creds, stored.obtained or now)
  if entry and now < entry.refresh_at then return stored.creds end
  return nil
end

local function store(dict, key, creds, now)
  local raw = json.encode({ creds = creds, obtained = now })
  local ttl = creds.expiration and (creds.expiration - now) or 0
  if raw and ttl >= 0 then dict:set(key, raw, ttl) end
end

-- fetch(provider, ctx, now) -> creds | nil, err (provider: a cached one
-- with source, shared_dict, key and clock). A source whose credential
-- depends on more than its options (the key that signs an AssumeRole, a
-- role named in the environment) says so in source:shared_key(ctx), part
-- of the key: two providers share a value only when they would fetch the
-- same one.
function M.fetch(self, ctx, now)
  local dict = ngx.shared[self.shared_dict]
  if not dict then
    return nil, credentials.error("no lua_shared_dict named '" .. self.shared_dict .. "'")
  end
  local id = self.key
  if self.source.shared_key then
    local more, err = self.source:shared_key(ctx)
    if not more then return nil, err end
    id = id .. "\0" .. more
  end
  local key = "cloudapi:cred:" .. ngx.md5(id)
  local lock = key .. ":lock"
  local clock = self.clock or ctx.clock or ngx.now
  local deadline, step = ngx.now() + M.LOCK_TTL + 5, 0.002
  while true do
    local c = fresh(dict:get(key), now)
    if c then return c end
    local got, err = dict:add(lock, ngx.worker.pid(), M.LOCK_TTL)
    if got then
      c = fresh(dict:get(key), now) -- stored between the look and the lock
      if c then
        dict:delete(lock)
        return c
      end
      local ok, creds, ferr = pcall(self.source.fetch, self.source, ctx)
      if ok and creds then store(dict, key, creds, now) end
      dict:delete(lock)
      if not ok then error(creds, 0) end
      return creds, ferr
    end
    if err ~= "exists" then return self.source:fetch(ctx) end -- the dict is full: alone
    if ngx.now() > deadline then
      return nil, credentials.error("timed out waiting for another nginx worker to refresh " .. tostring(self))
    end
    ngx.sleep(step)
    step = math.min(step * 2, 0.05)
    now = clock()
  end
end

return M
