-- One API command, through a cloud's adapter (cli/rpc.lua, cli/roa.lua,
-- cli/huawei.lua): the flags checked, the client made (credentials and
-- region from cli/profiles.lua), then a dry run, every page (--pager), a
-- wait (--waiter) or one call, and the result printed.
-- run(parsed, adapter, out, err) -> exit status (cli/report.lua).
local paginate = require "cloudapi.paginate"
local lookup = require "cloudapi.lookup"
local output = require "cloudapi.cli.output"
local report = require "cloudapi.cli.report"
local dryrun = require "cloudapi.cli.dryrun"
local progress = require "cloudapi.cli.progress"
local profiles = require "cloudapi.cli.profiles"

local M = {}

local unpack = table.unpack or unpack

-- The transport a client gets from the command: the default one, keeping
-- the last answer's body for --output raw.
local function capturing()
  local inner = require("cloudapi.transport.curl").new()
  local t = { last_body = nil }
  function t.send(_, req)
    local res, kind, msg, sent = inner:send(req)
    if res then t.last_body = res.body end
    return res, kind, msg, sent
  end
  function t.sleep(_, s) return inner:sleep(s) end
  function t.close() return inner:close() end
  return t
end

local function number_flag(v, name, lo, hi, integer)
  if v == nil then return nil end
  -- decimal only: tonumber also takes 0x10, " 3" and 1e2
  local n = tostring(v):match("^%-?%d+%.?%d*$") and tonumber(v)
  if not n or n ~= n or n < lo or n > hi or (integer and n % 1 ~= 0) then
    return false, string.format("--%s must be %s from %g to %g, got '%s'", name,
                                integer and "an integer" or "a number", lo, hi, tostring(v))
  end
  return n
end

-- check(flags) -> settings | nil, usage message
local function check(f)
  local s = {}
  local why
  s.timeout, why = number_flag(f.timeout, "timeout", 0.001, 86400)
  if s.timeout == false then return nil, why end
  s.retry, why = number_flag(f.retry, "retry", 0, 100, true)
  if s.retry == false then return nil, why end
  if f.format and not (f.format:lower() == "json" or f.format:lower() == "xml") then
    return nil, "--format must be json or xml, got '" .. f.format .. "'"
  end
  if f.network and f.network ~= "vpc" and f.network ~= "public" then
    return nil, "--network must be vpc (or public), got '" .. f.network .. "'"
  end
  if f.output and not f.output.word and not f.output.cols then
    return nil, "--output needs json, raw or cols=A,B [rows=PATH]"
  end
  if f.output and f.output.cols then
    local ok
    ok, why = output.columns(f.output.cols)
    if not ok then return nil, why end
    if f.output.rows then
      ok, why = lookup.parse(f.output.rows)
      if not ok then return nil, "--output rows=: " .. why end
    end
  end
  if f.pager and f.waiter then return nil, "--pager and --waiter do not go together" end
  if f.dryrun and (f.pager or f.waiter) then return nil, "--dryrun sends nothing: it cannot page or wait" end
  local w = f.waiter
  if w then
    if not w.path or not w.to then return nil, "--waiter needs path=PATH and to=VALUE" end
    if w.fail and not w.fail:find("[^,]") then return nil, "--waiter fail= needs values: fail=Stopped,Deleted" end
    local ok
    ok, why = lookup.parse(w.path)
    if not ok then return nil, "--waiter path=: " .. why end
    s.wait_timeout, why = number_flag(w.timeout, "waiter timeout=", 0.001, 86400)
    if s.wait_timeout == false then return nil, why end
    s.wait_interval, why = number_flag(w.interval, "waiter interval=", 0.001, 3600)
    if s.wait_interval == false then return nil, why end
  end
  if f.pager and f.pager.path then
    local ok
    ok, why = lookup.parse(f.pager.path)
    if not ok then return nil, "--pager path=: " .. why end
  end
  if f.query then
    local ok
    ok, why = lookup.parse(f.query)
    if not ok then return nil, "--query: " .. why end
  end
  return s
end

-- Every page, merged into the first: its list holds every item, and the
-- cursor to a next page is gone.
local function all_pages(client, args, path, show)
  local step, cursor = paginate.pager(client, path, args)
  local first, items, n = nil, {}, 0
  while true do
    local page, err, _, list = step()
    if page == nil then break end
    if page == false then show:done(); return nil, err end
    n = n + 1
    first = first or page
    if not path then path = paginate.find_list(page) end
    for _, item in ipairs(list or {}) do items[#items + 1] = item end
    show:update(string.format("cloudapi: page %d, %d items", n, #items))
  end
  show:done()
  if path and type(first) == "table" then lookup.set(first, path, items) end
  local field = cursor and cursor:next_field()
  if field and type(first) == "table" and lookup.get(first, field) ~= nil then lookup.set(first, field, nil) end
  return first
end

-- The values a --waiter word means: the text, and the number or boolean it spells.
local function spelled(word, into)
  into[#into + 1] = word
  local n = tonumber(word)
  if n then into[#into + 1] = n end
  if word == "true" or word == "false" then into[#into + 1] = word == "true" end
  return into
end

-- wanted(w) -> wait's options for to= (and fail=V1,V2: values that end the wait with an error)
local function wanted(w)
  local to = spelled(w.to, {})
  local opts = #to == 1 and { equals = to[1] } or { any_of = to }
  if w.fail then
    local fail = {}
    for word in w.fail:gmatch("[^,]+") do spelled(word, fail) end
    opts.fail_on = fail
  end
  return opts
end

local function wait(client, adapter, spec, args, callopts, w, s, show)
  if not adapter.is_read(spec) then
    local ok, why = adapter.can_follow(spec)
    if not ok then return nil, report.usage(why) end
    local res, err = client[client.CALL.method](client, unpack(args, 1, args.n))
    if res == nil then return nil, err end
    args, why = adapter.follow(spec, res, callopts)
    if not args then return nil, report.usage(why) end
  end
  local opts = wanted(w)
  opts.path, opts.timeout, opts.interval = w.path, s.wait_timeout, s.wait_interval
  opts.on_poll = function(v, polls, elapsed)
    show:update(string.format("cloudapi: waiting for %s to be %s: %s (read %d, %.1f s)", w.path, w.to,
                              type(v) == "table" and "..." or tostring(v), polls, elapsed))
  end
  local a = { unpack(args, 1, args.n) }
  a[args.n + 1] = opts
  local res, err = client:wait(unpack(a, 1, args.n + 1))
  show:done()
  return res, err
end

function M.run(parsed, adapter, out, errout)
  local f = parsed.flags
  local as_json = f.output ~= nil and f.output.word == "json"
  local function fail(e)
    errout:write(report.error(e, as_json))
    return report.status(e)
  end
  local s, why = check(f)
  if not s then return fail(report.usage(why)) end
  local spec
  spec, why = adapter.parse(parsed.positional, parsed.params, f)
  if not spec then return fail(report.usage(why)) end
  local who
  who, why = profiles.resolve(adapter.CLOUD, f)
  if not who then return fail(report.usage(why)) end
  if f.debug and not f.region and who.note then errout:write("debug: " .. who.note .. "\n") end
  local transport = capturing()
  local opts = {
    endpoint = f.endpoint, region = f.region or who.region, credentials = who.credentials, transport = transport,
    timeout = s.timeout and { connect = math.min(s.timeout, 10), read = s.timeout } or nil,
    retry = s.retry and (s.retry == 0 and false or { attempts = s.retry }) or nil,
    on_event = f.debug and function(ev) errout:write(report.event(ev)) end or nil,
  }
  local ok, client = pcall(adapter.client, spec, opts, f)
  if not ok then return fail(report.usage((tostring(client):gsub("^[^:]*:%d+: ", "")))) end
  local callopts = s.timeout and { deadline = s.timeout } or nil
  if f.dryrun then
    local req, err = adapter.prepare(client, spec)
    if not req then return fail(err) end
    out:write(dryrun.text(client, req))
    return report.OK
  end
  local args = adapter.args(spec, callopts)
  local show = progress.new(errout)
  local result, err
  if f.pager then
    result, err = all_pages(client, args, f.pager.path, show)
  elseif f.waiter then
    result, err = wait(client, adapter, spec, args, callopts, f.waiter, s, show)
  else
    result, err = client[client.CALL.method](client, unpack(args, 1, args.n))
  end
  client:close()
  if result == nil then return fail(err) end
  local raw = not f.pager and transport.last_body or nil
  local text
  text, why = output.render(result, { output = f.output, query = f.query, raw = raw })
  if not text then return fail(report.usage(why)) end
  out:write(text, "\n")
  return report.OK
end

return M
