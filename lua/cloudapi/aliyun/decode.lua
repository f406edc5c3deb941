-- The decode step of an Alibaba Cloud answer: JSON or XML into a table, or
-- the service's error (Code, Message, RequestId, HostId, Recommend; the
-- ROA products' lowercase code/message/requestId too) into an error object.
local json = require "cloudapi.json"
local xml = require "cloudapi.xml"
local errors = require "cloudapi.errors"
local retry = require "cloudapi.retry"
local content = require "cloudapi.content"

local M = {}

local EMPTY = {}
local byte = string.byte

local SUCCESS_CODES = { ["200"] = true, OK = true, Success = true, ["0"] = true }

local function parse(body, as, xml_lists)
  if as == "xml" then
    local root, value = xml.decode(body, xml_lists)
    if not root then return nil, value end
    return value
  end
  return json.decode_object(body)
end

-- value_of(res, want, failed, xml_lists) -> value | nil, why: the body in
-- the format asked for (want: "json" or "xml"); an error answer (failed)
-- may come in the format its Content-Type names instead. An HTML page is
-- never an answer. The Content-Type is read only when the body is not
-- plainly what was asked for: headers are parsed on first use.
local function value_of(res, want, failed, xml_lists)
  local body = res.body or ""
  local first = byte(body, 1) == 123 and "{" or content.first(body) -- "{": the usual answer
  if want == "json" and first == "{" then
    local v, why = json.decode_object(body)
    if v or not failed then return v, why end
  elseif want == "xml" and first == "<" and not content.looks_html(body) then
    local v, why = parse(body, "xml", xml_lists)
    if v or not failed then return v, why end
  end
  local media = content.media(res.headers)
  if media == "html" or content.looks_html(body) then return nil, "an HTML page is not an API answer" end
  if body == "" then return nil, "the body is empty" end
  if not failed then
    local looks = (first == "{" and "json") or (first == "<" and "xml") or nil
    if media == want then return nil, "the body is not " .. want:upper() .. " though its Content-Type says it is" end
    if media == "json" or media == "xml" then return nil, "the server sent " .. media:upper() end
    if looks then return nil, "the body looks like " .. looks:upper() end
    return nil, "not " .. want:upper()
  end
  local as = (media == "json" or media == "xml") and media or (first == "{" and "json") or (first == "<" and "xml")
  if not as then return nil, "neither JSON nor XML" end
  return parse(body, as, xml_lists)
end

-- response(client, req, res) -> value, nil, request_id | nil, err (the
-- client's decode step: client.format, client.xml_lists, req.action)
function M.response(client, req, res)
  local status = res.status
  local is_error = status < 200 or status >= 300
  local want = client.format == "XML" and "xml" or "json"
  local value, why = value_of(res, want, is_error, client.xml_lists)
  local request_id = value and (value.RequestId or value.requestId)
  if request_id == nil then request_id = (res.headers or EMPTY)["x-acs-request-id"] end
  if value and not is_error and type(value.Code) == "string" and value.Message ~= nil
     and value.Success ~= true and not SUCCESS_CODES[value.Code] then
    is_error = true
  end
  if not is_error then
    if value then return value, nil, request_id end
    return nil, content.undecodable(res, want:upper(), tostring(why), request_id)
  end
  local e = {
    kind = "service", status = status, request_id = request_id,
    code = value and (value.Code or value.code) or ("HTTP" .. status),
    host_id = value and value.HostId,
    recommend = value and value.Recommend,
    action = req.action,
  }
  local message = value and (value.Message or value.message)
  if message == nil then
    -- The body itself, cut only after redaction (errors.scrub).
    message, e.excerpt = res.body or "", 200
  end
  e.message = message
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
