#!/usr/bin/env node
// Dev-only: known-answer vectors for the ACS3-HMAC-SHA256 and ROA "acs"
// signatures, computed by Alibaba's official npm SDKs, written as a Lua
// data file the specs read (spec/support/aliyun_sdk_vectors.lua). Never run
// by `make test`; regenerate after changing a case:
//
//   mkdir -p /tmp/npm-w11 && cd /tmp/npm-w11 && npm install @alicloud/openapi-util @alicloud/pop-core
//   NODE_PATH=/tmp/npm-w11/node_modules node scripts/gen-vectors-aliyun.js > spec/support/aliyun_sdk_vectors.lua
//
// Each case gives the inputs the Lua side passes to a client's prepare()
// (a fixed nonce and date), the headers the client is specified to send
// are rebuilt here, and the SDK signs them:
//   ACS3: @alicloud/openapi-util getAuthorization (the V3 canonicalization)
//   acs:  @alicloud/pop-core ROAClient.request, its transport stubbed so
//         nothing is sent (the request it would send is captured).
'use strict';
const crypto = require('crypto');
const httpx = require('httpx');
const OpenApiUtil = require('@alicloud/openapi-util').default;

const captured = [];
httpx.request = async (url, options) => { captured.push({ url, options }); throw new Error('captured'); };
const ROAClient = require('@alicloud/pop-core').ROAClient;

const KEYS = {
  plain: { access_key_id: 'testid', access_key_secret: 'testsecret' },
  sts: { access_key_id: 'sts-ak', access_key_secret: 'sts-secret', security_token: 'sts-token' },
};
const NONCE = '3156853299f313e23d1673dc12e1703d';
const ACS3_DATE = '2023-10-26T10:22:32Z';
const HTTP_DATE = 'Thu, 26 Oct 2023 10:22:32 GMT';
const sha256 = (s) => crypto.createHash('sha256').update(Buffer.from(s, 'utf8')).digest('hex');
const encode = (s) => encodeURIComponent(s).replace(/!/g, '%21').replace(/'/g, '%27')
  .replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/\*/g, '%2A');

// JSON with sorted keys: what cloudapi's encoder writes for a table.
function sortedJson(v) {
  if (Array.isArray(v)) return '[' + v.map(sortedJson).join(',') + ']';
  if (v && typeof v === 'object') {
    return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + sortedJson(v[k])).join(',') + '}';
  }
  return JSON.stringify(v);
}
function fillPath(tpl, values) {
  return tpl.replace(/\{([^}]*)\}/g, (_, name) => encode(values[name]));
}
function bodyOf(c) {
  if (c.body === undefined) return { body: '', ctype: c.headers && c.headers['Content-Type'] };
  if (typeof c.body === 'string') return { body: c.body, ctype: (c.headers && c.headers['Content-Type']) || 'application/octet-stream' };
  return { body: sortedJson(c.body), ctype: 'application/json' };
}

// ---- the cases ---------------------------------------------------------------
const ROA = [
  { name: 'GET with a paged query', method: 'GET', path: '/clusters', query: { page_size: '10', page_number: '2' } },
  { name: 'unicode and reserved characters in query values', method: 'GET', path: '/clusters',
    query: { name: "k8s 集群 &=+*~%20'()!", cluster_type: 'ManagedKubernetes', empty: '' } },
  { name: 'unicode and reserved characters in a path segment', method: 'GET', path: '/clusters/{cluster_id}',
    path_values: { cluster_id: "c 中/é+*~'" } },
  { name: 'POST with a JSON body', method: 'POST', path: '/clusters',
    body: { name: 'web', region_id: 'cn-hangzhou', client_token: 'tok-1', size: 3 } },
  { name: 'PUT with a string body of its own type', method: 'PUT', path: '/clusters/{cluster_id}',
    path_values: { cluster_id: 'c1' }, body: 'name=web&x=中', headers: { 'Content-Type': 'text/plain; charset=utf-8' } },
  { name: 'DELETE with STS credentials', method: 'DELETE', path: '/clusters/{cluster_id}',
    path_values: { cluster_id: 'c2' }, query: { retain_resources: 'vpc' }, creds: 'sts' },
  { name: 'a caller x-acs-* header is signed too', method: 'GET', path: '/clusters',
    headers: { 'x-acs-resource-group-id': 'rg-1 ' } },
];
const ACTIONS = { GET: 'DescribeClusters', POST: 'CreateCluster', PUT: 'ModifyCluster', DELETE: 'DeleteCluster' };

const RPC = [
  { name: 'RPC GET with RepeatList and unicode values', method: 'GET', action: 'DescribeInstances',
    params: { PageSize: '50', 'Tag.1.Key': 'env', 'Tag.1.Value': '生产 &=+', ZoneId: 'cn-hangzhou-b' } },
  { name: 'RPC POST form body', method: 'POST', action: 'DescribeRegions',
    params: { AcceptLanguage: "zh-CN ~*'()!" } },
  { name: 'RPC GET with STS credentials', method: 'GET', action: 'DescribeRegions', params: {}, creds: 'sts' },
];

// ---- ACS3 (openapi-util) -------------------------------------------------------
function acs3Headers(host, action, version, hash, creds, ctype, extra) {
  const h = Object.assign({}, extra || {});
  h.host = host;
  h['x-acs-action'] = action;
  h['x-acs-version'] = version;
  h['x-acs-date'] = ACS3_DATE;
  h['x-acs-signature-nonce'] = NONCE;
  h['x-acs-content-sha256'] = hash;
  if (ctype) h['content-type'] = ctype;
  if (creds.security_token) {
    h['x-acs-security-token'] = creds.security_token;
    h['x-acs-accesskey-id'] = creds.access_key_id;
  }
  return h;
}
function acs3(pathname, method, query, headers, hash, creds) {
  return OpenApiUtil.getAuthorization({ pathname, method, query, headers }, 'ACS3-HMAC-SHA256', hash,
    creds.access_key_id, creds.access_key_secret);
}

async function main() {
  const out = [];
  for (const c of ROA) {
    const creds = KEYS[c.creds || 'plain'];
    const path = fillPath(c.path, c.path_values || {});
    const { body, ctype } = bodyOf(c);
    // ACS3 on the ROA client
    const hash = sha256(body);
    const h = acs3Headers('cs.cn-hangzhou.aliyuncs.com', ACTIONS[c.method], '2015-12-15', hash, creds,
      ctype, c.headers && c.headers['x-acs-resource-group-id'] ? { 'x-acs-resource-group-id': 'rg-1 ' } : {});
    out.push(Object.assign({}, c, { client: 'roa', signature: 'ACS3-HMAC-SHA256', action: ACTIONS[c.method],
      date: ACS3_DATE, want_body: c.body === undefined ? undefined : body,
      want_authorization: acs3(path, c.method, c.query || {}, h, hash, creds) }));
    // acs through pop-core
    const client = new ROAClient({ endpoint: 'https://cs.cn-hangzhou.aliyuncs.com', apiVersion: '2015-12-15',
      accessKeyId: creds.access_key_id, accessKeySecret: creds.access_key_secret, securityToken: creds.security_token });
    const headers = { date: HTTP_DATE, 'x-acs-signature-nonce': NONCE };
    if (ctype) headers['content-type'] = ctype;
    if (c.headers && c.headers['x-acs-resource-group-id']) headers['x-acs-resource-group-id'] = 'rg-1 ';
    captured.length = 0;
    await client.request(c.method, path, c.query || {}, body, headers).catch(() => {});
    const sent = captured[0].options.headers;
    out.push(Object.assign({}, c, { client: 'roa', signature: 'acs', date: HTTP_DATE,
      want_body: c.body === undefined ? undefined : body, want_authorization: sent.authorization,
      want_content_md5: sent['content-md5'] }));
  }
  for (const c of RPC) {
    const creds = KEYS[c.creds || 'plain'];
    let query = c.params, body = '', ctype;
    if (c.method === 'POST') {
      body = Object.keys(c.params).sort().map((k) => encode(k) + '=' + encode(c.params[k])).join('&');
      query = {};
      ctype = 'application/x-www-form-urlencoded';
    }
    // the client adds RegionId from its region when the caller has none
    if (c.method === 'GET') query = Object.assign({ RegionId: 'cn-hangzhou' }, query);
    else body = Object.keys(Object.assign({ RegionId: 'cn-hangzhou' }, c.params)).sort()
      .map((k) => encode(k) + '=' + encode(k === 'RegionId' ? 'cn-hangzhou' : c.params[k])).join('&');
    const hash = sha256(body);
    const h = acs3Headers('ecs.cn-hangzhou.aliyuncs.com', c.action, '2014-05-26', hash, creds, ctype);
    out.push(Object.assign({}, c, { client: 'rpc', signature: 'ACS3-HMAC-SHA256', date: ACS3_DATE,
      want_body: c.method === 'POST' ? body : undefined,
      want_authorization: acs3('/', c.method, query, h, hash, creds) }));
  }
  process.stdout.write(lua(out));
}

// ---- Lua output -----------------------------------------------------------------
function luaString(s) {
  let r = '"';
  for (const b of Buffer.from(s, 'utf8')) {
    if (b === 0x22 || b === 0x5c) r += '\\' + String.fromCharCode(b);
    else if (b >= 0x20 && b < 0x7f) r += String.fromCharCode(b);
    else r += '\\' + b;
  }
  return r + '"';
}
// One line per value: cases differ in a few fields, so a line each keeps
// them apart.
function luaValue(v) {
  if (typeof v === 'string') return luaString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '{ ' + Object.keys(v).sort().map((k) =>
    (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : '[' + luaString(k) + ']') + ' = ' + luaValue(v[k])).join(', ') + ' }';
}
function lua(cases) {
  return '-- Generated by scripts/gen-vectors-aliyun.js from the official npm SDKs\n' +
    '-- (@alicloud/openapi-util getAuthorization, @alicloud/pop-core ROAClient). Do not edit.\n' +
    'return {\n  nonce = ' + luaString(NONCE) + ',\n  keys = ' + luaValue(KEYS) + ',\n  cases = {\n' +
    cases.map((c) => '    ' + luaValue(JSON.parse(JSON.stringify(c))) + ',').join('\n') + '\n  },\n}\n';
}

main().catch((e) => { console.error(e); process.exit(1); });
