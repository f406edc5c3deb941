-- cloudapi.huaweicloud: the Huawei Cloud REST client.
local client = require "cloudapi.huaweicloud.client"
local options = require "cloudapi.options"

return {
  new = client.new,
  DEFAULT_TIMEOUT = options.DEFAULT_TIMEOUT,
  MAX_URL = options.MAX_URL,
}
