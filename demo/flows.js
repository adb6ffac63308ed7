'use strict';
// The demo's flows: a "TelAPI demo" tab first (record 5 s with transcription, both callbacks shown
// in the debug sidebar), then every example from examples/, all using one account that points at
// the embedded simulator.
const fs = require('node:fs');
const path = require('node:path');
const { DEMO_CALL_SIDS } = require('@telapi-nodes/telapi-simulator');

const DEMO_ACCOUNT_ID = 'telapi-demo-account';
const EXAMPLES_DIR = path.join(__dirname, '..', 'examples');

function demoTab() {
  const z = 'telapi-demo-tab';
  const node = (id, props) => ({ id: `telapi-demo-${id}`, z, ...props });
  return [
    { id: z, type: 'tab', label: 'TelAPI demo', disabled: false, info: '' },
    node('comment', { type: 'comment', name: 'Click the button of "start recording" →  watch the debug sidebar', x: 270, y: 40, wires: [],
      info: 'This demo runs against the TelAPI simulator that `npm start` started beside Node-RED.\n\n' +
        '1. Click the button on the left of **start recording**: the *record call* node asks the simulator to record the live demo call ' +
        `\`${DEMO_CALL_SIDS.inbound}\` for at most 5 seconds, with a transcription.\n` +
        '2. About 6 seconds later the simulator calls back: the *recording callback* debug message shows the recording, with its `recordingUrl`.\n' +
        '3. A few seconds after that the transcription arrives.\n\n' +
        '**stop recording** ends a recording early. TelAPI allows at most 5 recordings per call; restart the demo for a fresh call.\n\n' +
        'More examples are in the other tabs and under *Import > Examples > @telapi-nodes/node-red-telapi*.' }),
    node('start', { type: 'inject', name: 'start recording', props: [{ p: 'callSid', v: DEMO_CALL_SIDS.inbound, vt: 'str' }],
      repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '', x: 150, y: 120, wires: [['telapi-demo-record']] }),
    node('record', { type: 'telapi-record', name: '', account: DEMO_ACCOUNT_ID, action: 'start', direction: 'both', timeLimit: 5,
      callbackUrl: '/telapi/demo/recording', fileFormat: 'mp3', trimSilence: false, transcribe: true, transcribeQuality: 'auto',
      transcribeCallback: '/telapi/demo/transcription', x: 370, y: 120, wires: [['telapi-demo-started']] }),
    node('started', { type: 'debug', name: 'recording started', active: true, tosidebar: true, console: false, tostatus: false,
      complete: 'payload', targetType: 'msg', x: 600, y: 120, wires: [] }),
    node('stop', { type: 'inject', name: 'stop recording', props: [{ p: 'callSid', v: DEMO_CALL_SIDS.inbound, vt: 'str' }],
      repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '', x: 150, y: 180, wires: [['telapi-demo-stopper']] }),
    node('stopper', { type: 'telapi-record', name: '', account: DEMO_ACCOUNT_ID, action: 'stop', direction: 'both', timeLimit: 60,
      callbackUrl: '', fileFormat: 'mp3', trimSilence: false, transcribe: false, transcribeQuality: 'auto', transcribeCallback: '',
      x: 370, y: 180, wires: [['telapi-demo-stopped']] }),
    node('stopped', { type: 'debug', name: 'recording stopped', active: true, tosidebar: true, console: false, tostatus: false,
      complete: 'payload', targetType: 'msg', x: 600, y: 180, wires: [] }),
    node('on-recording', { type: 'telapi-callback', name: '', account: DEMO_ACCOUNT_ID, url: '/telapi/demo/recording', security: 'token',
      x: 170, y: 260, wires: [['telapi-demo-recording']] }),
    node('recording', { type: 'debug', name: 'recording callback', active: true, tosidebar: true, console: false, tostatus: false,
      complete: 'true', targetType: 'full', x: 430, y: 260, wires: [] }),
    node('on-transcription', { type: 'telapi-callback', name: '', account: DEMO_ACCOUNT_ID, url: '/telapi/demo/transcription', security: 'token',
      x: 180, y: 320, wires: [['telapi-demo-transcription']] }),
    node('transcription', { type: 'debug', name: 'transcription', active: true, tosidebar: true, console: false, tostatus: false,
      complete: 'transcriptionText', targetType: 'msg', x: 420, y: 320, wires: [] }),
    node('catch', { type: 'catch', name: 'TelAPI errors', scope: null, uncaught: false, x: 140, y: 400, wires: [['telapi-demo-error']] }),
    node('error', { type: 'debug', name: 'error', active: true, tosidebar: true, console: false, tostatus: false,
      complete: 'error', targetType: 'msg', x: 340, y: 400, wires: [] }),
  ];
}

/** Every example, its own account node replaced by the demo account, tab variables overridden. */
function exampleTabs(tabEnv) {
  const nodes = [];
  for (const file of fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).sort()) {
    const example = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
    const accountIds = new Set(example.filter((n) => n.type === 'telapi-account').map((n) => n.id));
    for (const node of example) {
      if (accountIds.has(node.id)) continue;
      if (node.type === 'tab' && node.env) {
        nodes.push({ ...node, env: node.env.map((v) => (v.name in tabEnv ? { ...v, value: tabEnv[v.name] } : v)) });
      } else {
        nodes.push(accountIds.has(node.account) ? { ...node, account: DEMO_ACCOUNT_ID } : node);
      }
    }
  }
  return nodes;
}

function demoAccount({ baseUrl, publicUrl, accountSid, authToken }) {
  return { id: DEMO_ACCOUNT_ID, type: 'telapi-account', name: 'TelAPI simulator (demo)', baseUrl, publicUrl, timeout: 15,
    credentials: { accountSid, authToken } };
}

/** `tabEnv` overrides example flow variables, e.g. { SIMULATOR_URL } for the download example. */
function demoFlows(account, tabEnv = {}) {
  return [...demoTab(), ...exampleTabs(tabEnv), demoAccount(account)];
}

module.exports = { demoFlows, DEMO_ACCOUNT_ID, FIRST_INJECT_ID: 'telapi-demo-start' };
