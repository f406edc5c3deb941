-- Checks of VPCEP request bodies and queries, and the errors handlers
-- return (nil, err; rendered flat: error_code/error_msg):
--   EndPoint.0002 bad parameter (400)   EndPoint.0005 not found (404)
--   EndPoint.0006 bad limit (400)       EndPoint.0010 bad offset (400)
-- The checkers return true (check_ports: the normalized list) or nil, err.

local M = {}

local function err(status, code, message)
  return nil, { status = status, code = code, message = message }
end

local function bad(message) return err(400, "EndPoint.0002", "Parameter error: " .. message) end

local function not_found(what, id)
  return err(404, "EndPoint.0005", "The requested resource does not exist: " .. what .. " " .. id .. " not found.")
end

local function is_array(v)
  if type(v) ~= "table" then return false end
  local n = 0
  for k in pairs(v) do
    if type(k) ~= "number" then return false end
    n = n + 1
  end
  return n == #v
end

local function is_int(v, lo, hi)
  return type(v) == "number" and v == math.floor(v) and v >= lo and v <= hi
end

local function opt_string(body, name, pattern, what)
  local v = body[name]
  if v == nil then return true end
  if type(v) ~= "string" or (pattern and not v:match(pattern)) then
    return bad(name .. " must be " .. (what or "a string"))
  end
  return true
end

local function req_string(body, name)
  local v = body[name]
  if v == nil or v == "" then return bad(name .. " is required") end
  if type(v) ~= "string" then return bad(name .. " must be a string") end
  return true
end

local function opt_bool(body, name)
  local v = body[name]
  if v ~= nil and type(v) ~= "boolean" then return bad(name .. " must be true or false") end
  return true
end

local function check_ports(v)
  if not is_array(v) or #v == 0 then return bad("ports must be a non-empty list") end
  if #v > 200 then return bad("ports may hold at most 200 entries") end
  local out, seen = {}, {}
  for i, p in ipairs(v) do
    if type(p) ~= "table" then return bad("ports[" .. i .. "] must be an object") end
    for _, name in ipairs({ "client_port", "server_port" }) do
      if not is_int(p[name], 1, 65535) then
        return bad("ports[" .. i .. "]." .. name .. " must be an integer 1..65535")
      end
    end
    local proto = p.protocol == nil and "TCP" or p.protocol
    if proto ~= "TCP" then return bad("ports[" .. i .. "].protocol must be TCP") end
    if seen[p.client_port] then return bad("ports: client_port " .. p.client_port .. " is repeated") end
    seen[p.client_port] = true
    out[i] = { client_port = p.client_port, server_port = p.server_port, protocol = proto }
  end
  return out
end

-- limit (1..1000, default 10) and offset (>= 0, default 0) from the query.
local function paging(args)
  local limit, offset = 10, 0
  if args.limit ~= nil then
    limit = type(args.limit) == "string" and args.limit:match("^%d+$") and tonumber(args.limit)
    if not limit or limit < 1 or limit > 1000 then
      return err(400, "EndPoint.0006",
                 "Invalid limit: must be an integer 1..1000, got '" .. tostring(args.limit) .. "'.")
    end
  end
  if args.offset ~= nil then
    offset = type(args.offset) == "string" and args.offset:match("^%d+$") and tonumber(args.offset)
    if not offset or offset > 1e9 then
      return err(400, "EndPoint.0010",
                 "Invalid offset: must be an integer >= 0, got '" .. tostring(args.offset) .. "'.")
    end
  end
  return limit, offset
end

-- Newest first, filtered, then the page (none under an empty_page fault).
local function page(items, args, keep, fault)
  local limit, offset = paging(args)
  if not limit then return nil, offset end
  local matched = {}
  for i = #items, 1, -1 do
    if keep(items[i]) then matched[#matched + 1] = items[i] end
  end
  local out = {}
  if fault and fault.kind == "empty_page" then return out, #matched end
  for i = offset + 1, math.min(#matched, offset + limit) do out[#out + 1] = matched[i] end
  return out, #matched
end

local NAME_PATTERN, NAME_RULE = "^[%w_%-]+$", "1-16 letters, digits, '_' or '-'"

local function check_name(v)
  if v ~= nil and (type(v) ~= "string" or #v < 1 or #v > 16 or not v:match(NAME_PATTERN)) then
    return bad("service_name must be " .. NAME_RULE)
  end
  return true
end

M.err, M.bad, M.not_found = err, bad, not_found
M.req_string, M.opt_string, M.opt_bool = req_string, opt_string, opt_bool
M.check_ports, M.check_name, M.page = check_ports, check_name, page

return M
