'use strict';
// `npm start` as a user runs it: the banner, one click on the demo's first inject, the recording
// callback and the transcription in the debug sidebar, Ctrl-C, a second start, and a busy port.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { openDebugSidebar } = require('../support/debug-sidebar');
const { FIRST_INJECT_ID } = require('../../demo/flows');
const { startDemo } = require('../support/demo');
const { DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN } = require('@telapi-nodes/telapi-simulator');

/** The simulator's control API with the demo account's credentials, as `telapi-simulator call` drives it. */
async function control(simulatorUrl, method, route, form) {
  const response = await fetch(`${simulatorUrl}/_simulator${route}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from(`${DEMO_ACCOUNT_SID}:${DEMO_AUTH_TOKEN}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: method === 'GET' ? undefined : new URLSearchParams(form).toString(),
  });
  assert.equal(response.status, 200, `${method} ${route}: ${await response.clone().text()}`);
  return response.json();
}

/** Waits (long polling) for an event of the call's transcript. */
async function waitForEvent(simulatorUrl, callSid, predicate) {
  for (let after = 0; ;) {
    const { events } = await control(simulatorUrl, 'GET', `/calls/${callSid}/events?after=${after}&wait_ms=10000`);
    for (const event of events) {
      if (predicate(event)) return event;
      if (event.type === 'hangup') throw new Error(`the call ended first: ${JSON.stringify(event)}`);
      after = event.sequence;
    }
  }
}

async function clickFirstInjectAndWatch(editorUrl) {
  const sidebar = await openDebugSidebar(editorUrl);
  try {
    const clicked = await fetch(`${editorUrl}/inject/${FIRST_INJECT_ID}`, { method: 'POST' });
    assert.equal(clicked.status, 200);
    const callback = await sidebar.waitFor((m) => m.name === 'recording callback', 20_000, 'recording callback');
    const transcription = await sidebar.waitFor((m) => m.name === 'transcription', 20_000, 'transcription');
    assert.deepEqual(sidebar.byName('demo error'), []);
    return { callback: callback.value, transcription: transcription.value };
  } finally {
    sidebar.close();
  }
}

describe('npm start: the offline demo', function () {
  this.timeout(120_000);
  let env;
  let editorUrl;
  const demos = [];

  before(async function () {
    // `npm start` runs the devDependency Node-RED (4.1) on the machine's Node whatever the leg: on the
    // other legs (TELAPI_TEST_NODE_RED set by scripts/test-leg.js) it would test the same thing again.
    if (process.env.TELAPI_TEST_NODE_RED) this.skip();
    // Port 0: Node-RED and the simulator bind free ports themselves; the banner names them.
    env = { PORT: '0', SIMULATOR_PORT: '0', TELAPI_DEMO_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'telapi-demo-')) };
  });

  /** The editor URL a started demo's banner names. */
  const bannerEditorUrl = (demo) => /Node-RED editor:\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(demo.output)[1];

  after(async () => {
    for (const demo of demos) if (demo.child.exitCode === null) demo.child.kill('SIGKILL');
  });

  const launch = () => {
    const demo = startDemo(env);
    demos.push(demo);
    return demo;
  };

  it('prints the editor URL, and one click yields the recording callback and then the transcription', async () => {
    const demo = launch();
    await demo.waitForOutput(/Node-RED editor:\s+http:\/\/127\.0\.0\.1:\d+\//);
    editorUrl = bannerEditorUrl(demo);
    assert.notEqual(editorUrl, 'http://127.0.0.1:0');
    const { callback, transcription } = await clickFirstInjectAndWatch(editorUrl);
    assert.equal(callback.topic, 'recording');
    assert.match(callback.recordingUrl, /^http:\/\/127\.0\.0\.1:\d+\/recordings\/AC[0-9a-f]{32}\/RE[0-9a-f]{32}\.mp3$/);
    assert.equal(callback.payload.RecordingDuration, '5');
    const media = await fetch(callback.recordingUrl);
    assert.equal(media.status, 200);
    assert.ok((await media.arrayBuffer()).byteLength > 1000);
    assert.equal(typeof transcription, 'string');
    assert.ok(transcription.length > 10);
    // The editor asks "notify me of updates?" while telemetryEnabled is undefined: the demo answers it.
    const settings = await (await fetch(`${editorUrl}/settings`, { headers: { 'node-red-api-version': 'v2' } })).json();
    assert.equal(settings.telemetryEnabled, false);
  });

  it('opens on the debug sidebar, names the phone page in the banner and on the demo tab', async () => {
    const demo = demos[0];
    const phoneUrl = `${demo.bannerUrl('Phone')}/phone`;
    assert.match(demo.output, /Phone:\s+http:\/\/127\.0\.0\.1:\d+\/phone\n/);
    const page = await fetch(phoneUrl);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>Phone · TelAPI simulator<\/title>/);
    const flows = (await (await fetch(`${editorUrl}/flows`, { headers: { 'node-red-api-version': 'v2' } })).json()).flows;
    assert.equal(flows.find((n) => n.z === 'telapi-demo-tab' && n.type === 'comment').name, `Call it from the phone page: ${phoneUrl}`);
    const userSettings = await (await fetch(`${editorUrl}/settings/user`)).json();
    assert.equal(userSettings.editor.sidebar.order[0], 'debug');
    // Every debug and catch node on the demo tab has a name of its own.
    const named = flows.filter((n) => n.z === 'telapi-demo-tab' && (n.type === 'debug' || n.type === 'catch')).map((n) => n.name);
    assert.equal(new Set(named).size, named.length);
    assert.ok(named.every((name) => name.length > 0));
  });

  it('answers a call to the demo line: press 1, the recording callback in the sidebar, the call filed as an MP3', async () => {
    const demo = demos[0];
    const simulatorUrl = demo.bannerUrl('TelAPI simulator');
    const { url } = await (await fetch(`${editorUrl}/telapi-voice/url?account=telapi-demo-account&path=/telapi/demo/voice`)).json();
    const sidebar = await openDebugSidebar(editorUrl);
    try {
      const call = await control(simulatorUrl, 'POST', '/calls/inbound', { Url: url, From: '+15550100001', To: '+15550100100' });
      await waitForEvent(simulatorUrl, call.sid, (e) => e.type === 'gather-started');
      await control(simulatorUrl, 'POST', `/calls/${call.sid}/digits`, { Digits: '1' });
      await waitForEvent(simulatorUrl, call.sid, (e) => e.type === 'record-started');
      await sidebar.waitFor((m) => m.name === 'recording started', 20_000, 'recording started');
      await control(simulatorUrl, 'POST', `/calls/${call.sid}/hangup`, {});
      const callback = await sidebar.waitFor((m) => m.name === 'recording callback' && m.value.callSid === call.sid, 20_000, 'recording callback');
      assert.equal(callback.value.topic, 'recording');
      const filed = await sidebar.waitFor((m) => m.name === 'MP3 filed' && m.value.endsWith(`${call.sid}.mp3`), 20_000, 'MP3 filed');
      assert.equal(filed.value, path.join(env.TELAPI_DEMO_DIR, 'recordings', `${call.sid}.mp3`));
      const mp3 = fs.readFileSync(filed.value);
      assert.ok(mp3.length > 1000);
      assert.equal(mp3[0], 0xff, 'an MPEG frame first (the join leaves tags out)');
      assert.equal(mp3[1] & 0xe0, 0xe0);
      await sidebar.waitFor((m) => m.name === 'transcription', 20_000, 'transcription');
      assert.deepEqual(sidebar.byName('demo error'), []);
    } finally {
      sidebar.close();
    }
  });

  it('says clearly when a port is busy', async () => {
    const second = startDemo({ ...env, PORT: new URL(editorUrl).port });
    demos.push(second);
    assert.equal(await second.exited, 1);
    assert.match(second.output, /Port \d+ on 127\.0\.0\.1 is already in use, so Node-RED/);
    assert.match(second.output, /PORT=\d+ npm start/);
  });

  it('says clearly when the simulator\'s port is busy', async () => {
    const simulatorPort = /TelAPI simulator:\s+http:\/\/127\.0\.0\.1:(\d+)\/v2/.exec(demos[0].output)[1];
    const second = startDemo({ ...env, SIMULATOR_PORT: simulatorPort });
    demos.push(second);
    assert.equal(await second.exited, 1);
    assert.match(second.output, new RegExp(`Port ${simulatorPort} on 127\\.0\\.0\\.1 is already in use, so the TelAPI simulator`));
    assert.match(second.output, /SIMULATOR_PORT=\d+ npm start/);
  });

  it('stops both servers on Ctrl-C', async () => {
    const demo = demos[0];
    demo.child.kill('SIGINT');
    assert.equal(await demo.exited, 0);
    assert.match(demo.output, /Demo stopped\./);
    await assert.rejects(fetch(editorUrl), 'Node-RED is down');
    const simulatorUrl = /TelAPI simulator:\s+(http:\/\/127\.0\.0\.1:\d+)\/v2/.exec(demo.output)[1];
    await assert.rejects(fetch(`${simulatorUrl}/v2/Accounts/x/Calls.json`), 'the simulator is down');
  });

  it('starts again on another free port, keeping the saved demo flows and pointing their callbacks at it', async () => {
    const demo = launch();
    await demo.waitForOutput(/Node-RED editor:/);
    assert.match(demo.output, /saved demo flows were kept/);
    const againUrl = bannerEditorUrl(demo);
    const flows = await (await fetch(`${againUrl}/flows`, { headers: { 'node-red-api-version': 'v2' } })).json();
    assert.equal(flows.flows.find((n) => n.type === 'telapi-account').publicUrl, againUrl);
    assert.equal(flows.flows.find((n) => n.id === 'telapi-demo-comment').name, `Call it from the phone page: ${demo.bannerUrl('Phone')}/phone`);
    const { callback } = await clickFirstInjectAndWatch(againUrl);
    assert.equal(callback.topic, 'recording');
    demo.child.kill('SIGINT');
    assert.equal(await demo.exited, 0);
  });
});
