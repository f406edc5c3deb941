-- ACS3-HMAC-SHA256 and ROA acs vectors computed by Alibaba's official npm
-- SDKs (scripts/gen-vectors-aliyun.js: @alicloud/openapi-util
-- getAuthorization, @alicloud/pop-core ROAClient), reproduced through
-- the clients' prepare() with the same nonce and date.
local cloudapi = require "cloudapi"
local V = require "support.aliyun_sdk_vectors"

local function client_for(c)
  local creds = V.keys[c.creds or "plain"]
  if c.client == "roa" then
    return cloudapi.aliyun.roa{ product = "cs", region = "cn-hangzhou", credentials = creds, signature = c.signature }
  end
  return cloudapi.aliyun.new{ product = "ecs", region = "cn-hangzhou", credentials = creds,
                              signature = c.signature, method = c.method }
end

describe("official SDK vectors", function()
  it("cover every kind of case the issue names", function()
    local seen = {}
    for _, c in ipairs(V.cases) do
      local kind = c.client .. " " .. c.signature
      seen[kind] = (seen[kind] or 0) + 1
    end
    assert.are.same({ ["roa ACS3-HMAC-SHA256"] = 7, ["roa acs"] = 7, ["rpc ACS3-HMAC-SHA256"] = 3 }, seen)
  end)

  for _, c in ipairs(V.cases) do
    it(c.client .. " " .. c.signature .. ": " .. c.name, function()
      local req, err
      if c.client == "roa" then
        req, err = client_for(c):prepare(c.method, c.path, { query = c.query, path = c.path_values, body = c.body,
          headers = c.headers, action = c.action }, { nonce = V.nonce, date = c.date })
      else
        req, err = client_for(c):prepare(c.action, c.params, { nonce = V.nonce, timestamp = c.date })
      end
      assert.is_nil(err)
      assert.are.equal(c.want_authorization, req.headers.Authorization)
      assert.are.equal(c.want_body, req.body)
      if c.want_content_md5 then assert.are.equal(c.want_content_md5, req.headers["Content-MD5"]) end
    end)
  end
end)
