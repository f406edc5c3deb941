-- Huawei Cloud IAM operations: POST /v3/auth/tokens (password method,
-- project / domain / no scope) and GET /v3/projects. The identities and the
-- token state are in iam.lua. Handlers take the gateway's ctx and return
-- status, body (render object), headers or nil, err (IAM's nested form).

local cjson   = require "cjson.safe"
local render  = require "emulator.common.render"
local hw_iam  = require "emulator.huawei.iam"
local request = require "emulator.huawei.request"

local obj, list = render.obj, render.list
local iam_fail, json_object, args_of = request.iam_fail, request.json_object, request.args_of

local M = {}

local function iso6(t)
  local s = math.floor(t)
  return os.date("!%Y-%m-%dT%H:%M:%S", s) .. string.format(".%03d000Z", math.floor((t - s) * 1000))
end

local function domain_obj(d) return obj("name", d.name, "id", d.id) end

local function str(v) return type(v) == "string" and v ~= "" end

function M.issue_token(ctx)
  local b = json_object(ctx.body)
  if not b then return iam_fail(400, "The request body must be a JSON object.") end
  local auth = b.auth
  if type(auth) ~= "table" then return iam_fail(400, "Invalid request body: auth is required.") end
  local identity = auth.identity
  if type(identity) ~= "table" then return iam_fail(400, "Invalid request body: auth.identity is required.") end
  local methods, has_pw = identity.methods, false
  if type(methods) ~= "table" then
    return iam_fail(400, "Invalid request body: auth.identity.methods must be a list.")
  end
  for _, m in ipairs(methods) do if m == "password" then has_pw = true end end
  if not has_pw then
    return iam_fail(400, 'Invalid request body: auth.identity.methods must contain "password" ' ..
                         "(the only method of this emulator).")
  end
  local pw = identity.password
  local user = type(pw) == "table" and pw.user
  local missing = "Invalid request body: auth.identity.password.user%s is required."
  if type(user) ~= "table" then return iam_fail(400, missing:format("")) end
  if not str(user.name) then return iam_fail(400, missing:format(".name")) end
  if not str(user.password) then return iam_fail(400, missing:format(".password")) end
  local ud = user.domain
  if type(ud) ~= "table" or not (str(ud.name) or str(ud.id)) then
    return iam_fail(400, "Invalid request body: auth.identity.password.user.domain.name (or .id) is required.")
  end
  local scope = auth.scope
  if scope ~= nil and scope ~= cjson.null and type(scope) ~= "table" then
    return iam_fail(400, "Invalid request body: auth.scope must be an object.")
  end
  -- credentials
  local domain = str(ud.name) and hw_iam.DOMAINS[ud.name] or nil
  if not str(ud.name) then
    for _, d in pairs(hw_iam.DOMAINS) do if d.id == ud.id then domain = d end end
  end
  if str(ud.name) and str(ud.id) and domain and domain.id ~= ud.id then domain = nil end
  local u = domain and hw_iam.USERS[domain.name][user.name]
  if not u or u.password ~= user.password then
    return iam_fail(401, "The username or password is wrong.")
  end
  -- scope
  local rec = { user = u, domain = domain, methods = { "password" } }
  if type(scope) == "table" then
    if type(scope.project) == "table" then
      local sp = scope.project
      if str(sp.id) then
        local p = hw_iam.PROJECT_BY_ID[sp.id]
        if not p or p.domain ~= domain then
          return iam_fail(400, "Invalid scope: project id " .. sp.id .. " is not a project of domain " ..
                               domain.name .. ".")
        end
        rec.project = p
      elseif str(sp.name) then
        local found = hw_iam.projects_named(sp.name)
        if #found == 0 then
          return iam_fail(400, "Invalid scope: project " .. sp.name .. " does not exist in domain " ..
                               domain.name .. ".")
        end
        if #found > 1 then
          return iam_fail(400, "Invalid scope: several projects are named " .. sp.name .. "; scope by project id.")
        end
        rec.project = found[1]
      else
        return iam_fail(400, "Invalid request body: auth.scope.project needs a name or an id.")
      end
    elseif type(scope.domain) == "table" then
      local sd = scope.domain
      if not (str(sd.name) or str(sd.id)) then
        return iam_fail(400, "Invalid request body: auth.scope.domain needs a name or an id.")
      end
      if (str(sd.name) and sd.name ~= domain.name) or (str(sd.id) and sd.id ~= domain.id) then
        return iam_fail(400, "Invalid scope: the user does not belong to the domain of the scope.")
      end
      rec.scope_domain = domain
    else
      return iam_fail(400, "Invalid request body: auth.scope must hold a project or a domain.")
    end
  end
  local tok = hw_iam.issue(rec, ngx.now())
  local p = rec.project
  return 201, obj("token", obj(
    "expires_at", iso6(rec.expires), "issued_at", iso6(rec.issued), "methods", list({ "password" }),
    "user", obj("name", u.name, "id", u.id, "domain", domain_obj(domain), "password_expires_at", ""),
    "project", p and obj("name", p.name, "id", p.id, "domain", domain_obj(p.domain)) or nil,
    "domain", rec.scope_domain and domain_obj(rec.scope_domain) or nil,
    "roles", list({ obj("name", "te_admin", "id", "0") }), "catalog", list())),
    { ["X-Subject-Token"] = tok }
end

function M.list_projects(ctx)
  local args = args_of(ctx.raw_query)
  if type(args.name) == "table" or type(args.domain_id) == "table" then
    return iam_fail(400, "Invalid query: a parameter is repeated.")
  end
  hw_iam.project_lookup()
  local base = "http://" .. (ngx.var.http_host or "127.0.0.1") .. "/v3/projects"
  local l = list()
  for _, p in ipairs(hw_iam.projects_named(args.name)) do
    if p.domain == ctx.principal.domain and (args.domain_id == nil or args.domain_id == p.domain.id) then
      l[#l + 1] = obj("id", p.id, "name", p.name, "domain_id", p.domain.id, "parent_id", p.domain.id,
                      "enabled", true, "is_domain", false, "description", "",
                      "links", obj("self", base .. "/" .. p.id))
    end
  end
  local self = base .. ((ctx.raw_query ~= "") and ("?" .. ctx.raw_query) or "")
  return 200, obj("projects", l, "links", obj("self", self, "previous", render.null, "next", render.null))
end

return M
