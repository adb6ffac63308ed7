'use strict';
// `npm start` as a user runs it: the banner, one click on the demo's first inject, the recording
// callback and the transcription in the debug sidebar, Ctrl-C, a second start, and a busy port.
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { openDebugSidebar } = require('../support/debug-sidebar');
const { FIRST_INJECT_ID } = require('../../demo/flows');

const ROOT = path.join(__dirname, '..', '..');

function startDemo(env) {
  const child = spawn(process.execPath, [path.join(ROOT, 'demo', 'start.js')], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const demo = { child, output: '' };
  child.stdout.on('data', (chunk) => { demo.output += chunk; });
  child.stderr.on('data', (chunk) => { demo.output += chunk; });
  demo.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  demo.waitForOutput = async (pattern, timeoutMs = 60_000) => {
    const until = Date.now() + timeoutMs;
    while (!pattern.test(demo.output)) {
      if (Date.now() > until || child.exitCode !== null) throw new Error(`demo output never matched ${pattern}:\n${demo.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return demo;
}

async function clickFirstInjectAndWatch(editorUrl) {
  const sidebar = await openDebugSidebar(editorUrl);
  try {
    const clicked = await fetch(`${editorUrl}/inject/${FIRST_INJECT_ID}`, { method: 'POST' });
    assert.equal(clicked.status, 200);
    const callback = await sidebar.waitFor((m) => m.name === 'recording callback', 20_000, 'recording callback');
    const transcription = await sidebar.waitFor((m) => m.name === 'transcription', 20_000, 'transcription');
    assert.deepEqual(sidebar.byName('error'), []);
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
    const { callback } = await clickFirstInjectAndWatch(againUrl);
    assert.equal(callback.topic, 'recording');
    demo.child.kill('SIGINT');
    assert.equal(await demo.exited, 0);
  });
});
