-- --dryrun: the signed request as it would go out, with the signature,
-- tokens and every secret the client holds redacted; nothing is sent.
local errors = require "cloudapi.errors"

local M = {}

-- Headers whose whole value is secret, and the signature inside Authorization.
local SECRET_HEADERS = { ["x-security-token"] = true, ["x-auth-token"] = true, ["x-acs-security-token"] = true }

local function header_value(client, name, value)
  local lower = name:lower()
  if SECRET_HEADERS[lower] then return "[REDACTED]" end
  if lower == "authorization" then
    -- ACS3 and Huawei: ...,Signature=hex; ROA acs: "acs AccessKeyId:signature"
    value = value:gsub("Signature=[^,%s]+", "Signature=[REDACTED]"):gsub("^(acs [^:%s]+:).*$", "%1[REDACTED]")
  end
  return errors.scrub_string(value, client)
end

-- text(client, req) -> "METHOD URL\nName: value\n...\n\nbody\n"
function M.text(client, req)
  local lines = { req.method .. " " .. errors.safe_url(req.url, client) }
  local names = {}
  for name in pairs(req.headers or {}) do names[#names + 1] = name end
  table.sort(names, function(a, b) return a:lower() < b:lower() end)
  for _, name in ipairs(names) do
    lines[#lines + 1] = name .. ": " .. header_value(client, name, tostring(req.headers[name]))
  end
  local out = table.concat(lines, "\n") .. "\n"
  if req.body and req.body ~= "" then out = out .. "\n" .. errors.scrub_string(req.body, client) .. "\n" end
  return out
end

return M
