-- cloudapi.all: many calls at once. Each call runs in its own coroutine
-- with its whole pipeline (build, sign, send, decode, retries); when its
-- transport would block (a request, a backoff sleep) it yields to this
-- scheduler, which drives every transfer on one libcurl multi handle.
-- Inside OpenResty the ngx transport never yields here: calls there run on
-- ngx.thread (see all_ngx).
local core = require "cloudapi.core"
local errors = require "cloudapi.errors"

local M = {}

local SEND, SLEEP = {}, {} -- yield tags, unforgeable
local scheduled = setmetatable({}, { __mode = "k" }) -- coroutine -> true
local idle_multi -- one multi handle kept between calls: its connection cache

-- How many sessions a transport keeps for concurrent calls, and the widest
-- batch whose connections are kept for the next one.
M.KEEP = 16

-- Whether the running coroutine belongs to a scheduler.
function M.active()
  local co = coroutine.running()
  return co ~= nil and scheduled[co] == true
end

-- From a transport: run creq on session (one of its own, idle) through
-- the scheduler's multi handle and wait for it.
-- -> the results of session:request
function M.send(session, creq)
  local added, kind, msg, sent = coroutine.yield(SEND, session, creq)
  if not added then return nil, kind, msg, sent end
  return session:result()
end

function M.sleep(seconds)
  coroutine.yield(SLEEP, seconds)
end

-- wait(event, seconds): until event.done is set (by another call of the
-- same cloudapi.all) or seconds have passed.
function M.wait(event, seconds)
  coroutine.yield(SLEEP, seconds, event)
end

local unpack = table.unpack or unpack

local function check(list, opts)
  if type(list) ~= "table" then error("cloudapi.all: expected a list of calls, got a " .. type(list), 3) end
  opts = opts or {}
  if type(opts) ~= "table" then error("cloudapi.all: options must be a table", 3) end
  local n = opts.concurrency or 16
  if type(n) ~= "number" or n < 1 or n % 1 ~= 0 or n > 1000 then
    error("cloudapi.all: concurrency must be an integer from 1 to 1000", 3)
  end
  if opts.each ~= nil and type(opts.each) ~= "function" then
    error("cloudapi.all: each must be a function(i, result, err, info)", 3)
  end
  local fns = {}
  for i = 1, #list do
    local item = list[i]
    if type(item) == "function" then
      fns[i] = item
    elseif type(item) == "table" and type(item[2]) == "string" and type(item[1]) == "table"
           and type(item[1][item[2]]) == "function" then
      -- {client, "method", args...}
      fns[i] = function() return item[1][item[2]](item[1], unpack(item, 3, item.n or #item)) end
    else
      error("cloudapi.all: call " .. i .. " must be a function or {client, \"method\", args...}", 3)
    end
  end
  return fns, n, opts.each
end

local function raised(msg)
  return errors.new{ kind = "config", message = "the call raised an error: " .. tostring(msg) }
end

-- Call i, its errors caught: into results[i] as {result, err, info}, or
-- handed to each(i, result, err, info) (an error each raises propagates).
local function run_one(fns, i, results, each)
  local ok, r, e, info = pcall(fns[i])
  if not ok then r, e, info = nil, raised(r), nil end
  if each then
    each(i, r, e, info)
  else
    results[i] = { r, e, info }
  end
end

-- all(list, {concurrency = 16, each = nil}) -> { {result, err, info}, ... }
-- in list order; with each, every result goes to each(i, result, err, info)
-- as it completes instead, none is kept, and all returns nothing.
function M.all(list, opts)
  local fns, concurrency, each = check(list, opts)
  if ngx and ngx.thread and ngx.get_phase and require("cloudapi.transport.ngx").usable() then
    return M.all_ngx(fns, concurrency, each)
  end
  local n = #fns
  local results = not each and {} or nil
  if n == 0 then return results end
  local multi, why = idle_multi, nil
  if not multi then multi, why = core.http_multi() end
  idle_multi = nil
  if not multi then -- out of file descriptors, say: every call fails alike
    local err = errors.new{ kind = "network", message = tostring(why), retryable = true }
    for i = 1, n do
      if each then each(i, nil, err, nil) else results[i] = { nil, err } end
    end
    return results
  end
  local waiting = {}   -- session -> coroutine
  local sleepers = {}  -- { wake = , co = , event = (concurrent.wait) }
  local done = {}      -- reused by multi:step
  local nexti, alive = 1, 0

  -- Workers take the next call until none is left: concurrency coroutines
  -- in all, not one per call.
  local function worker()
    while nexti <= n do
      local i = nexti
      nexti = nexti + 1
      run_one(fns, i, results, each)
    end
  end

  local function step(co, ...)
    local ok, tag, a, b = coroutine.resume(co, ...)
    if not ok or coroutine.status(co) == "dead" then
      scheduled[co] = nil
      alive = alive - 1
      if not ok then error(tag, 0) end -- each raised (or a bug in the scheduler)
      return
    end
    if tag == SEND then
      local added, kind, msg, sent = multi:add(a, b)
      if not added then return step(co, nil, kind, msg, sent) end
      waiting[a] = co
    elseif tag == SLEEP then
      sleepers[#sleepers + 1] = { wake = core.monotonic() + a, co = co, event = b }
    else
      -- The call yielded to someone else's coroutine machinery.
      return step(co, nil, "config", "the call yielded outside cloudapi", false)
    end
  end

  for _ = 1, math.min(concurrency, n) do
    local co = coroutine.create(worker)
    scheduled[co] = true
    alive = alive + 1
    step(co)
  end
  while alive > 0 do
    local wait = 1
    if #sleepers > 0 then
      local now = core.monotonic()
      for _, s in ipairs(sleepers) do wait = math.min(wait, math.max(0, s.wake - now)) end
    end
    if multi:count() > 0 then
      local _, count = multi:step(wait, done)
      for k = 1, count do
        local session = done[k]
        done[k] = nil
        local co = waiting[session]
        waiting[session] = nil
        step(co, true)
      end
    elseif wait > 0 then
      core.sleep(wait)
    end
    if #sleepers > 0 then
      local now = core.monotonic()
      for k = #sleepers, 1, -1 do
        local s = sleepers[k]
        if s.wake <= now or (s.event and s.event.done) then
          table.remove(sleepers, k)
          step(s.co)
        end
      end
    end
  end
  -- The multi handle's cache keeps the batch's connections alive for the
  -- next one; after a batch wider than a transport's session pool, they
  -- go (a thousand idle connections are a thousand file descriptors).
  if math.min(concurrency, n) <= M.KEEP then idle_multi = multi else multi:close() end
  return results
end

-- Inside OpenResty: one light thread per call, at most `concurrency` at once.
function M.all_ngx(fns, concurrency, each)
  local results = not each and {} or nil
  local nexti = 1
  local function worker()
    while nexti <= #fns do
      local i = nexti
      nexti = nexti + 1
      run_one(fns, i, results, each)
    end
  end
  local threads = {}
  for k = 1, math.min(concurrency, #fns) do
    threads[k] = assert(ngx.thread.spawn(worker))
  end
  for k = 1, #threads do
    local ok, err = ngx.thread.wait(threads[k])
    if not ok then error(err, 0) end -- each raised
  end
  return results
end

return M
