-- cloudapi configure list: the profiles the command can use, never a
-- secret: aliyun-cli's profiles (~/.aliyun/config.json: name, mode,
-- region, * on the one used without --profile), the sections of the
-- Alibaba SDKs' credentials file (~/.alibabacloud/credentials: name, type,
-- * on the one the default chain reads) and those of the Huawei SDK's
-- (~/.huaweicloud/credentials). cloudapi writes no profile: aliyun-cli
-- does (aliyun configure --profile NAME).
-- run(parsed, out, err) -> exit status (cli/report.lua).
local output = require "cloudapi.cli.output"
local report = require "cloudapi.cli.report"

local M = {}

M.USAGE = "cloudapi configure list [--output json]"

-- list(ns, fn) -> what the library lists, or { missing = true } | { error = err }
local function list(ns, fn)
  local t, err = require("cloudapi." .. ns .. ".credentials")[fn or "profiles"]{}
  if t then return t end
  if err.missing then return { missing = err.message } end
  return { error = err }
end

local function aliyun_text(t, current)
  local title = "Alibaba Cloud profiles"
  if t.missing then return title .. ": none (" .. t.missing .. ")" end
  local rows = {}
  for _, p in ipairs(t.profiles) do
    rows[#rows + 1] = { Profile = tostring(p.name) .. (p.name == current and " *" or ""), Mode = p.mode,
                        Region = p.region }
  end
  return title .. ": " .. t.file .. (current and " (* used without --profile)" or "") .. "\n" ..
         assert(output.table(rows, "Profile,Mode,Region"))
end

local function aliyun_ini_text(t)
  local title = "Alibaba Cloud credentials file"
  if t.missing then return title .. ": none (" .. t.missing .. ")" end
  local rows = {}
  for _, p in ipairs(t.profiles) do
    rows[#rows + 1] = { Section = p.name .. (p.name == t.current and " *" or ""), Type = p.mode }
  end
  return title .. ": " .. t.file .. " (* the section the default chain reads)\n" ..
         assert(output.table(rows, "Section,Type"))
end

local function huawei_text(t)
  local title = "Huawei Cloud credentials"
  if t.missing then return title .. ": none (" .. t.missing .. ")" end
  local rows = {}
  for _, s in ipairs(t.sections) do
    rows[#rows + 1] = { Section = s.name, For = s.used_by, Credential = s.credential, project_id = s.project_id,
                        domain_id = s.domain_id }
  end
  return title .. ": " .. t.file .. " (--profile default)\n" ..
         assert(output.table(rows, "Section,For,Credential,project_id,domain_id"))
end

function M.run(parsed, out, errout)
  local f, pos = parsed.flags, parsed.positional
  local as_json = f.output ~= nil and f.output.word == "json"
  local function usage(msg)
    errout:write(report.error(report.usage(msg), as_json))
    return report.USAGE
  end
  if pos[2] ~= "list" or #pos > 2 then
    return usage("cloudapi configure: only '" .. M.USAGE .. "' (cloudapi reads profiles, aliyun-cli writes " ..
                 "them: aliyun configure --profile NAME; Huawei: ~/.huaweicloud/credentials)")
  end
  for name in pairs(f) do
    if name ~= "output" or not as_json then return usage("--" .. name .. ": " .. M.USAGE .. " takes no other flag") end
  end
  if #parsed.params > 0 then return usage("unexpected --" .. parsed.params[1][1] .. ": " .. M.USAGE) end
  local a, ai, h = list("aliyun"), list("aliyun", "ini_profiles"), list("huaweicloud")
  local current = os.getenv("ALIBABA_CLOUD_PROFILE")
  if current == nil or current == "" then current = a.current end
  local status = report.OK
  for _, t in ipairs({ a, ai, h }) do
    if t.error then
      errout:write(report.error(t.error, as_json))
      status = report.status(t.error)
    end
  end
  if as_json then
    local function shown(t) return not t.error and t or { error = t.error.message } end
    if not a.missing and not a.error then a.used = current end
    out:write(output.json({ aliyun = shown(a), aliyun_credentials_file = shown(ai), huaweicloud = shown(h) }),
              "\n")
    return status
  end
  local blocks = {}
  if not a.error then blocks[#blocks + 1] = aliyun_text(a, current) end
  if not ai.error then blocks[#blocks + 1] = aliyun_ini_text(ai) end
  if not h.error then blocks[#blocks + 1] = huawei_text(h) end
  if #blocks > 0 then out:write(table.concat(blocks, "\n\n"), "\n") end
  return status
end

return M
