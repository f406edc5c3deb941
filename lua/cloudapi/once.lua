-- One fetch at a time: concurrent callers that need the same thing (an
-- IAM token, a project id) wait while one of them fetches it, then look
-- at the caches again. The callers are light threads of an nginx worker
-- (ngx.semaphore) or the coroutines of cloudapi.all (concurrent.wait);
-- anywhere else there is nobody to wait for.
local M = {}

local inflight = {} -- key -> ngx.semaphore or cloudapi.all event of the fetch under way

-- Runs fn, clearing the entry whatever happens, then lets the waiters go.
local function fetch(key, marker, fn, release)
  inflight[key] = marker
  local ok, a, b = pcall(fn)
  inflight[key] = nil
  release(marker)
  if not ok then error(a, 0) end
  return a, b
end

local function post(sema) sema:post(1000) end
local function done(event) event.done = true end

-- run(key, limit, fn) -> fn's two results for the caller that fetched,
-- or nil, nil, true for one that waited (at most limit seconds) and must
-- look again.
function M.run(key, limit, fn)
  if require("cloudapi.transport.ngx").usable() then
    local ok, semaphore = pcall(require, "ngx.semaphore")
    if not ok then return fn() end
    local running = inflight[key]
    if running then
      running:wait(limit)
      return nil, nil, true
    end
    return fetch(key, semaphore.new(), fn, post)
  end
  local concurrent = require "cloudapi.concurrent"
  if concurrent.active() then
    local running = inflight[key]
    if running then
      concurrent.wait(running, limit)
      return nil, nil, true
    end
    return fetch(key, {}, fn, done)
  end
  return fn()
end

return M
