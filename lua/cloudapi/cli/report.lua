-- How the command shows what went wrong and what happened: an error as one
-- readable line (code, message, request id) plus its diagnosis, or as JSON
-- with --output json; --debug's event lines; and the exit status:
--   0 success, 1 a service error, 2 a usage error (bad credentials too), 3
--   network, timeouts (reaching STS or a metadata service included) and a
--   --waiter that timed out. Errors and events come redacted from the
--   library; nothing here adds a secret.
local json = require "cloudapi.json"

local M = {}

M.OK, M.SERVICE, M.USAGE, M.NETWORK = 0, 1, 2, 3

local STATUS = { service = 1, decode = 1, network = 3, timeout = 3, config = 2, credentials = 2, usage = 2 }

function M.status(err)
  local cause = err.kind == "credentials" and err.cause_kind
  if cause == "network" or cause == "timeout" then return M.NETWORK end
  return STATUS[err.kind] or 1
end

-- The fields an error shows as JSON.
local FIELDS = { "kind", "code", "status", "message", "request_id", "host_id", "recommend", "diagnosis",
                 "attempts", "retryable", "value", "page", "cause_kind" }

-- one_line(s): s with its line breaks written as \n, so an error or an event
-- stays one line however many lines a server quoted into it.
local function one_line(s)
  return (tostring(s):gsub("\r?\n", "\\n"))
end

function M.line(err)
  local head = err.code and tostring(err.code) or (tostring(err.kind) .. " error")
  local extra = {}
  if err.status then extra[#extra + 1] = "HTTP " .. tostring(err.status) end
  if err.request_id then extra[#extra + 1] = "RequestId " .. tostring(err.request_id) end
  if (err.attempts or 1) > 1 then extra[#extra + 1] = err.attempts .. " attempts" end
  local text = "cloudapi: " .. head .. ": " .. one_line(err.message)
  if #extra > 0 then text = text .. " (" .. table.concat(extra, ", ") .. ")" end
  return text
end

-- error(err, as_json) -> the text for stderr
function M.error(err, as_json)
  if as_json then
    local t = {}
    for _, k in ipairs(FIELDS) do
      local v = err[k]
      if type(v) == "string" or type(v) == "number" or type(v) == "boolean" then t[k] = v end
    end
    return json.encode({ error = t }) .. "\n"
  end
  local text = M.line(err) .. "\n"
  if err.diagnosis then text = text .. "cloudapi: diagnosis: " .. one_line(err.diagnosis) .. "\n" end
  if err.kind == "usage" then text = text .. "Try 'cloudapi --help'.\n" end
  return text
end

-- usage(message) -> an error table of kind "usage" (the command's own kind)
function M.usage(message)
  return { kind = "usage", message = message }
end

-- event(ev) -> one line for --debug
function M.event(ev)
  if ev.type ~= "attempt" then
    return string.format("debug: %s %s%s\n", tostring(ev.type), tostring(ev.source or ev.client),
                         ev.error and (": " .. one_line(ev.error)) or "")
  end
  local outcome = ev.error and one_line(ev.error) or tostring(ev.status)
  -- an error's text names its request id already
  local rid = ev.request_id and not outcome:find(ev.request_id, 1, true) and (" [RequestId " .. ev.request_id .. "]")
  return string.format("debug: attempt %d: %s %s -> %s in %.1f ms%s\n", ev.attempt, ev.method, ev.url, outcome,
                       (ev.duration or 0) * 1000, rid or "")
end

return M
