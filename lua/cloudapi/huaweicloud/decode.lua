-- The decode step of a Huawei Cloud answer: a JSON body into a table (a
-- non-JSON one as {body = ...}), or one of the four error shapes the
-- services use into an error object.
local json = require "cloudapi.json"
local errors = require "cloudapi.errors"
local retry = require "cloudapi.retry"
local content = require "cloudapi.content"

local M = {}

local EMPTY = {}

-- {error = {code, message | title}} (IAM), {error_code, error_msg},
-- {errorCode, errorMsg}, {code, message}
local function error_fields(t)
  if type(t) ~= "table" then return nil, nil end
  if type(t.error) == "table" then
    return t.error.code, t.error.message or t.error.title
  end
  return t.error_code or t.errorCode or t.code, t.error_msg or t.errorMsg or t.message
end

-- service_error(res) -> error object for a non-2xx answer
function M.service_error(res)
  local decoded = json.decode(res.body or "")
  local code, message = error_fields(decoded)
  local headers = res.headers or EMPTY
  local e = {
    kind = "service", status = res.status,
    code = code ~= nil and tostring(code) or ("HTTP" .. res.status),
    message = message ~= nil and tostring(message) or (res.body or ""),
    -- The body itself is cut only after redaction (errors.scrub).
    excerpt = message == nil and 200 or nil,
    request_id = headers["x-request-id"] or (type(decoded) == "table" and decoded.request_id) or nil,
  }
  e.retryable = retry.retryable(e)
  return errors.new(e)
end

-- A 2xx body: JSON (the services' format) into a table, an empty one as
-- {}, another declared type (a download, text) as {body = ...}. An HTML
-- page (a proxy, a captive portal) or an undeclared body that is not JSON
-- is a decode error.
local function success(res)
  local body = res.body or ""
  if body == "" then return {} end
  local first = content.first(body)
  local media = (first ~= "{" and first ~= "[") and content.media(res.headers) or "json"
  if media == "json" then
    local v, err = json.decode(body)
    if v == nil then
      return nil, content.undecodable(res, "JSON", "invalid JSON: " .. tostring(err))
    end
    if type(v) ~= "table" then v = { value = v } end
    return v
  end
  if media == "html" or content.looks_html(body) then
    return nil, content.undecodable(res, "JSON", "an HTML page is not an API answer")
  end
  if media == nil then return nil, content.undecodable(res, "JSON", "not JSON") end
  return { body = body }
end

-- response(res) -> value, nil, request_id | nil, err
function M.response(res)
  if res.status < 200 or res.status >= 300 then return nil, M.service_error(res) end
  local v, err = success(res)
  if not v then return nil, err end
  return v, nil, (res.headers or EMPTY)["x-request-id"]
end

-- The gateway says our X-Sdk-Date is too far off.
function M.skewed(e)
  return e.code == "APIGW.0303" or (e.status == 401 and type(e.message) == "string"
                                    and e.message:lower():find("expired", 1, true) ~= nil)
end

-- How a signature mismatch is diagnosed (client.lua): the gateway quotes
-- its canonical request in the message.
M.SIGNATURE = {
  codes = { ["APIGW.0301"] = true, ["APIG.0301"] = true },
  quoted = "canonicalRequest:%s?(.*)$",
  field = "canonical_request",
  names = { who = "gateway", what = "canonical request", whats = "canonical requests",
            secret = "SK", id = "AK" },
}

return M
