rockspec_format = "3.0"
package = "cloudapi"
version = "scm-1"
source = {
  url = "git+file:///dev/null", -- installed from a checkout with `luarocks make`
}
description = {
  summary = "Call Alibaba Cloud RPC and Huawei Cloud REST APIs from Lua",
  detailed = [[
A C core (OpenSSL, libcurl) canonicalizes, signs and sends; a thin Lua layer
builds requests from plain tables and decodes responses into plain tables.
]],
  license = "MIT",
}
dependencies = {
  "lua >= 5.1",
  "lua-cjson",
}
external_dependencies = {
  OPENSSL = { header = "openssl/evp.h" },
  -- Debian keeps curl/curl.h under the multiarch include dir, which the
  -- header probe does not search; the compiler finds it by itself.
  CURL = { library = "curl" },
}
build = {
  type = "builtin",
  modules = {
    ["cloudapi.core"] = {
      -- The one list of C sources: the Makefile and bench/run read it
      -- (scripts/c-sources). The plain C core first, then its Lua bindings.
      sources = { "csrc/crypto.c", "csrc/canon.c", "csrc/sign_rpc.c", "csrc/sign_sdk.c",
                  "csrc/http.c", "csrc/http_result.c", "csrc/http_multi.c", "csrc/http_idle.c",
                  "csrc/http_check.c", "csrc/http_headers.c",
                  "csrc/l_state.c", "csrc/l_sign.c", "csrc/l_rpc_params.c", "csrc/l_crypto.c",
                  "csrc/l_json.c", "csrc/l_time.c", "csrc/l_http.c", "csrc/l_multi.c",
                  "csrc/core.c" },
      defines = { "_POSIX_C_SOURCE=200809L" },
      libraries = { "crypto", "curl", "m", "pthread" },
      incdirs = { "$(OPENSSL_INCDIR)", "$(CURL_INCDIR)" },
      libdirs = { "$(OPENSSL_LIBDIR)", "$(CURL_LIBDIR)" },
    },
    ["cloudapi"] = "lua/cloudapi/init.lua",
    ["cloudapi.aliyun"] = "lua/cloudapi/aliyun/init.lua",
    ["cloudapi.aliyun.credentials"] = "lua/cloudapi/aliyun/credentials.lua",
    ["cloudapi.aliyun.decode"] = "lua/cloudapi/aliyun/decode.lua",
    ["cloudapi.aliyun.endpoints"] = "lua/cloudapi/aliyun/endpoints.lua",
    ["cloudapi.aliyun.params"] = "lua/cloudapi/aliyun/params.lua",
    ["cloudapi.aliyun.rpc"] = "lua/cloudapi/aliyun/rpc.lua",
    ["cloudapi.aliyun.sign_v1"] = "lua/cloudapi/aliyun/sign_v1.lua",
    ["cloudapi.client"] = "lua/cloudapi/client.lua",
    ["cloudapi.clock"] = "lua/cloudapi/clock.lua",
    ["cloudapi.concurrent"] = "lua/cloudapi/concurrent.lua",
    ["cloudapi.credentials"] = "lua/cloudapi/credentials.lua",
    ["cloudapi.errors"] = "lua/cloudapi/errors.lua",
    ["cloudapi.huaweicloud"] = "lua/cloudapi/huaweicloud/init.lua",
    ["cloudapi.huaweicloud.build"] = "lua/cloudapi/huaweicloud/build.lua",
    ["cloudapi.huaweicloud.client"] = "lua/cloudapi/huaweicloud/client.lua",
    ["cloudapi.huaweicloud.credentials"] = "lua/cloudapi/huaweicloud/credentials.lua",
    ["cloudapi.huaweicloud.decode"] = "lua/cloudapi/huaweicloud/decode.lua",
    ["cloudapi.huaweicloud.endpoints"] = "lua/cloudapi/huaweicloud/endpoints.lua",
    ["cloudapi.huaweicloud.iam"] = "lua/cloudapi/huaweicloud/iam.lua",
    ["cloudapi.json"] = "lua/cloudapi/json.lua",
    ["cloudapi.options"] = "lua/cloudapi/options.lua",
    ["cloudapi.retry"] = "lua/cloudapi/retry.lua",
    ["cloudapi.transport.curl"] = "lua/cloudapi/transport/curl.lua",
    ["cloudapi.transport.ngx"] = "lua/cloudapi/transport/ngx.lua",
    ["cloudapi.transport.ngx_read"] = "lua/cloudapi/transport/ngx_read.lua",
    ["cloudapi.url"] = "lua/cloudapi/url.lua",
    ["cloudapi.values"] = "lua/cloudapi/values.lua",
    ["cloudapi.version"] = "lua/cloudapi/version.lua",
    ["cloudapi.xml"] = "lua/cloudapi/xml.lua",
  },
}
