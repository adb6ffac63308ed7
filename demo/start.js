'use strict';
// `npm start`: the TelAPI simulator with its phone page and a real Node-RED (the devDependency) with a
// project-local user directory, this package linked into it, and the demo flows deployed against the
// simulator; the phone page calls the demo line.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const HOST = '127.0.0.1';
// 0: Node-RED binds any free port itself; the banner names it.
const NODE_RED_PORT = Number(process.env.PORT || 1880);
const SIMULATOR_PORT = Number(process.env.SIMULATOR_PORT || 8089);
const USER_DIR = path.resolve(process.env.TELAPI_DEMO_DIR || path.join(ROOT, '.demo'));
const RESET = process.argv.includes('--reset');
// Relative to the user directory (Node-RED's fileWorkingDirectory here).
const RECORDINGS_FOLDER = 'recordings';
const DEMO_VOICE_PATH = '/telapi/demo/voice';

function fail(message) {
  console.error(`\n${message}\n`);
  process.exit(1);
}

if (!fs.existsSync(path.join(ROOT, 'dist', 'nodes', 'record', 'telapi-record.js')) || !fs.existsSync(path.join(ROOT, 'simulator', 'dist', 'index.js'))) {
  fail('The package is not built yet: run `npm install` (it builds the nodes and the simulator) and then `npm start`.');
}
const { startSimulator, consoleLogger, DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN } = require('@telapi-nodes/telapi-simulator');
const { demoFlows, phoneCommentName, DEMO_ACCOUNT_ID, PHONE_COMMENT_ID } = require('./flows');
const PACKAGE_NAME = require('../package.json').name;

function prepareUserDir() {
  fs.mkdirSync(USER_DIR, { recursive: true });
  fs.writeFileSync(path.join(USER_DIR, 'package.json'), JSON.stringify({ name: 'telapi-demo', private: true, description: 'npm start user directory' }, null, 2));
  const link = path.join(USER_DIR, 'node_modules', ...PACKAGE_NAME.split('/'));
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.rmSync(link, { recursive: true, force: true });
  fs.symlinkSync(ROOT, link, process.platform === 'win32' ? 'junction' : 'dir');
  const settings = {
    uiHost: HOST,
    uiPort: NODE_RED_PORT,
    flowFile: 'flows.json',
    fileWorkingDirectory: USER_DIR,
    credentialSecret: 'telapi-demo-credential-secret',
    editorTheme: { tours: false, projects: { enabled: false }, page: { title: 'Node-RED · TelAPI demo' } },
    // No "notify me of updates?" prompt over the demo (Node-RED 4 asks until this is set), and no ping home.
    telemetry: { enabled: false, updateNotification: false },
    logging: { console: { level: 'info', metrics: false, audit: false } },
  };
  fs.writeFileSync(path.join(USER_DIR, 'settings.js'), `module.exports = ${JSON.stringify(settings, null, 2)};\n`);
  // The editor opens on its first sidebar tab: the debug messages the banner promises, not the info
  // tab. A user's own order (or a tab they chose since, kept by the browser) is left alone.
  const userSettings = path.join(USER_DIR, '.config.users.json');
  if (!fs.existsSync(userSettings)) {
    const order = ['debug', 'info', 'help', 'config', 'context'];
    fs.writeFileSync(userSettings, JSON.stringify({ _: { editor: { sidebar: { order } } } }, null, 4));
  }
}

/**
 * Keeps a user's edits between starts, but points the demo account at this start's ports (its
 * public URL only when the port is known before Node-RED binds it: see retargetDeployedAccount).
 */
function retargetSavedFlows(account, phoneUrl) {
  const flowFile = path.join(USER_DIR, 'flows.json');
  if (RESET || !fs.existsSync(flowFile)) return false;
  const flows = JSON.parse(fs.readFileSync(flowFile, 'utf8'));
  const node = Array.isArray(flows) && flows.find((n) => n.id === DEMO_ACCOUNT_ID);
  if (!node || !fs.existsSync(path.join(USER_DIR, 'flows_cred.json'))) return false;
  node.baseUrl = account.baseUrl;
  if (NODE_RED_PORT !== 0) node.publicUrl = account.publicUrl;
  const comment = flows.find((n) => n.id === PHONE_COMMENT_ID);
  if (comment) comment.name = phoneCommentName(phoneUrl);
  fs.writeFileSync(flowFile, JSON.stringify(flows, null, 4));
  return true;
}

/** The demo line's voice URL with its key, as the voice node's dialog shows it (the phone page calls it). */
async function demoVoiceUrl(editorUrl) {
  const query = new URLSearchParams({ account: DEMO_ACCOUNT_ID, path: DEMO_VOICE_PATH });
  const response = await fetch(`${editorUrl}/telapi-voice/url?${query}`);
  const answer = response.ok ? await response.json() : {};
  if (typeof answer.url !== 'string') throw new Error(`the demo line's voice URL is unknown: ${response.status} ${JSON.stringify(answer)}`);
  return answer.url;
}

/** Points the saved demo account at the port Node-RED bound; deploys only if that changes it. */
async function retargetDeployedAccount(editorUrl) {
  const response = await fetch(`${editorUrl}/flows`, { headers: { 'node-red-api-version': 'v2' } });
  if (!response.ok) throw new Error(`reading the saved flows failed: ${response.status} ${await response.text()}`);
  const { flows } = await response.json();
  const node = flows.find((n) => n.id === DEMO_ACCOUNT_ID);
  if (!node || node.publicUrl === editorUrl) return false;
  node.publicUrl = editorUrl;
  // Without a `credentials` property the runtime keeps the account's saved credentials.
  await deploy(editorUrl, flows);
  return true;
}

async function deploy(editorUrl, flows) {
  const response = await fetch(`${editorUrl}/flows`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'node-red-deployment-type': 'full', 'node-red-api-version': 'v2' },
    body: JSON.stringify({ flows }),
  });
  if (!response.ok) throw new Error(`deploying the demo flows failed: ${response.status} ${await response.text()}`);
}

function portBusy(port, what, variable) {
  fail(`Port ${port} on ${HOST} is already in use, so ${what} cannot start there.\n` +
    `Is a previous demo or another Node-RED still running? Stop it, or pick another port: ${variable}=${port + 1} npm start`);
}

/** Binds the simulator's port itself (0: any free port), so no other process can take it in between. */
async function startDemoSimulator() {
  try {
    return await startSimulator({
      port: SIMULATOR_PORT, host: HOST, callbackDelayMs: 1000, transcriptionDelayMs: 3000, logger: consoleLogger('info'), phone: true,
    });
  } catch (error) {
    if (error.code === 'EADDRINUSE') portBusy(SIMULATOR_PORT, 'the TelAPI simulator', 'SIMULATOR_PORT');
    throw error;
  }
}

async function main() {
  let publicUrl = `http://${HOST}:${NODE_RED_PORT}`;
  const simulator = await startDemoSimulator();
  const account = { baseUrl: `${simulator.url}/v2`, publicUrl, accountSid: DEMO_ACCOUNT_SID, authToken: DEMO_AUTH_TOKEN };

  prepareUserDir();
  const keptFlows = retargetSavedFlows(account, simulator.phoneUrl);
  const nodeRedMain = require.resolve('node-red/red.js', { paths: [ROOT] });
  const nodeRed = spawn(process.execPath, [nodeRedMain, '--userDir', USER_DIR, '--settings', path.join(USER_DIR, 'settings.js')], {
    cwd: USER_DIR, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_RED_ENABLE_PROJECTS: 'false' },
  });

  let stopping = false;
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    if (nodeRed.exitCode === null) nodeRed.kill('SIGINT');
    const exited = new Promise((resolve) => nodeRed.once('exit', resolve));
    const timer = setTimeout(() => nodeRed.kill('SIGKILL'), 10_000);
    if (nodeRed.exitCode === null) await exited;
    clearTimeout(timer);
    await simulator.close();
    console.log('Demo stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  nodeRed.once('exit', (code) => {
    if (stopping) return;
    // Node-RED binds its port itself: when it is taken, it says so and exits.
    if (!announced && /port in use|EADDRINUSE/i.test(output)) {
      stopping = true;
      void simulator.close().then(() => portBusy(NODE_RED_PORT, 'Node-RED', 'PORT'));
      return;
    }
    console.error(`Node-RED exited (${code}).`);
    void stop(1);
  });

  let output = '';
  let announced = false;
  const waitForOutput = (pattern, from = 0) => new Promise((resolve) => {
    const check = () => {
      if (!pattern.test(output.slice(from))) return;
      nodeRed.stdout.off('data', check);
      resolve();
    };
    nodeRed.stdout.on('data', check);
    check();
  });
  nodeRed.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    if (!announced) output += chunk.toString();
  });

  await waitForOutput(/Server now running at/);
  const boundPort = /Server now running at http:\/\/[^\s/]+:(\d+)/.exec(output)?.[1];
  if (boundPort) publicUrl = `http://${HOST}:${boundPort}`;
  account.publicUrl = publicUrl;
  try {
    // The banner waits for the flows to run, so that the first click already works.
    if (keptFlows) {
      await waitForOutput(/Started flows/);
      const deployedFrom = output.length;
      if (await retargetDeployedAccount(publicUrl)) await waitForOutput(/Started flows/, deployedFrom);
    } else {
      // The empty flows start first; a deploy's "Started flows" is the one that follows them.
      await waitForOutput(/Started flows/);
      const deployedFrom = output.length;
      const demo = { phoneUrl: simulator.phoneUrl, phoneNumber: simulator.phoneNumber, recordingsFolder: RECORDINGS_FOLDER };
      await deploy(publicUrl, demoFlows(account, demo, { SIMULATOR_URL: simulator.url }));
      await waitForOutput(/Started flows/, deployedFrom);
    }
    simulator.phoneVoiceUrl = await demoVoiceUrl(publicUrl);
  } catch (error) {
    console.error(String(error));
    return void stop(1);
  }
  announced = true;
  console.log([
    '',
    '────────────────────────────────────────────────────────────────────',
    `  Node-RED editor:   ${publicUrl}/`,
    `  Phone:             ${simulator.phoneUrl}`,
    `  TelAPI simulator:  ${simulator.url}/v2  (AccountSid ${DEMO_ACCOUNT_SID})`,
    '',
    '  Open the editor and the phone side by side. On the phone press Call:',
    '  the "TelAPI demo" flow answers; press 1 to have the call recorded,',
    '  say something, hang up. The recording callback appears in the',
    '  editor\'s debug sidebar, the call is filed as an MP3 in',
    `  ${path.join(USER_DIR, RECORDINGS_FOLDER)}, its transcription follows.`,
    '  No phone? Click "record the demo call (5 s)" in the editor.',
    keptFlows ? '  (Your saved demo flows were kept; `npm start -- --reset` restores them.)' : '',
    '  Ctrl-C stops both.',
    '────────────────────────────────────────────────────────────────────',
    '',
  ].filter((line, i, all) => line !== '' || i === 0 || i === all.length - 1 || all[i - 1] !== '').join('\n'));
}

main().catch((error) => fail(`The demo could not start: ${error.message}`));
