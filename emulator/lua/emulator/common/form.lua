-- Byte-exact decoding of a query string or an
-- application/x-www-form-urlencoded body. We do it ourselves (instead of
-- ngx.req.get_uri_args) so the signature check sees exactly what the client
-- sent: no argument limit, no silent merging, no table values.

local M = {}

local char, tonumber, gsub = string.char, tonumber, string.gsub

local function hex(h)
  return char(tonumber(h, 16))
end

function M.unescape(s)
  s = gsub(s, "+", " ")          -- form encoding: '+' is a space
  return (gsub(s, "%%(%x%x)", hex)) -- malformed '%' sequences stay literal
end

-- Decodes `raw` into `into` (a table, created if nil). A later duplicate key
-- overrides an earlier one; a key without '=' gets the empty string.
function M.decode(raw, into)
  into = into or {}
  if not raw or raw == "" then return into end
  for pair in string.gmatch(raw, "[^&]+") do
    local eq = string.find(pair, "=", 1, true)
    local k, v
    if eq then
      k, v = string.sub(pair, 1, eq - 1), string.sub(pair, eq + 1)
    else
      k, v = pair, ""
    end
    if k ~= "" then into[M.unescape(k)] = M.unescape(v) end
  end
  return into
end

return M
