-- Huawei Cloud IAM for the REST client: password tokens (cached until
-- shortly before they expire) and project-id lookup (cached per AK and
-- region). The caches live in this module, shared by every client of the
-- process (each entry keyed so clients never see each other's), and, with a
-- client's shared_dict inside OpenResty, in that lua_shared_dict so every
-- worker shares them. Within a worker, concurrent refreshes of one entry
-- collapse into one request.
local core = require "cloudapi.core"
local json = require "cloudapi.json"
local errors = require "cloudapi.errors"
local clock = require "cloudapi.clock"

local M = {}

local tokens = {}   -- key -> { token=, expires=, refresh_at=, project_id= }
local projects = {} -- key -> project id
local inflight = {} -- key -> ngx.semaphore of the refresh under way

-- The shared dict of a client, or nil.
local function dict_of(client)
  return client.shared_dict and ngx and ngx.shared and ngx.shared[client.shared_dict]
end

-- Shared-dict keys are hashes: no user name or AK in shared memory keys.
local function dict_key(kind, key)
  return "cloudapi:" .. kind .. ":" .. ngx.md5(key)
end

local function shared_get(client, kind, key)
  local dict = dict_of(client)
  if not dict then return nil end
  local v = dict:get(dict_key(kind, key))
  return v and json.decode(v) or nil
end

local function shared_set(client, kind, key, value, ttl)
  local dict = dict_of(client)
  if dict and ttl > 0 then dict:set(dict_key(kind, key), json.encode(value), ttl) end
end

-- once(key, fn): inside nginx, one light thread runs fn for key while the
-- others of the worker wait for it, then look at the caches again.
local function once(key, fn)
  if not require("cloudapi.transport.ngx").usable() then return fn() end
  local ok, semaphore = pcall(require, "ngx.semaphore")
  if not ok then return fn() end
  local running = inflight[key]
  if running then
    running:wait(30)
    return nil, nil, true -- look again
  end
  local sema = semaphore.new()
  inflight[key] = sema
  local r1, r2 = fn()
  inflight[key] = nil
  sema:post(1000)
  return r1, r2
end

-- A token is refreshed when a tenth of its life (at most 5 minutes) is left.
local function margin(lifetime)
  return math.min(300, math.max(1, lifetime * 0.1))
end

local function token_key(iam_url, creds, scope)
  return table.concat({ iam_url, creds.domain or "", creds.username or "", scope }, "\0")
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

-- token(client, creds, {force=}) -> entry {token, expires, project_id} | nil, err
-- client provides :raw(method, url, headers, body) -> res | nil, err and
-- iam_url, region, project_id.
function M.token(client, creds, opts)
  local scope = client.project_id or client.region or ""
  local key = token_key(client.iam_url, creds, scope)
  local force = opts and opts.force
  for _ = 1, 3 do
    local entry = tokens[key]
    local now = core.now()
    if not force then
      if entry and now < entry.refresh_at then return entry end
      entry = shared_get(client, "tok", key)
      if entry and now < entry.refresh_at then
        tokens[key] = entry
        return entry
      end
    end
    local got, err, again = once(key, function() return M.fetch_token(client, creds, key) end)
    if not again then return got, err end
    force = false -- another thread refreshed it: use that
  end
  return M.fetch_token(client, creds, key)
end

function M.fetch_token(client, creds, key)
  local now = core.now()
  local entry
  local body = M.token_body(creds, client.project_id == nil and client.region or nil, client.project_id)
  local res, err = client:raw("POST", client.iam_url .. "/v3/auth/tokens",
                              { ["Content-Type"] = "application/json;charset=utf8" }, body,
                              { creds.password })
  if not res then return nil, err end
  if res.status ~= 201 and res.status ~= 200 then
    return nil, client:service_error(res, { kind_override = "credentials" })
  end
  local token = res.headers["x-subject-token"]
  if not token or token == "" then
    return nil, errors.new{ kind = "credentials", status = res.status,
                            message = "IAM answered without an X-Subject-Token header" }
  end
  local decoded = json.decode(res.body or "") or {}
  local info = type(decoded.token) == "table" and decoded.token or {}
  local expires = clock.parse_iso8601(info.expires_at) or (now + 3600)
  local issued = clock.parse_iso8601(info.issued_at) or now
  entry = {
    token = token,
    expires = expires,
    refresh_at = expires - margin(expires - issued),
    project_id = type(info.project) == "table" and info.project.id or nil,
  }
  tokens[key] = entry
  shared_set(client, "tok", key, entry, entry.expires - core.now())
  return entry
end

-- Forget a cached token (after a 401).
function M.forget_token(client, creds)
  local key = token_key(client.iam_url, creds, client.project_id or client.region or "")
  tokens[key] = nil
  local dict = dict_of(client)
  if dict then dict:delete(dict_key("tok", key)) end
end

-- project_id(client, ak) -> id | nil, err: GET /v3/projects?name=<region>,
-- signed like any other request of the client.
function M.project_id(client, ak)
  local key = client.iam_url .. "\0" .. ak .. "\0" .. client.region
  for _ = 1, 3 do
    if projects[key] then return projects[key] end
    local shared = shared_get(client, "pid", key)
    if shared and shared.id then
      projects[key] = shared.id
      return shared.id
    end
    local id, err, again = once("pid\0" .. key, function() return M.lookup_project(client, key) end)
    if not again then return id, err end
  end
  return M.lookup_project(client, key)
end

function M.lookup_project(client, key)
  local res, err = client:iam_get("/v3/projects", { name = client.region })
  if not res then return nil, err end
  local list = type(res.projects) == "table" and res.projects or {}
  if #list == 0 then
    return nil, errors.new{ kind = "config", message = "no IAM project is named '" .. client.region ..
                            "': pass project_id or set HUAWEICLOUD_SDK_PROJECT_ID" }
  end
  if #list > 1 then
    return nil, errors.new{ kind = "config", message = #list .. " IAM projects are named '" ..
                            client.region .. "': pass project_id to choose one" }
  end
  projects[key] = list[1].id
  shared_set(client, "pid", key, { id = list[1].id }, 86400)
  return list[1].id
end

return M
