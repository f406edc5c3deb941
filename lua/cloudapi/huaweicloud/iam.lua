-- Huawei Cloud IAM for the REST client: password tokens (cached until
-- shortly before they expire) and project-id lookup (cached per AK and
-- region). The caches live in this module, shared by every client of the
-- process (each entry keyed so clients never see each other's: a token by
-- the user's identity, password included), and, with a client's
-- shared_dict inside OpenResty, in that lua_shared_dict so every worker
-- shares them. Concurrent refreshes of one entry collapse into one
-- request (cloudapi.once: light threads of a worker, calls of
-- cloudapi.all).
--
-- Every function takes `iam`, what a client lends it: { url = IAM base
-- URL, region=, project_id=, shared_dict=, send = function(req, call) ->
-- result, nil, info | nil, err (a request through the client's attempt
-- loop), get = function(path, query, call) -> result | nil, err (a GET
-- signed by the client, the same way) }, and `call`, what the call
-- lends: { policy =, timeout =, started = } (its retry policy, timeouts
-- and start, so that IAM shares the call's deadline), or nil.
local core = require "cloudapi.core"
local json = require "cloudapi.json"
local errors = require "cloudapi.errors"
local clock = require "cloudapi.clock"
local once = require "cloudapi.once"

local M = {}

local tokens = {}   -- key -> { token=, expires=, refresh_at=, project_id= }
local projects = {} -- key -> project id

-- The shared dict of a client, or nil.
local function dict_of(iam)
  return iam.shared_dict and ngx and ngx.shared and ngx.shared[iam.shared_dict]
end

-- Shared-dict keys are hashes: no user name or AK in shared memory keys.
local function dict_key(kind, key)
  return "cloudapi:" .. kind .. ":" .. ngx.md5(key)
end

local function shared_get(iam, kind, key)
  local dict = dict_of(iam)
  if not dict then return nil end
  local v = dict:get(dict_key(kind, key))
  return v and json.decode(v) or nil
end

local function shared_set(iam, kind, key, value, ttl)
  local dict = dict_of(iam)
  if dict and ttl > 0 then dict:set(dict_key(kind, key), json.encode(value), ttl) end
end

-- How long a caller waits for another's fetch: the call's time left.
local function wait_limit(call)
  local p = call and call.policy
  if not (p and p.deadline and call.started) then return 30 end
  return math.max(0.001, p.deadline - (core.monotonic() - call.started))
end

-- A token is refreshed when a tenth of its life (at most 5 minutes) is left.
local function margin(lifetime)
  return math.min(300, math.max(1, lifetime * 0.1))
end

-- The identity a token belongs to: a wrong password must not find the
-- token a right one got. A hash, not the password, in the key.
local function token_key(iam_url, creds, scope)
  return table.concat({ iam_url, creds.domain or "", creds.username or "", scope,
                        core.sha256_hex(creds.password or "") }, "\0")
end

-- The password-auth body of the IAM reference document.
function M.token_body(creds, project_name, project_id)
  local scope
  if project_id then
    scope = { project = { id = project_id } }
  elseif project_name then
    scope = { project = { name = project_name } }
  else
    scope = { domain = { name = creds.domain } }
  end
  return assert(json.encode{
    auth = {
      identity = {
        methods = { "password" },
        password = { user = { name = creds.username, password = creds.password,
                              domain = { name = creds.domain } } },
      },
      scope = scope,
    },
  })
end

-- token(iam, creds, {force=} [, call]) -> entry {token, expires, project_id} | nil, err
function M.token(iam, creds, opts, call)
  local scope = iam.project_id or iam.region or ""
  local key = token_key(iam.url, creds, scope)
  local force = opts and opts.force
  for _ = 1, 3 do
    local entry = tokens[key]
    local now = core.now()
    if not force then
      if entry and now < entry.refresh_at then return entry end
      entry = shared_get(iam, "tok", key)
      if entry and now < entry.refresh_at then
        tokens[key] = entry
        return entry
      end
    end
    local got, err, again = once.run(key, wait_limit(call), function() return M.fetch_token(iam, creds, key, call) end)
    if not again then return got, err end
    force = false -- another thread refreshed it: use that
  end
  return M.fetch_token(iam, creds, key, call)
end

-- cached(iam, creds) -> a still valid entry already held, or nil (no I/O)
function M.cached(iam, creds)
  local key = token_key(iam.url, creds, iam.project_id or iam.region or "")
  local entry = tokens[key] or shared_get(iam, "tok", key)
  if entry and core.now() < entry.expires then return entry end
  return nil
end

function M.fetch_token(iam, creds, key, call)
  local now = core.now()
  local body = M.token_body(creds, iam.project_id == nil and iam.region or nil, iam.project_id)
  local decoded, err, info = iam.send({ method = "POST", url = iam.url .. "/v3/auth/tokens",
                                        headers = { ["Content-Type"] = "application/json;charset=utf8" },
                                        body = body }, call)
  if not decoded then
    if err.kind == "service" then err.kind = "credentials" end
    return nil, err
  end
  local token = info.headers["x-subject-token"]
  if not token or token == "" then
    return nil, errors.new{ kind = "credentials", status = info.status,
                            message = "IAM answered without an X-Subject-Token header" }
  end
  local t = type(decoded.token) == "table" and decoded.token or {}
  local expires = clock.parse_iso8601(t.expires_at) or (now + 3600)
  local issued = clock.parse_iso8601(t.issued_at) or now
  local entry = {
    token = token,
    expires = expires,
    refresh_at = expires - margin(expires - issued),
    project_id = type(t.project) == "table" and t.project.id or nil,
  }
  tokens[key] = entry
  shared_set(iam, "tok", key, entry, entry.expires - core.now())
  return entry
end

-- Forget a cached token (after a 401).
function M.forget_token(iam, creds)
  local key = token_key(iam.url, creds, iam.project_id or iam.region or "")
  tokens[key] = nil
  local dict = dict_of(iam)
  if dict then dict:delete(dict_key("tok", key)) end
end

-- project_id(iam, ak [, call]) -> id | nil, err: GET /v3/projects?name=<region>,
-- signed like any other request of the client.
function M.project_id(iam, ak, call)
  local key = iam.url .. "\0" .. ak .. "\0" .. iam.region
  for _ = 1, 3 do
    if projects[key] then return projects[key] end
    local shared = shared_get(iam, "pid", key)
    if shared and shared.id then
      projects[key] = shared.id
      return shared.id
    end
    local id, err, again = once.run("pid\0" .. key, wait_limit(call),
                                    function() return M.lookup_project(iam, key, call) end)
    if not again then return id, err end
  end
  return M.lookup_project(iam, key, call)
end

function M.lookup_project(iam, key, call)
  local res, err = iam.get("/v3/projects", { name = iam.region }, call)
  if not res then return nil, err end
  local list = type(res.projects) == "table" and res.projects or {}
  if #list == 0 then
    return nil, errors.config("no IAM project is named '" .. iam.region ..
                              "': pass project_id or set HUAWEICLOUD_SDK_PROJECT_ID")
  end
  if #list > 1 then
    return nil, errors.config(#list .. " IAM projects are named '" .. iam.region .. "': pass project_id to choose one")
  end
  projects[key] = list[1].id
  shared_set(iam, "pid", key, { id = list[1].id }, 86400)
  return list[1].id
end

return M
