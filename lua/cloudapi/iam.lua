-- Huawei Cloud IAM for the REST client: password tokens (cached until
-- shortly before they expire) and project-id lookup (cached per AK and
-- region). The caches live in this module, shared by every client of the
-- process; each entry is keyed so clients never see each other's secrets.
local core = require "cloudapi.core"
local json = require "cloudapi.json"
local errors = require "cloudapi.errors"
local clock = require "cloudapi.clock"

local M = {}

local tokens = {}   -- key -> { token=, expires=, project_id= }
local projects = {} -- key -> project id

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
  local entry = tokens[key]
  local now = core.now()
  if entry and not (opts and opts.force) and now < entry.refresh_at then return entry end
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
  return entry
end

-- Forget a cached token (after a 401).
function M.forget_token(client, creds)
  tokens[token_key(client.iam_url, creds, client.project_id or client.region or "")] = nil
end

-- project_id(client, ak) -> id | nil, err: GET /v3/projects?name=<region>,
-- signed like any other request of the client.
function M.project_id(client, ak)
  local key = client.iam_url .. "\0" .. ak .. "\0" .. client.region
  if projects[key] then return projects[key] end
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
  return list[1].id
end

return M
