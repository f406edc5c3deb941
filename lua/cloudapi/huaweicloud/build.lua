-- The build and sign steps of a Huawei Cloud REST request: path templates
-- filled and encoded (cloudapi.path), the query in canonical form, headers
-- checked, a table body as JSON (cloudapi.rest), then signed with SDK-HMAC-SHA256 (or V11) by the C
-- core, or carrying an IAM token.
local core = require "cloudapi.core"
local errors = require "cloudapi.errors"
local clock = require "cloudapi.clock"
local paths = require "cloudapi.path"
local rest = require "cloudapi.rest"

local M = {}


-- Headers the client computes; a caller setting one is a mistake.
local RESERVED = { authorization = true, ["x-sdk-date"] = true, host = true, ["x-auth-token"] = true,
                   ["content-length"] = true }

-- {project_id} and {domain_id} are the client's own; a '/' in a value
-- is refused (gateways disagree on whether %2F splits a segment).
local function own_ids(name, project_id, domain_id)
  if name == "project_id" then return project_id end
  if name == "domain_id" then return domain_id end
end
local PATH_RULES = { own = own_ids, slash = "gateways disagree on whether an encoded '/' splits a segment" }

local function filled_path(self, p, vals, project_id)
  if vals ~= nil then return paths.fill(p, vals, PATH_RULES, project_id, self.domain_id) end
  return paths.cached(self.paths, p, PATH_RULES, project_id, self.domain_id)
end


-- request(self, base_url, hostport, method, path, opts, ctx) -> req | nil, err
-- ctx: { creds=, project_id=, token=, date=, global= }
function M.request(self, base_url, hostport, method, path, opts, ctx)
  local why
  method, why = rest.method(method)
  if not method then return nil, why end
  opts = opts or {}
  if type(opts) ~= "table" then return nil, errors.config("options must be a table") end
  local filled
  filled, why = filled_path(self, path, opts.path, ctx.project_id)
  if not filled then return nil, errors.config(why) end
  local query
  query, why = rest.query(opts.query, true)
  if not query then return nil, why end
  local headers, own, body = rest.headers_and_body(opts, RESERVED, "application/json")
  if not headers then return nil, own end

  headers.Host = hostport
  if ctx.global then
    if self.domain_id then headers["X-Domain-Id"] = self.domain_id end
  elseif ctx.project_id then
    headers["X-Project-Id"] = ctx.project_id
  end

  local req = { method = method, headers = headers, body = body, path = filled }
  local creds = ctx.creds
  local q
  if ctx.token then
    headers["X-Auth-Token"] = ctx.token
    -- Nothing to sign, but the query goes out in canonical form all the same.
    q = core.canonical_query(query)
  else
    if creds.security_token and creds.security_token ~= "" then
      headers["X-Security-Token"] = creds.security_token
    end
    local date = ctx.date
    if not date then
      local now, bad = clock.now(self)
      if not now then return nil, errors.config(bad) end
      date = core.sdk_date(now)
    end
    headers["X-Sdk-Date"] = date
    local ok, auth, canonical, cq = pcall(core.sdk_sign, {
      method = method, path = filled, query = query, headers = headers,
      body = body, payload_hash = own["x-sdk-content-sha256"], ak = creds.ak, sk = creds.sk,
      date = date, algorithm = self.algorithm, region = self.region, service = self.service,
    })
    if not ok then return nil, errors.config("cannot sign: " .. tostring(auth)) end
    headers.Authorization = auth
    req.canonical_request = canonical
    q = cq
  end
  -- Sent, not signed: a proxy may rewrite it.
  if not own["user-agent"] then headers["User-Agent"] = self.user_agent end
  req.url = base_url .. filled .. (q ~= "" and ("?" .. q) or "")
  return req
end

return M
