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
  "luaexpat", -- XML answers (format = "XML"); the Lua layer loads it only then
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
                  "csrc/sign_acs3.c", "csrc/sign_roa.c", "csrc/http.c",
                  "csrc/l_state.c", "csrc/l_sign.c", "csrc/l_sign_acs.c", "csrc/l_rpc_params.c", "csrc/l_crypto.c",
                  "csrc/l_json.c", "csrc/l_time.c", "csrc/l_http.c", "csrc/l_multi.c", "csrc/l_tty.c",
                  "csrc/l_file.c",
                  "csrc/core.c" },
      defines = { "_POSIX_C_SOURCE=200809L" },
      libraries = { "crypto", "curl", "m", "pthread" },
      incdirs = { "$(OPENSSL_INCDIR)", "$(CURL_INCDIR)" },
      libdirs = { "$(OPENSSL_LIBDIR)", "$(CURL_LIBDIR)" },
    },
    ["cloudapi"] = "lua/cloudapi/init.lua",
    ["cloudapi.aliyun"] = "lua/cloudapi/aliyun/init.lua",
    ["cloudapi.aliyun.credentials"] = "lua/cloudapi/aliyun/credentials/init.lua",
    ["cloudapi.aliyun.credentials.assume_role"] = "lua/cloudapi/aliyun/credentials/assume_role.lua",
    ["cloudapi.aliyun.credentials.chain"] = "lua/cloudapi/aliyun/credentials/chain.lua",
    ["cloudapi.aliyun.credentials.ecs_ram_role"] = "lua/cloudapi/aliyun/credentials/ecs_ram_role.lua",
    ["cloudapi.aliyun.credentials.env"] = "lua/cloudapi/aliyun/credentials/env.lua",
    ["cloudapi.aliyun.credentials.ini"] = "lua/cloudapi/aliyun/credentials/ini.lua",
    ["cloudapi.aliyun.credentials.oidc"] = "lua/cloudapi/aliyun/credentials/oidc.lua",
    ["cloudapi.aliyun.credentials.profile"] = "lua/cloudapi/aliyun/credentials/profile.lua",
    ["cloudapi.aliyun.credentials.static"] = "lua/cloudapi/aliyun/credentials/static.lua",
    ["cloudapi.aliyun.credentials.sts"] = "lua/cloudapi/aliyun/credentials/sts.lua",
    ["cloudapi.aliyun.credentials.uri"] = "lua/cloudapi/aliyun/credentials/uri.lua",
    ["cloudapi.aliyun.decode"] = "lua/cloudapi/aliyun/decode.lua",
    ["cloudapi.aliyun.endpoints"] = "lua/cloudapi/aliyun/endpoints.lua",
    ["cloudapi.aliyun.params"] = "lua/cloudapi/aliyun/params.lua",
    ["cloudapi.aliyun.roa"] = "lua/cloudapi/aliyun/roa.lua",
    ["cloudapi.aliyun.rpc"] = "lua/cloudapi/aliyun/rpc.lua",
    ["cloudapi.aliyun.sign_acs3"] = "lua/cloudapi/aliyun/sign_acs3.lua",
    ["cloudapi.aliyun.sign_roa"] = "lua/cloudapi/aliyun/sign_roa.lua",
    ["cloudapi.aliyun.sign_v1"] = "lua/cloudapi/aliyun/sign_v1.lua",
    ["cloudapi.cli.args"] = "lua/cloudapi/cli/args.lua",
    ["cloudapi.cli.command"] = "lua/cloudapi/cli/command.lua",
    ["cloudapi.cli.configure"] = "lua/cloudapi/cli/configure.lua",
    ["cloudapi.cli.dryrun"] = "lua/cloudapi/cli/dryrun.lua",
    ["cloudapi.cli.flags"] = "lua/cloudapi/cli/flags.lua",
    ["cloudapi.cli.help"] = "lua/cloudapi/cli/help.lua",
    ["cloudapi.cli.huawei"] = "lua/cloudapi/cli/huawei.lua",
    ["cloudapi.cli.main"] = "lua/cloudapi/cli/main.lua",
    ["cloudapi.cli.output"] = "lua/cloudapi/cli/output.lua",
    ["cloudapi.cli.profiles"] = "lua/cloudapi/cli/profiles.lua",
    ["cloudapi.cli.progress"] = "lua/cloudapi/cli/progress.lua",
    ["cloudapi.cli.report"] = "lua/cloudapi/cli/report.lua",
    ["cloudapi.cli.rest"] = "lua/cloudapi/cli/rest.lua",
    ["cloudapi.cli.roa"] = "lua/cloudapi/cli/roa.lua",
    ["cloudapi.cli.rpc"] = "lua/cloudapi/cli/rpc.lua",
    ["cloudapi.cli.styles"] = "lua/cloudapi/cli/styles.lua",
    ["cloudapi.client"] = "lua/cloudapi/client.lua",
    ["cloudapi.clock"] = "lua/cloudapi/clock.lua",
    ["cloudapi.concurrent"] = "lua/cloudapi/concurrent.lua",
    ["cloudapi.content"] = "lua/cloudapi/content.lua",
    ["cloudapi.credentials"] = "lua/cloudapi/credentials.lua",
    ["cloudapi.credentials.cache"] = "lua/cloudapi/credentials/cache.lua",
    ["cloudapi.credentials.chain"] = "lua/cloudapi/credentials/chain.lua",
    ["cloudapi.credentials.env"] = "lua/cloudapi/credentials/env.lua",
    ["cloudapi.credentials.files"] = "lua/cloudapi/credentials/files.lua",
    ["cloudapi.credentials.http"] = "lua/cloudapi/credentials/http.lua",
    ["cloudapi.credentials.shared"] = "lua/cloudapi/credentials/shared.lua",
    ["cloudapi.errors"] = "lua/cloudapi/errors.lua",
    ["cloudapi.headers"] = "lua/cloudapi/headers.lua",
    ["cloudapi.huaweicloud"] = "lua/cloudapi/huaweicloud/init.lua",
    ["cloudapi.huaweicloud.build"] = "lua/cloudapi/huaweicloud/build.lua",
    ["cloudapi.huaweicloud.client"] = "lua/cloudapi/huaweicloud/client.lua",
    ["cloudapi.huaweicloud.credentials"] = "lua/cloudapi/huaweicloud/credentials/init.lua",
    ["cloudapi.huaweicloud.credentials.chain"] = "lua/cloudapi/huaweicloud/credentials/chain.lua",
    ["cloudapi.huaweicloud.credentials.env"] = "lua/cloudapi/huaweicloud/credentials/env.lua",
    ["cloudapi.huaweicloud.credentials.metadata"] = "lua/cloudapi/huaweicloud/credentials/metadata.lua",
    ["cloudapi.huaweicloud.credentials.profile"] = "lua/cloudapi/huaweicloud/credentials/profile.lua",
    ["cloudapi.huaweicloud.decode"] = "lua/cloudapi/huaweicloud/decode.lua",
    ["cloudapi.huaweicloud.endpoints"] = "lua/cloudapi/huaweicloud/endpoints.lua",
    ["cloudapi.huaweicloud.iam"] = "lua/cloudapi/huaweicloud/iam.lua",
    ["cloudapi.ini"] = "lua/cloudapi/ini.lua",
    ["cloudapi.json"] = "lua/cloudapi/json.lua",
    ["cloudapi.lookup"] = "lua/cloudapi/lookup.lua",
    ["cloudapi.once"] = "lua/cloudapi/once.lua",
    ["cloudapi.options"] = "lua/cloudapi/options.lua",
    ["cloudapi.page_styles"] = "lua/cloudapi/page_styles.lua",
    ["cloudapi.paginate"] = "lua/cloudapi/paginate.lua",
    ["cloudapi.path"] = "lua/cloudapi/path.lua",
    ["cloudapi.redact"] = "lua/cloudapi/redact.lua",
    ["cloudapi.rest"] = "lua/cloudapi/rest.lua",
    ["cloudapi.retry"] = "lua/cloudapi/retry.lua",
    ["cloudapi.tables"] = "lua/cloudapi/tables.lua",
    ["cloudapi.transport.curl"] = "lua/cloudapi/transport/curl.lua",
    ["cloudapi.transport.ngx"] = "lua/cloudapi/transport/ngx.lua",
    ["cloudapi.url"] = "lua/cloudapi/url.lua",
    ["cloudapi.values"] = "lua/cloudapi/values.lua",
    ["cloudapi.version"] = "lua/cloudapi/version.lua",
    ["cloudapi.wait"] = "lua/cloudapi/wait.lua",
    ["cloudapi.xml"] = "lua/cloudapi/xml.lua",
  },
  install = {
    bin = { cloudapi = "bin/cloudapi" },
  },
}
