-- What a response body is, for the decode steps of both clouds: the media
-- type its Content-Type names, whether it looks like JSON or like an HTML
-- page (a proxy's or a captive portal's, not an API's answer), and the
-- decode error for a body that is not what the API should have sent.
local errors = require "cloudapi.errors"

local M = {}

-- Bytes of the body a decode error shows (after redaction).
M.EXCERPT = 120

local byte = string.byte

-- media(headers) -> "json" | "xml" | "html" | "other" | nil (no
-- Content-Type), and the Content-Type as sent
function M.media(headers)
  local ct = type(headers) == "table" and headers["content-type"]
  if type(ct) ~= "string" then return nil end
  local t = ct:match("^%s*([^;%s]+)")
  if not t then return nil end
  t = t:lower()
  if t == "text/html" or t == "application/xhtml+xml" then return "html", ct end
  if t == "application/json" or t == "text/json" or t:find("+json", 1, true) then return "json", ct end
  if t == "application/xml" or t == "text/xml" or t:find("+xml", 1, true) then return "xml", ct end
  return "other", ct
end

-- first(body) -> the first byte that is not white space ("" for none)
function M.first(body)
  local c = byte(body, 1)
  if c == 123 or c == 60 then return c == 123 and "{" or "<" end -- the usual case, no pattern
  return body:match("^%s*(.)") or ""
end

-- Whether body starts as an HTML page does.
function M.looks_html(body)
  local head = body:sub(1, 512):lower()
  return head:match("^%s*<!doctype%s+html") ~= nil or head:match("^%s*<html[%s>]") ~= nil
      or head:match("^%s*<head[%s>]") ~= nil or head:match("^%s*<body[%s>]") ~= nil
end

-- undecodable(res, expected, why) -> a decode error naming what was
-- expected, why the body is not it, its Content-Type and its first bytes
-- (cut after redaction: the error's excerpt).
function M.undecodable(res, expected, why, request_id)
  local body = res.body or ""
  local _, ct = M.media(res.headers)
  local prefix = string.format("cannot decode the response as %s: %s (Content-Type %s)", expected, why,
                               ct and ("'" .. ct .. "'") or "absent")
  local message, excerpt = prefix .. ": the body is empty", nil
  if body ~= "" then
    local sep = "; the body starts: "
    message = prefix .. sep .. body
    excerpt = #prefix + #sep + M.EXCERPT
  end
  return errors.new{ kind = "decode", status = res.status, request_id = request_id, message = message,
                     excerpt = excerpt }
end

return M
