-- Endpoint URLs given by callers (an emulator, a proxy, a private endpoint):
-- parsed and checked once, at construction.
local M = {}

-- parse(s) -> {scheme, host, port, base} | nil, reason. base is the
-- URL without a trailing slash ("http://127.0.0.1:8080"). A bare host name
-- means HTTPS.
function M.parse(s)
  if type(s) ~= "string" or s == "" then return nil, "endpoint must be a non-empty string" end
  if s:find("[%s%c]") then return nil, "endpoint contains whitespace or control characters" end
  local scheme, rest = s:match("^(%a[%w+.-]*)://(.*)$")
  if not scheme then
    if s:find("/", 1, true) or s:find(":", 1, true) then
      return nil, "endpoint '" .. s .. "' is not a URL (expected https://host[:port])"
    end
    scheme, rest = "https", s
  end
  scheme = scheme:lower()
  if scheme ~= "http" and scheme ~= "https" then
    return nil, "endpoint scheme must be http or https, got '" .. scheme .. "'"
  end
  local hostport, path = rest:match("^([^/?#]*)(.*)$")
  if path ~= "" and path ~= "/" then
    return nil, "endpoint '" .. s .. "' must not have a path, query or fragment"
  end
  if hostport:find("@", 1, true) then return nil, "endpoint must not contain user info" end
  local host, port = hostport:match("^(%[[%x:.]+%])(.*)$")
  if not host then host, port = hostport:match("^([^:]*)(.*)$") end
  if host == "" or not host:match("^[%w%.%-%[%]:]+$") then
    return nil, "endpoint '" .. s .. "' has no valid host"
  end
  if port ~= "" then
    port = port:match("^:(%d+)$")
    if not port or tonumber(port) < 1 or tonumber(port) > 65535 then
      return nil, "endpoint '" .. s .. "' has an invalid port"
    end
    port = tonumber(port)
  else
    port = scheme == "https" and 443 or 80
  end
  return { scheme = scheme, host = host, port = port, hostport = hostport,
           base = scheme .. "://" .. hostport }
end

return M
