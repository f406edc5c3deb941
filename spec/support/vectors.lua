-- Published vectors more than one spec checks (../shared/reference/test-vectors.md).
local M = {}

M.EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

-- A5: V3 documentation example (POST /, a query, an empty body).
M.A5 = {
  ak = "YourAccessKeyId", secret = "YourAccessKeySecret",
  query = { ImageId = "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd", RegionId = "cn-shanghai" },
  host = "ecs.cn-shanghai.aliyuncs.com", action = "RunInstances", version = "2014-05-26",
  date = "2023-10-26T10:22:32Z", nonce = "3156853299f313e23d1673dc12e1703d",
  canonical_query = "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai",
  canonical_request = table.concat({
    "POST", "/", "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai",
    "host:ecs.cn-shanghai.aliyuncs.com", "x-acs-action:RunInstances",
    "x-acs-content-sha256:" .. M.EMPTY_SHA256, "x-acs-date:2023-10-26T10:22:32Z",
    "x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d", "x-acs-version:2014-05-26", "",
    "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version",
    M.EMPTY_SHA256 }, "\n"),
  string_to_sign = "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259",
  authorization = "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;" ..
    "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version," ..
    "Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0",
}

return M
