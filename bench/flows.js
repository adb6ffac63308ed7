'use strict';
// The benchmark flow: every variant in one deploy, each behind its own `http in` path, so rounds can
// alternate between variants without redeploying.
//
//   /bench/node         http in -> change (msg.callSid = msg.payload.callSid) -> telapi-record -> http response
//   /bench/diy          http in -> function (URL, form body, Basic auth) -> http request (keep-alive) -> http response
//   /bench/diy-default  the same with the http request node's defaults (no keep-alive), as dropped from the palette
//   /cb/token           telapi-callback, security "token" (answers by itself)
//   /cb/sig             telapi-callback, security "signature"
//   /cb/httpin          http in -> http response (answers, does nothing else)
//
// In-flow driver (no inbound HTTP hop per message): POST /drive/node or /drive/diy with
// {"n": N, "c": C, "callSids": [...]} starts a closed loop inside Node-RED that keeps C messages in
// flight through the variant until N are done, then answers with the elapsed time and latencies.
//   /drive/node   driver -> telapi-record -> finish (-> back into telapi-record while messages remain)
//   /drive/diy    driver -> function -> http request -> finish (-> back into the function)

/**
 * @param {object} o
 * @param {string} o.baseUrl TelAPI base URL (the simulator's /v1)
 * @param {string} o.accountSid
 * @param {string} o.authToken
 * @param {string} o.publicUrl the account's publicUrl (the signature mode signs over it)
 */
function benchFlows({ baseUrl, accountSid, authToken, publicUrl }) {
  const z = 'bench-tab';
  // What a user writes today without this package: the TelAPI request by hand.
  const diyFunction = [
    `const base = ${JSON.stringify(baseUrl)};`,
    `const sid = ${JSON.stringify(accountSid)};`,
    `const token = ${JSON.stringify(authToken)};`,
    "msg.url = base + '/Accounts/' + sid + '/Calls/' + encodeURIComponent(msg.payload.callSid) + '/Recordings.json';",
    "msg.method = 'POST';",
    "msg.headers = { Authorization: 'Basic ' + Buffer.from(sid + ':' + token).toString('base64'),",
    "  'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' };",
    "msg.payload = 'Record=false';",
    'return msg;',
  ].join('\n');
  const diy = (suffix, persist) => [
    { id: `in-${suffix}`, type: 'http in', z, url: `/bench/${suffix}`, method: 'post', upload: false, wires: [[`fn-${suffix}`]] },
    { id: `fn-${suffix}`, type: 'function', z, func: diyFunction, outputs: 1, libs: [], wires: [[`req-${suffix}`]] },
    { id: `req-${suffix}`, type: 'http request', z, method: 'use', ret: 'obj', paytoqs: 'ignore', url: '', persist, authType: '', senderr: false, headers: [],
      wires: [[`res-${suffix}`]] },
    { id: `res-${suffix}`, type: 'http response', z, statusCode: '', headers: {}, wires: [] },
  ];
  // The driver keeps its state in flow context (the memory store keeps the object itself).
  const perf = [{ var: 'perf', module: 'perf_hooks' }];
  const next = "({ callSid: s.callSids[s.sent % s.callSids.length], payload: { callSid: s.callSids[s.sent % s.callSids.length] }, _t: perf.performance.now() })";
  const driver = (variant, target) => [
    { id: `drive-in-${variant}`, type: 'http in', z, url: `/drive/${variant}`, method: 'post', upload: false, wires: [[`drive-${variant}`]] },
    { id: `drive-${variant}`, type: 'function', z, outputs: 1, libs: perf, wires: [[target]],
      func: [
        'const s = { n: msg.payload.n, c: msg.payload.c, callSids: msg.payload.callSids, sent: 0, done: 0, errors: 0,',
        '  start: perf.performance.now(), latencies: [], res: msg };',
        `flow.set('drive-${variant}', s);`,
        'const out = [];',
        `while (s.sent < Math.min(s.c, s.n)) { out.push(${next}); s.sent++; }`,
        'return [out];',
      ].join('\n') },
    { id: `drive-fin-${variant}`, type: 'function', z, outputs: 2, libs: perf, wires: [[target], [`drive-res-${variant}`]],
      func: [
        `const s = flow.get('drive-${variant}');`,
        's.done++;',
        'if (msg.error || msg.statusCode !== 200) s.errors++;',
        's.latencies.push(perf.performance.now() - msg._t);',
        `if (s.sent < s.n) { const m = ${next}; s.sent++; return [m, null]; }`,
        'if (s.done === s.n) {',
        '  const r = s.res;',
        '  r.payload = { elapsedMs: perf.performance.now() - s.start, errors: s.errors, latencies: s.latencies };',
        `  flow.set('drive-${variant}', undefined);`,
        '  return [null, r];',
        '}',
        'return null;',
      ].join('\n') },
    { id: `drive-res-${variant}`, type: 'http response', z, statusCode: '', headers: {}, wires: [] },
  ];
  return [
    { id: z, type: 'tab', label: 'bench' },
    { id: 'acc', type: 'telapi-account', name: 'simulator', baseUrl, publicUrl, timeout: 15, credentials: { accountSid, authToken } },

    { id: 'in-node', type: 'http in', z, url: '/bench/node', method: 'post', upload: false, wires: [['chg-node']] },
    { id: 'chg-node', type: 'change', z, rules: [{ t: 'set', p: 'callSid', pt: 'msg', to: 'payload.callSid', tot: 'msg' }], wires: [['rec-node']] },
    { id: 'rec-node', type: 'telapi-record', z, account: 'acc', action: 'stop', wires: [['res-node']] },
    { id: 'res-node', type: 'http response', z, statusCode: '', headers: {}, wires: [] },
    { id: 'catch-node', type: 'catch', z, scope: ['rec-node'], uncaught: false, wires: [['err-node']] },
    { id: 'err-node', type: 'change', z, rules: [{ t: 'set', p: 'statusCode', pt: 'msg', to: '502', tot: 'num' }, { t: 'set', p: 'payload', pt: 'msg', to: 'error.message', tot: 'msg' }],
      wires: [['res-node']] },

    ...diy('diy', true),
    ...diy('diy-default', false),

    ...driver('node', 'drive-rec'),
    { id: 'drive-rec', type: 'telapi-record', z, account: 'acc', action: 'stop', wires: [['drive-fin-node']] },
    { id: 'drive-catch-node', type: 'catch', z, scope: ['drive-rec'], uncaught: false, wires: [['drive-fin-node']] },
    ...driver('diy', 'drive-fn-diy'),
    { id: 'drive-fn-diy', type: 'function', z, func: diyFunction, outputs: 1, libs: [], wires: [['drive-req-diy']] },
    { id: 'drive-req-diy', type: 'http request', z, method: 'use', ret: 'obj', paytoqs: 'ignore', url: '', persist: true, authType: '', senderr: false,
      headers: [], wires: [['drive-fin-diy']] },
    { id: 'drive-catch-diy', type: 'catch', z, scope: ['drive-fn-diy', 'drive-req-diy'], uncaught: false, wires: [['drive-fin-diy']] },

    { id: 'cb-token', type: 'telapi-callback', z, account: 'acc', url: '/cb/token', security: 'token', wires: [[]] },
    { id: 'cb-sig', type: 'telapi-callback', z, account: 'acc', url: '/cb/sig', security: 'signature', wires: [[]] },
    { id: 'in-cb', type: 'http in', z, url: '/cb/httpin', method: 'post', upload: false, wires: [['res-cb']] },
    { id: 'res-cb', type: 'http response', z, statusCode: '', headers: {}, wires: [] },
  ];
}

/** The nodes of each counted variant (npm run bench -- --count): a Node-RED process holds only its own. */
const COUNT_VARIANTS = {
  record: ['in-node', 'chg-node', 'rec-node', 'res-node', 'catch-node', 'err-node'],
  diy: ['in-diy', 'fn-diy', 'req-diy', 'res-diy'],
  nodeInFlow: ['drive-in-node', 'drive-node', 'drive-fin-node', 'drive-res-node', 'drive-rec', 'drive-catch-node'],
  diyInFlow: ['drive-in-diy', 'drive-diy', 'drive-fin-diy', 'drive-res-diy', 'drive-fn-diy', 'drive-req-diy', 'drive-catch-diy'],
  token: ['cb-token'],
  signature: ['cb-sig'],
  httpIn: ['in-cb', 'res-cb'],
};

/**
 * The record flow without telapi-record (http in -> change -> http response, answering the request's
 * own JSON): what the record variant spends around the node, so record − hop is the node's own cost.
 */
const HOP = [
  { id: 'in-hop', type: 'http in', z: 'bench-tab', url: '/bench/hop', method: 'post', upload: false, wires: [['chg-hop']] },
  { id: 'chg-hop', type: 'change', z: 'bench-tab', rules: [{ t: 'set', p: 'callSid', pt: 'msg', to: 'payload.callSid', tot: 'msg' }], wires: [['res-hop']] },
  { id: 'res-hop', type: 'http response', z: 'bench-tab', statusCode: '', headers: {}, wires: [] },
];

/** One variant's nodes of benchFlows, with the tab and the account (every variant has the same account node). */
function countFlows(variant, options) {
  if (variant === 'hop') return [...benchFlows(options).filter((node) => node.id === 'bench-tab' || node.id === 'acc'), ...HOP];
  const keep = new Set(['bench-tab', 'acc', ...COUNT_VARIANTS[variant]]);
  return benchFlows(options).filter((node) => keep.has(node.id));
}

module.exports = { benchFlows, countFlows, COUNT_VARIANTS };
