-- A small INI reader for credential files (~/.alibabacloud/credentials,
-- ~/.huaweicloud/credentials): [section] lines, key = value (or key:
-- value) lines, comments starting with # or ; and anything after a # in a
-- value (as the official Python libraries read them). Keys are lowercased;
-- a repeated key keeps its last value. A malformed line is reported by its
-- number only: it may hold a secret.
local M = {}

-- parse(text) -> { [section] = { [key] = value } } | nil, reason
function M.parse(text)
  local sections, current, n = {}, nil, 0
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    line = line:gsub("\r$", "")
    if n == 1 then line = line:gsub("^\239\187\191", "") end -- a UTF-8 BOM
    local trimmed = line:match("^%s*(.-)%s*$")
    if trimmed == "" or trimmed:match("^[#;]") then -- luacheck: ignore 542
      -- blank or a comment
    elseif trimmed:match("^%[.*%]$") then
      local name = trimmed:match("^%[%s*(.-)%s*%]$")
      if name == "" then return nil, "line " .. n .. " has an empty section name" end
      current = sections[name] or {}
      sections[name] = current
    else
      local key, value = trimmed:match("^([^=:]-)%s*[=:]%s*(.*)$")
      if not key or key == "" then return nil, "line " .. n .. " is not a [section], key = value or comment" end
      if not current then return nil, "line " .. n .. " comes before any [section]" end
      current[key:lower()] = value:gsub("#.*$", ""):match("^(.-)%s*$")
    end
  end
  return sections
end

return M
