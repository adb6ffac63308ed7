'use strict';
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_CALL_SIDS } = require('..');
const { rawRequest, basicAuth, closeAll, startSim, startFlow, xml } = require('./helpers');

const CLI = path.join(__dirname, '..', 'bin', 'telapi-simulator.js');

/** Runs the compiled CLI; `output()` is everything it printed so far. */
function runCli(args) {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    /** Resolves with the base URL once the banner is out; rejects if the CLI exits first. */
    listening: () =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = /listening on (http:\/\/\S+)/.exec(stdout);
          if (match) resolve(match[1]);
        };
        child.stdout.on('data', check);
        check();
        exited.then(({ code }) => reject(new Error(`CLI exited with ${code}: ${stderr}`)));
      }),
  };
}

describe('simulator: CLI', function () {
  const running = [];
  afterEach(async function () {
    await closeAll();
    for (const cli of running.splice(0)) {
      if (cli.child.exitCode === null && cli.child.signalCode === null) {
        cli.child.kill('SIGKILL');
        await cli.exited;
      }
    }
  });

  it('starts with a shebang, as the package bin needs', function () {
    assert.match(fs.readFileSync(CLI, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  });

  it('prints the base URL, demo credentials and demo calls, serves the API, and stops cleanly on SIGTERM', async function () {
    const cli = runCli(['--port', '0', '--quiet']);
    running.push(cli);
    const url = await cli.listening();
    const { stdout } = cli.output();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(stdout.includes(DEMO_ACCOUNT_SID));
    assert.ok(stdout.includes(DEMO_AUTH_TOKEN));
    for (const callSid of Object.values(DEMO_CALL_SIDS)) assert.ok(stdout.includes(callSid), callSid);
    const answer = await rawRequest(`${url}/v2/Accounts/${DEMO_ACCOUNT_SID}/Calls/${DEMO_CALL_SIDS.inbound}.json`, { headers: { authorization: basicAuth() } });
    assert.equal(answer.status, 200);
    cli.child.kill('SIGTERM');
    assert.deepEqual(await cli.exited, { code: 0, signal: null });
  });

  it('serves the phone with --phone-url (its voice URL in the page, not in the address printed) and refuses a URL that is not http(s)', async function () {
    const cli = runCli(['--port', '0', '--quiet', '--phone-url', 'http://127.0.0.1:1880/telapi/voice?key=flow-key']);
    running.push(cli);
    const url = await cli.listening();
    const { stdout } = cli.output();
    assert.ok(stdout.includes(`Phone:             ${url}/phone  (its number +15550100200 rings there)`), stdout);
    assert.ok(!stdout.includes('flow-key'));
    const page = await rawRequest(`${url}/phone`);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes('content="http://127.0.0.1:1880/telapi/voice?key=flow-key"'));
    cli.child.kill('SIGTERM');
    await cli.exited;
    const off = runCli(['--port', '0', '--quiet']);
    running.push(off);
    assert.ok(!(await off.listening().then(() => off.output().stdout)).includes('Phone:'));
    const bad = runCli(['--port', '0', '--phone-url', 'ftp://x/voice']);
    running.push(bad);
    assert.equal((await bad.exited).code, 2);
    assert.match(bad.output().stderr, /--phone-url: "ftp:\/\/x\/voice" is not an http or https URL/);
  });

  it('exits with code 1 and a clear message when the port is busy', async function () {
    const first = runCli(['--port', '0', '--quiet']);
    running.push(first);
    const url = await first.listening();
    const port = new URL(url).port;
    const second = runCli(['--port', port, '--host', '127.0.0.1', '--quiet']);
    running.push(second);
    const { code } = await second.exited;
    assert.equal(code, 1);
    assert.match(second.output().stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use.*--port`));
    first.child.kill('SIGINT');
    assert.deepEqual(await first.exited, { code: 0, signal: null });
  });

  it('exits with code 2 and the usage for a bad option', async function () {
    const cli = runCli(['--port', 'eighty']);
    running.push(cli);
    const { code } = await cli.exited;
    assert.equal(code, 2);
    assert.match(cli.output().stderr, /--port: "eighty" is not a valid value[\s\S]*Usage: telapi-simulator/);
  });

  it('accepts its own account with --account-sid/--auth-token and does not print the token', async function () {
    const accountSid = 'AC' + '12'.repeat(16);
    const authToken = 'custom-token-custom-token-custom';
    const cli = runCli(['--port', '0', '--quiet', '--account-sid', accountSid, '--auth-token', authToken, '--no-demo-calls', '--sign-callbacks']);
    running.push(cli);
    const url = await cli.listening();
    assert.equal(cli.output().stdout.includes(authToken), false);
    assert.match(cli.output().stdout, /signed/);
    const answer = await rawRequest(`${url}/v1/Accounts/${accountSid}/Calls.json`, { headers: { authorization: basicAuth(accountSid, authToken) } });
    assert.equal(answer.status, 200);
    assert.equal(answer.json.total, 0);
    cli.child.kill('SIGTERM');
    assert.equal((await cli.exited).code, 0);
  });

  it('takes --ca FILE and --insecure for callbacks over HTTPS, and refuses a --ca it cannot read', async function () {
    const help = runCli(['--help']);
    running.push(help);
    await help.exited;
    assert.match(help.output().stdout + help.output().stderr, /--ca <file>[\s\S]*--insecure/);
    const ok = runCli(['--port', '0', '--quiet', '--ca', path.join(__dirname, 'tls', 'cert.pem'), '--insecure']);
    running.push(ok);
    assert.match(await ok.listening(), /^http:\/\/127\.0\.0\.1:\d+$/);
    // Only that it started: the SIGTERM handler is the other test's subject.
    ok.child.kill('SIGKILL');
    await ok.exited;
    const missing = runCli(['--port', '0', '--ca', path.join(__dirname, 'tls', 'missing.pem')]);
    running.push(missing);
    assert.equal((await missing.exited).code, 2);
    assert.match(missing.output().stderr, /--ca: cannot read/);
  });

  it('places a call with `call`, prints what the caller hears and presses the --digits for each Gather', async function () {
    // The Gather waits 3 s (timeScale 0.1): time enough for the CLI to see it listening and press.
    const sim = await startSim({ demoCalls: false, timeScale: 0.1 });
    const flow = await startFlow({
      '/voice': xml('<Gather numDigits="1" timeout="30" action="/menu"><Say>Press 1 for sales.</Say></Gather>'),
      '/menu': (request) => xml(`<Say>You chose ${request.params.Digits}.</Say><Hangup/>`),
    });
    const cli = runCli(['call', '--server', sim.url, '--url', `${flow.url}/voice`, '--from', '+15550100009', '--digits', '1']);
    running.push(cli);
    assert.deepEqual(await cli.exited, { code: 0, signal: null });
    const { stdout } = cli.output();
    assert.match(stdout, /call CA[0-9a-f]{32} placed: \+15550100009 -> \+15550100100/);
    assert.match(stdout, /gather-started listening \(numDigits 1[\s\S]*say "Press 1 for sales\."[\s\S]*digits 1 \(heard by gather\)[\s\S]*say "You chose 1\."[\s\S]*hangup completed \(hangup-verb\)/);
    assert.equal(flow.received[1].params.Digits, '1');
  });

  it('`call` exits 1 when the call ends with an error, and 2 without --url', async function () {
    const sim = await startSim({ demoCalls: false });
    const flow = await startFlow({ '/voice': { status: 500, body: 'broken' } });
    const failing = runCli(['call', '--server', sim.url, '--url', `${flow.url}/voice`]);
    running.push(failing);
    assert.equal((await failing.exited).code, 1);
    assert.match(failing.output().stdout, /error The voice URL .* answered HTTP 500/);
    const usage = runCli(['call']);
    running.push(usage);
    assert.equal((await usage.exited).code, 2);
    assert.match(usage.output().stderr, /--url is required[\s\S]*Usage: telapi-simulator call/);
  });
});
