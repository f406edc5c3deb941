-- The decode step of an Alibaba Cloud answer: JSON or XML into a table, or
-- the service's error (Code, Message, RequestId, HostId, Recommend; the
-- ROA products' lowercase code/message/requestId too) into an error object.
local json = require "cloudapi.json"
local xml = require "cloudapi.xml"
local errors = require "cloudapi.errors"
local retry = require "cloudapi.retry"

local M = {}

local byte = string.byte
local EMPTY = {}

local SUCCESS_CODES = { ["200"] = true, OK = true, Success = true, ["0"] = true }

-- body(body, xml_lists) -> value | nil, reason
local function value_of(body, xml_lists)
  local first = byte(body, 1) == 123 and "{" or body:match("^%s*(.)")
  if first == "<" then
    local root, value = xml.decode(body, xml_lists)
    if not root then return nil, value end
    return value
  elseif first == "{" then
    return json.decode_object(body)
  end
  return nil, body == "" and "empty body" or "neither JSON nor XML"
end

-- response(client, req, res) -> value, nil, request_id | nil, err (the
-- client's decode step: client.xml_lists, req.action)
function M.response(client, req, res)
  local body = res.body or ""
  local value, why = value_of(body, client.xml_lists)
  local status = res.status
  local request_id = value and (value.RequestId or value.requestId)
  if request_id == nil then request_id = (res.headers or EMPTY)["x-acs-request-id"] end
  local is_error = status < 200 or status >= 300
  if value and not is_error and type(value.Code) == "string" and value.Message ~= nil
     and value.Success ~= true and not SUCCESS_CODES[value.Code] then
    is_error = true
  end
  if not is_error then
    if value then return value, nil, request_id end
    return nil, errors.new{ kind = "decode", status = status, request_id = request_id,
                            message = "cannot decode the response: " .. tostring(why) ..
                                      " (body starts: " .. body:sub(1, 120) .. ")" }
  end
  local e = {
    kind = "service", status = status, request_id = request_id,
    code = value and (value.Code or value.code) or ("HTTP" .. status),
    message = value and (value.Message or value.message) or body:sub(1, 200),
    host_id = value and value.HostId,
    recommend = value and value.Recommend,
    action = req.action,
  }
  e.retryable = retry.retryable(e)
  return nil, errors.new(e)
end

-- Server answers meaning our clock is off.
M.SKEW_CODES = { ["InvalidTimeStamp.Expired"] = true, IllegalTimestamp = true }

-- How a signature mismatch is diagnosed (client.lua): the server quotes
-- its string to sign in the message.
M.SIGNATURE = {
  codes = { SignatureDoesNotMatch = true, IncompleteSignature = true },
  quoted = "string to sign is:%s*(.-)%s*$",
  field = "string_to_sign",
  names = { who = "server", what = "string to sign", whats = "strings to sign",
            secret = "AccessKeySecret", id = "AccessKeyId" },
}

return M
