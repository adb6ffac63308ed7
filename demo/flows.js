'use strict';
// The demo's flows: a "TelAPI demo" tab first (the demo line answering calls from the phone page,
// the callbacks shown in the debug sidebar), then every example from examples/, all using one account that points at
// the embedded simulator.
const fs = require('node:fs');
const path = require('node:path');
const { DEMO_CALL_SIDS } = require('@telapi-nodes/telapi-simulator');

const DEMO_ACCOUNT_ID = 'telapi-demo-account';
const EXAMPLES_DIR = path.join(__dirname, '..', 'examples');
const PHONE_COMMENT_ID = 'telapi-demo-comment';

/** The demo tab's first line, naming the phone page (a restart on other ports renames it). */
function phoneCommentName(phoneUrl) {
  return `Call it from the phone page: ${phoneUrl}`;
}

/**
 * The "TelAPI demo" tab: the demo line answering calls (consent, record, the call filed as one MP3),
 * a button that rings the phone page, and buttons that record the simulator's demo call without a
 * phone. `phone` names the phone page and its number; `recordingsFolder` where the MP3s are filed.
 */
function demoTab({ phoneUrl, phoneNumber, recordingsFolder }) {
  const z = 'telapi-demo-tab';
  const node = (id, props) => ({ id: `telapi-demo-${id}`, z, ...props });
  const wire = (...ids) => [ids.map((id) => `telapi-demo-${id}`)];
  const debug = (id, name, complete, x, y) => node(id, { type: 'debug', name, active: true, tosidebar: true, console: false,
    tostatus: false, complete, targetType: complete === 'true' ? 'full' : 'msg', x, y, wires: [] });
  const say = (text) => ({ verb: 'Say', text });
  return [
    { id: z, type: 'tab', label: 'TelAPI demo', disabled: false, info: '' },
    node('comment', { type: 'comment', name: phoneCommentName(phoneUrl), x: 330, y: 40, wires: [],
      info: 'This demo runs against the TelAPI simulator that `npm start` started beside Node-RED.\n\n' +
        `**Call it from the phone page** (${phoneUrl}): press *Call*. The flow below answers: it asks whether the call ` +
        'may be recorded; press **1** on the keypad and the *record the call* node starts the recording. Say something, ' +
        'then hang up. The *recording callback* arrives in the debug sidebar, the call is filed as one MP3 ' +
        `in \`${recordingsFolder}\`, and the transcription follows a few seconds later.\n\n` +
        `**ring the phone page** places an outbound call to the phone page's number (${phoneNumber}): answer it there and ` +
        'the same flow runs.\n\n' +
        '**No phone at hand?** *record the demo call (5 s)* records the simulator\'s live demo call ' +
        `\`${DEMO_CALL_SIDS.inbound}\` for 5 seconds; the callback and transcription arrive the same way. TelAPI allows at most 5 ` +
        'recordings per call; restart the demo for a fresh call.\n\n' +
        'More examples are in the other tabs and under *Import > Examples > @telapi-nodes/node-red-telapi*.' }),

    node('voice', { type: 'telapi-voice', name: 'the demo line rings', account: DEMO_ACCOUNT_ID, url: '/telapi/demo/voice',
      security: 'token', timeout: 10, fallback: '', x: 160, y: 100, wires: wire('greeting') }),
    node('greeting', { type: 'telapi-inboundxml', name: 'greet, ask for consent', x: 410, y: 100, wires: [[]], verbs: [
      { verb: 'Gather', attributes: { numDigits: '1', action: '/telapi/demo/consent', method: 'POST', timeout: '10' },
        children: [say('Welcome to the TelAPI demo. Press 1 to have this call recorded, or 2 to go on without a recording.')] },
      say('We did not get your answer. Goodbye.'), { verb: 'Hangup' }] }),
    node('consent', { type: 'telapi-voice', name: 'the caller pressed a key', account: DEMO_ACCOUNT_ID, url: '/telapi/demo/consent',
      security: 'token', timeout: 10, fallback: '', x: 170, y: 160, wires: wire('pressed') }),
    node('pressed', { type: 'switch', name: 'pressed 1?', property: 'payload.Digits', propertyType: 'msg',
      rules: [{ t: 'eq', v: '1', vt: 'str' }, { t: 'else' }], checkall: 'false', repair: false, outputs: 2, x: 380, y: 160,
      wires: [['telapi-demo-record-call'], ['telapi-demo-not-recorded']] }),
    node('record-call', { type: 'telapi-record', name: 'record the call', account: DEMO_ACCOUNT_ID, action: 'start', direction: 'both',
      timeLimit: 300, callbackUrl: '/telapi/demo/recording', fileFormat: 'mp3', trimSilence: false, transcribe: true,
      transcribeQuality: 'auto', transcribeCallback: '/telapi/demo/transcription', x: 610, y: 140, wires: wire('recorded', 'call-started') }),
    node('recorded', { type: 'telapi-inboundxml', name: 'say: now recorded', x: 880, y: 100, wires: [[]], verbs: [
      say('Thank you. This call is now recorded. Say something, then hang up.'), { verb: 'Pause', attributes: { length: '300' } }] }),
    debug('call-started', 'recording started', 'payload', 880, 160),
    node('not-recorded', { type: 'telapi-inboundxml', name: 'say: not recorded', x: 610, y: 200, wires: [[]], verbs: [
      say('This call is not recorded. Goodbye.'), { verb: 'Hangup' }] }),

    node('on-recording', { type: 'telapi-callback', name: 'recording finished', account: DEMO_ACCOUNT_ID, url: '/telapi/demo/recording',
      security: 'token', x: 160, y: 260, wires: wire('recording', 'file') }),
    debug('recording', 'recording callback', 'true', 430, 260),
    node('file', { type: 'telapi-recordings', name: 'file the call as one MP3', account: DEMO_ACCOUNT_ID, operation: 'join',
      maxRecordings: 1000, maxBytes: 52428800, transcribeQuality: 'auto', transcribeCallback: '', folder: recordingsFolder,
      x: 460, y: 300, wires: wire('filed') }),
    debug('filed', 'MP3 filed', 'filename', 690, 300),
    node('on-transcription', { type: 'telapi-callback', name: 'transcription arrived', account: DEMO_ACCOUNT_ID,
      url: '/telapi/demo/transcription', security: 'token', x: 170, y: 360, wires: wire('transcription') }),
    debug('transcription', 'transcription', 'transcriptionText', 420, 360),

    node('ring', { type: 'inject', name: 'ring the phone page', props: [{ p: 'call', v: JSON.stringify({ to: phoneNumber }), vt: 'json' }],
      repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '', x: 160, y: 440, wires: wire('call') }),
    node('call', { type: 'telapi-call', name: 'call it with the demo line', account: DEMO_ACCOUNT_ID, from: '+15550100100', to: '',
      url: '/telapi/demo/voice', statusCallback: '', record: false, recordCallback: '', transcribe: false, transcribeCallback: '',
      timeout: 30, x: 400, y: 440, wires: wire('placed') }),
    debug('placed', 'call placed', 'callSid', 630, 440),

    node('start', { type: 'inject', name: 'record the demo call (5 s)', props: [{ p: 'callSid', v: DEMO_CALL_SIDS.inbound, vt: 'str' }],
      repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '', x: 170, y: 520, wires: wire('record') }),
    node('record', { type: 'telapi-record', name: 'start, at most 5 s', account: DEMO_ACCOUNT_ID, action: 'start', direction: 'both', timeLimit: 5,
      callbackUrl: '/telapi/demo/recording', fileFormat: 'mp3', trimSilence: false, transcribe: true, transcribeQuality: 'auto',
      transcribeCallback: '/telapi/demo/transcription', x: 420, y: 520, wires: wire('started') }),
    debug('started', 'demo call: recording started', 'payload', 680, 520),
    node('stop', { type: 'inject', name: 'stop it early', props: [{ p: 'callSid', v: DEMO_CALL_SIDS.inbound, vt: 'str' }],
      repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '', x: 130, y: 580, wires: wire('stopper') }),
    node('stopper', { type: 'telapi-record', name: 'stop recording', account: DEMO_ACCOUNT_ID, action: 'stop', direction: 'both', timeLimit: 60,
      callbackUrl: '', fileFormat: 'mp3', trimSilence: false, transcribe: false, transcribeQuality: 'auto', transcribeCallback: '',
      x: 410, y: 580, wires: wire('stopped') }),
    debug('stopped', 'demo call: recording stopped', 'payload', 680, 580),

    node('catch', { type: 'catch', name: 'errors of the demo', scope: null, uncaught: false, x: 150, y: 660, wires: wire('error') }),
    debug('error', 'demo error', 'error', 380, 660),
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

/**
 * `demo` names the phone page ({ phoneUrl, phoneNumber }) and the MP3s' folder; `tabEnv` overrides
 * example flow variables, e.g. { SIMULATOR_URL } for the download example.
 */
function demoFlows(account, demo, tabEnv = {}) {
  return [...demoTab(demo), ...exampleTabs(tabEnv), demoAccount(account)];
}

module.exports = { demoFlows, phoneCommentName, DEMO_ACCOUNT_ID, PHONE_COMMENT_ID, FIRST_INJECT_ID: 'telapi-demo-start' };
