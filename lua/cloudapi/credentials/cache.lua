-- The caching wrapper of temporary credentials. A source has
-- :fetch(ctx) -> credential table with `expiration` (seconds since the
-- epoch; none: kept for good) | nil, err. The wrapper is the provider the
-- clients see:
--
-- * a value is served until less than 15 minutes or 20% of its lifetime
--   is left, whichever is shorter (a 60 s key is refreshed at 48 s, a 1 h
--   key at 48 min); then it is fetched again;
-- * a refresh that fails while the value is still valid serves the value,
--   says so through the client's on_event, and is tried again at most
--   every RETRY_EVERY seconds;
-- * one refresh at a time: callers that have no valid value wait for the
--   one under way without blocking (cloudapi.all's scheduler, ngx.sleep),
--   the others keep the current value; with shared_dict in OpenResty,
--   every worker shares the value and one worker refreshes (shared.lua).
--
-- The values live in a weak table keyed by the provider, out of reach of a
-- dump of the provider or of a client.
local core = require "cloudapi.core"
local errors = require "cloudapi.errors"
local credentials = require "cloudapi.credentials"

local M = {}

M.MAX_MARGIN = 15 * 60
M.MARGIN_SHARE = 0.2
M.RETRY_EVERY = 5
M.WAIT_MAX = 60 -- seconds a caller waits for another's refresh

local entries = setmetatable({}, { __mode = "k" }) -- provider -> entry

local NO_CTX = credentials.NO_CTX
local now_of = core.now

-- entry(creds, now) -> { creds, expires, refresh_at } | nil, err
function M.entry(creds, now)
  local exp = creds.expiration
  if exp == nil then return { creds = creds, expires = math.huge, refresh_at = math.huge } end
  if type(exp) ~= "number" or exp ~= exp then
    return nil, credentials.error("the credential's expiration is not a number of seconds")
  end
  local lifetime = exp - now
  if lifetime <= 0 then return nil, credentials.error("the credential obtained has already expired") end
  return { creds = creds, expires = exp, refresh_at = exp - math.min(M.MAX_MARGIN, lifetime * M.MARGIN_SHARE) }
end

local Cached = { stable = true }
Cached.__index = Cached
Cached.__tostring = function(self) return "cloudapi.credentials(" .. self.name .. ")" end

-- new(source, opts) -> provider. opts: name = "aliyun ecs_ram_role" (how
-- events and errors name it), clock = function (default: the client's),
-- shared_dict = name of a lua_shared_dict, key = what identifies the
-- credential in it (no secret: it is hashed anyway).
function M.new(source, opts)
  local dict = opts.shared_dict
  assert(dict == nil or type(dict) == "string", "shared_dict must be the name of a lua_shared_dict")
  -- refresh_at (no secret) on the object: the hot path's one comparison.
  return setmetatable({ source = source, name = opts.name, clock = opts.clock or false, shared_dict = dict,
                        key = opts.key or opts.name, refreshing = false, refresh_at = -math.huge }, Cached)
end

-- The scheduler is looked up when needed: a provider may outlive the
-- cloudapi.concurrent instance it was loaded with (a test runner's module
-- insulation).
local function can_wait()
  return require("cloudapi.concurrent").active() or require("cloudapi.transport.ngx").usable()
end

local function pause(seconds)
  local concurrent = require "cloudapi.concurrent"
  if concurrent.active() then return concurrent.sleep(seconds) end
  ngx.sleep(seconds)
end

local function upstream(self, ctx, now)
  if self.shared_dict and require("cloudapi.transport.ngx").usable() then
    return require("cloudapi.credentials.shared").fetch(self, ctx, now)
  end
  return self.source:fetch(ctx)
end

local function stale(self, ctx, e, now, err)
  if ctx.on_event then
    ctx.on_event{ type = "credentials", client = ctx.label, source = tostring(self), stale = true,
                  expires_in = e.expires - now, error = err }
  end
  return e.creds
end

local function refresh(self, ctx, e, now)
  -- A refresh whose coroutine was abandoned (never resumed) ends some time.
  if self.refreshing and core.monotonic() - self.refreshing > M.WAIT_MAX then self.refreshing = false end
  if self.refreshing then
    -- Someone else is refreshing: keep a still valid value, or wait.
    if e and now < e.expires then return e.creds end
    if not can_wait() then
      return nil, credentials.error(tostring(self) .. " is already being refreshed (does it depend on itself?)")
    end
    local deadline, step = core.monotonic() + M.WAIT_MAX, 0.002
    while self.refreshing and core.monotonic() < deadline do
      pause(step)
      step = math.min(step * 2, 0.05)
    end
    local got = entries[self]
    now = (self.clock or ctx.clock or now_of)()
    if got and now < got.expires then return got.creds end
    if self.refreshing then
      return nil, credentials.error("timed out waiting for the refresh of " .. tostring(self))
    end
    e = got
  end
  if e and e.retry_at and now < e.retry_at and now < e.expires then return e.creds end
  self.refreshing = core.monotonic() -- when it started
  local ok, creds, err = pcall(upstream, self, ctx, now)
  self.refreshing = false
  if not ok then err, creds = credentials.error(tostring(self) .. " failed: " .. tostring(creds)), nil end
  if creds then
    local entry, why = M.entry(creds, now)
    if entry then
      entries[self], self.refresh_at = entry, entry.refresh_at
      return creds
    end
    err = why
  end
  if not errors.is_error(err) then err = credentials.error(tostring(err or "no credentials")) end
  if e and now < e.expires then
    e.retry_at = now + math.min(M.RETRY_EVERY, (e.expires - now) / 2)
    return stale(self, ctx, e, now, err)
  end
  return nil, err
end

-- get(ctx) -> creds | nil, err; a fresh value costs one clock call.
function Cached:get(ctx)
  local now = (self.clock or (ctx or NO_CTX).clock or now_of)()
  if now < self.refresh_at then return entries[self].creds end
  return refresh(self, ctx or NO_CTX, entries[self], now)
end

-- forget(): the next get fetches anew (tests, a credential revoked).
function Cached:forget()
  entries[self], self.refresh_at = nil, -math.huge
end

return M
