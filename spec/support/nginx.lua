-- Start and stop a throwaway test nginx (spec/openresty/nginx.conf.in) on
-- 127.0.0.1 with the LuaJIT build of the core.
local core = require "cloudapi.core"

local M = {}

local root = assert(os.getenv("PWD"))

local sh = require "support.shell"

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local function port_free(port)
  return not sh(("bash -c 'exec 3<>/dev/tcp/127.0.0.1/%d' 2>/dev/null"):format(port))
end

local function random_port()
  math.randomseed(math.floor(core.now() * 1e6) % 2147483647)
  for _ = 1, 50 do
    local p = math.random(20000, 60000)
    if port_free(p) then return p end
  end
  error("no free port")
end

-- start{workers = 1} -> server {url, prefix, tls_port, tls_other_port, stop}
function M.start(opts)
  local prefix = os.tmpname()
  os.remove(prefix)
  assert(sh("mkdir -p " .. prefix .. "/tmp"))
  for name, san in pairs({ good = "DNS:api.test", other = "DNS:other.example" }) do
    assert(sh(("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=%s -addext subjectAltName=%s " ..
               "-keyout %s/%s.key -out %s/%s.pem >/dev/null 2>&1"):format(name, san, prefix, name, prefix, name)))
  end
  local server = { prefix = prefix }
  for _ = 1, 5 do
    server.port, server.tls_port, server.tls_other_port = random_port(), random_port(), random_port()
    local conf = read(root .. "/spec/openresty/nginx.conf.in")
    local vars = {
      USER_LINE = sh("test $(id -u) -eq 0") and "user root;" or "",
      WORKERS = tostring(opts.workers or 1), PREFIX = prefix, ROOT = root,
      PORT = tostring(server.port), TLS_PORT = tostring(server.tls_port),
      TLS_OTHER_PORT = tostring(server.tls_other_port),
    }
    conf = conf:gsub("@([%w_]+)@", function(k) return assert(vars[k], k) end)
    local f = assert(io.open(prefix .. "/nginx.conf", "wb"))
    f:write(conf)
    f:close()
    if sh(("nginx -p %s -c %s/nginx.conf -e %s/error.log 2>>%s/start.log"):format(prefix, prefix, prefix, prefix)) then
      server.url = "http://127.0.0.1:" .. server.port
      break
    end
  end
  assert(server.url, "test nginx did not start: " .. read(prefix .. "/start.log"))
  -- Until it answers: a generous deadline (a loaded machine), a quick poll.
  local s = core.http_session()
  local deadline = core.monotonic() + 60
  local up
  repeat
    up = s:request{ method = "GET", url = server.url .. "/init_result", timeout = 5 } ~= nil
    if not up then core.sleep(0.05) end
  until up or core.monotonic() > deadline
  s:close()
  assert(up, "test nginx did not answer within 60 s: " .. read(prefix .. "/error.log"))
  function server.stop()
    sh(("pid=$(cat %s/nginx.pid 2>/dev/null); [ -n \"$pid\" ] && kill -QUIT $pid 2>/dev/null; " ..
        "for i in $(seq 600); do [ -n \"$pid\" ] && kill -0 $pid 2>/dev/null || break; sleep 0.1; done; " ..
        "rm -rf %s"):format(prefix, prefix))
  end
  function server.log() return read(prefix .. "/error.log") end
  -- get(path) -> the decoded JSON a handler answered (asserting a 200)
  function server.get(path)
    local c = core.http_session()
    local status, _, body = c:request{ method = "GET", url = server.url .. path, timeout = 20 }
    c:close()
    assert(status == 200, "GET " .. path .. ": " .. tostring(status) .. " " .. tostring(body))
    return assert(require("cloudapi.json").decode(body), body)
  end
  server.keep = os.getenv("CLOUDAPI_KEEP_NGINX") -- debugging: leave the prefix
  return server
end

return M
