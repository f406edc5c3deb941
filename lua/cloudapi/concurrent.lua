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

-- Whether the running coroutine belongs to a scheduler.
function M.active()
  local co = coroutine.running()
  return co ~= nil and scheduled[co] == true
end

-- From a transport: hand the request to the scheduler and wait for it.
-- -> the results of session:request
function M.send(transport, creq)
  return coroutine.yield(SEND, transport, creq)
end

function M.sleep(seconds)
  coroutine.yield(SLEEP, seconds)
end

local unpack = table.unpack or unpack

local function pack(...)
  return { n = select("#", ...), ... }
end

local function check(list, opts)
  if type(list) ~= "table" then error("cloudapi.all: expected a list of calls, got a " .. type(list), 3) end
  opts = opts or {}
  if type(opts) ~= "table" then error("cloudapi.all: options must be a table", 3) end
  local n = opts.concurrency or 16
  if type(n) ~= "number" or n < 1 or n % 1 ~= 0 or n > 1000 then
    error("cloudapi.all: concurrency must be an integer from 1 to 1000", 3)
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
  return fns, n
end

local function raised(msg)
  return errors.new{ kind = "config", message = "the call raised an error: " .. tostring(msg) }
end

-- all(list, {concurrency = 16}) -> { {result, err, info}, ... } in list order
function M.all(list, opts)
  local fns, concurrency = check(list, opts)
  if ngx and ngx.thread and ngx.get_phase and require("cloudapi.transport.ngx").usable() then
    return M.all_ngx(fns, concurrency)
  end
  local results = {}
  local multi = idle_multi or core.http_multi()
  idle_multi = nil
  local waiting = {}   -- session -> { co, i, transport }
  local sleepers = {}  -- { wake, co, i }
  local nexti, running = 1, 0

  local step -- resume co with args; route what it yields next
  local function finish(i, co, ok, ...)
    scheduled[co] = nil
    running = running - 1
    if ok then results[i] = pack(...) else results[i] = { nil, raised((...)), n = 2 } end
  end

  step = function(co, i, ...)
    local out = pack(coroutine.resume(co, ...))
    if coroutine.status(co) == "dead" then return finish(i, co, unpack(out, 1, out.n)) end
    if not out[1] then return finish(i, co, false, out[2]) end
    local tag = out[2]
    if tag == SEND then
      local transport, creq = out[3], out[4]
      local session, err = transport:pooled_session()
      if not session then return step(co, i, nil, "config", err, false) end
      local ok, kind, msg, sent = multi:add(session, creq)
      if not ok then
        transport:release_session(session)
        return step(co, i, nil, kind, msg, sent)
      end
      waiting[session] = { co = co, i = i, transport = transport }
    elseif tag == SLEEP then
      sleepers[#sleepers + 1] = { wake = core.monotonic() + out[3], co = co, i = i }
    else
      -- The call yielded to someone else's coroutine machinery.
      scheduled[co] = nil
      running = running - 1
      results[i] = { nil, raised("it yielded outside cloudapi"), n = 2 }
    end
  end

  while true do
    while running < concurrency and nexti <= #fns do
      local i = nexti
      nexti = nexti + 1
      local co = coroutine.create(fns[i])
      scheduled[co] = true
      running = running + 1
      step(co, i)
    end
    if running == 0 then break end
    -- Wait for transfers, but not past the next sleeper's wake-up.
    local now = core.monotonic()
    local wait = 1
    for _, s in ipairs(sleepers) do wait = math.min(wait, math.max(0, s.wake - now)) end
    if multi:count() > 0 then
      for _, session in ipairs(multi:step(wait)) do
        local w = waiting[session]
        waiting[session] = nil
        local status, headers, body, sent = session:result()
        w.transport:release_session(session)
        step(w.co, w.i, status, headers, body, sent)
      end
    elseif wait > 0 then
      core.sleep(wait)
    end
    now = core.monotonic()
    for k = #sleepers, 1, -1 do
      local s = sleepers[k]
      if s.wake <= now then
        table.remove(sleepers, k)
        step(s.co, s.i)
      end
    end
  end
  idle_multi = multi
  return results
end

-- Inside OpenResty: one light thread per call, at most `concurrency` at once.
function M.all_ngx(fns, concurrency)
  local results = {}
  local nexti = 1
  local function worker()
    while nexti <= #fns do
      local i = nexti
      nexti = nexti + 1
      local out = pack(pcall(fns[i]))
      if out[1] then
        results[i] = pack(unpack(out, 2, out.n))
      else
        results[i] = { nil, raised(out[2]), n = 2 }
      end
    end
  end
  local threads = {}
  for k = 1, math.min(concurrency, #fns) do
    threads[k] = assert(ngx.thread.spawn(worker))
  end
  for k = 1, #threads do ngx.thread.wait(threads[k]) end
  return results
end

return M
