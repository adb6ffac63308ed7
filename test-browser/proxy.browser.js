'use strict';
// Issue 13 in the editor: a Node-RED with httpNodeRoot '/api' and httpNodeAuth; the dialogs' warnings,
// "use this editor's address", and the callback node's Test reachability button against the runtime.
// Issue 21: the editor opened through a TLS reverse proxy with a path prefix (/nr/ in front of
// httpAdminRoot /admin and httpNodeRoot /api) fills in its address with the prefix.
const assert = require('node:assert/strict');
const h = require('./harness');
const { nodeRedPath } = require('../test/support/red');
const { startTlsProxy, CERT_FILE } = require('../test/support/tls-proxy');

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'Zq8wX3vB6nM1kL4jH7gF0dS2aP5oI9uY';
const USER = 'telapi';
const PASSWORD = 'browser-cb-password-not-shown';

describe('editor behind proxies: warnings and the reachability test', function () {
  this.timeout(120_000);
  const bcrypt = require(require.resolve('bcryptjs', { paths: [nodeRedPath] }));
  const editor = h.useEditor({
    settings: { httpNodeRoot: '/api', httpNodeAuth: { user: USER, pass: bcrypt.hashSync(PASSWORD, 8) } },
    prepare: deployAccounts,
  });
  let server;
  let page;
  before(() => { ({ server, page } = editor); });

  async function deployAccounts(server) {
    // A TelAPI on this machine (as the simulator is): a public URL on this machine is then the right one.
    const account = (id, publicUrl, credentials) => ({ id, type: 'telapi-account', name: `${id} account`, baseUrl: 'http://127.0.0.1:9/v2', publicUrl, credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, ...credentials } });
    await server.deploy([
      { id: 'tab', type: 'tab', label: 'proxy' },
      account('good', `${server.url}/api`, { callbackUser: USER, callbackPassword: PASSWORD }),
      account('noRoot', server.url, { callbackUser: USER, callbackPassword: PASSWORD }),
      account('noCreds', `${server.url}/api`, {}),
      { id: 'cbGood', type: 'telapi-callback', z: 'tab', x: 200, y: 100, account: 'good', url: '/telapi/good', security: 'token', wires: [[]] },
      { id: 'cbNoRoot', type: 'telapi-callback', z: 'tab', x: 200, y: 200, account: 'noRoot', url: '/telapi/noroot', security: 'token', wires: [[]] },
      { id: 'cbNoCreds', type: 'telapi-callback', z: 'tab', x: 200, y: 300, account: 'noCreds', url: '/telapi/nocreds', security: 'token', wires: [[]] },
    ]);
  }

  async function closeDialog() {
    await page.locator('#node-dialog-cancel').click();
    await page.locator('#node-dialog-cancel').waitFor({ state: 'detached' });
    await h.waitForTrays(page);
  }

  async function testButton(id) {
    await h.openNodeDialog(page, id);
    await page.locator('#telapi-callback-test').click();
    const result = page.locator('#telapi-callback-test-result:not([data-cause=""])[data-cause]');
    await result.waitFor();
    const answer = { cause: await result.getAttribute('data-cause'), text: await result.textContent() };
    return answer;
  }

  it('Test reachability: arrived for the right settings, and the cause for each wrong one', async () => {
    const good = await testButton('cbGood');
    assert.equal(good.cause, 'arrived', good.text);
    assert.match(good.text, /^Arrived at this node and was accepted/);
    assert.ok(!good.text.includes(PASSWORD));
    assert.equal(await page.locator('#telapi-callback-warn-noNodeRoot').isVisible(), false);
    await closeDialog();

    const noRoot = await testButton('cbNoRoot');
    assert.equal(noRoot.cause, 'noNodeRoot', noRoot.text);
    assert.equal(await page.locator('#telapi-callback-warn-noNodeRoot').isVisible(), true, 'the dialog warns before the test too');
    await closeDialog();

    const noCreds = await testButton('cbNoCreds');
    assert.equal(noCreds.cause, 'authNoCredentials', noCreds.text);
    await page.locator('#telapi-callback-warn-httpNodeAuth').waitFor({ state: 'visible' });
    await closeDialog();
  });

  it('the account dialog warns without httpNodeRoot or callback credentials, and offers this editor\'s address', async () => {
    await h.openNodeDialog(page, 'cbNoCreds');
    await h.editConfigNode(page, 'account');
    await page.locator('#node-config-input-publicUrl').waitFor();
    await h.waitForTrays(page, { opened: true });
    await page.locator('#telapi-account-warn-httpNodeAuth').waitFor({ state: 'visible' });
    await page.locator('#node-config-input-callbackUser').pressSequentially(USER);
    await page.locator('#telapi-account-warn-httpNodeAuth').waitFor({ state: 'hidden' });
    const publicUrl = page.locator('#node-config-input-publicUrl');
    await publicUrl.fill('');
    await publicUrl.pressSequentially('https://host.example:443/nr');
    await page.locator('#telapi-account-warn-noNodeRoot').waitFor({ state: 'visible' });
    await page.locator('#telapi-account-use-editor-address').click();
    assert.equal(await publicUrl.inputValue(), `${server.url}/api`);
    await page.locator('#telapi-account-warn-noNodeRoot').waitFor({ state: 'hidden' });
    await page.locator('#node-config-dialog-cancel').click();
    await h.waitForTrays(page);
    await closeDialog();
  });
});

describe('editor behind a TLS reverse proxy with a path prefix: this editor\'s address keeps the prefix', function () {
  this.timeout(120_000);
  const PREFIX = '/nr';
  let proxy;
  const editor = h.useEditor({
    settings: { httpAdminRoot: '/admin', httpNodeRoot: '/api', httpServerOptions: { 'trust proxy': 'loopback' } },
    // The runtime's test callback goes out through the proxy, whose certificate is self-signed.
    env: { NODE_EXTRA_CA_CERTS: CERT_FILE },
    ignoreHTTPSErrors: true,
    async prepare(server) {
      proxy = await startTlsProxy(server.url, PREFIX);
      await server.deploy([
        { id: 'tab', type: 'tab', label: 'behind nginx' },
        // A TelAPI on this machine (as the simulator is): a public URL on this machine is then the right one.
        { id: 'acc', type: 'telapi-account', name: 'local', baseUrl: 'http://127.0.0.1:9/v2', publicUrl: '', credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } },
        { id: 'cb', type: 'telapi-callback', z: 'tab', x: 200, y: 100, account: 'acc', url: '/telapi/recording', security: 'signature', wires: [[]] },
      ]);
    },
    address: () => `https://127.0.0.1:${proxy.port}${PREFIX}/admin/`,
  });
  let page;
  before(() => { ({ page } = editor); });
  after(async () => {
    if (proxy) await proxy.close();
  });

  it('fills in https://host:port/nr/api from https://host:port/nr/admin/, and the deployed node\'s test callback arrives through the proxy', async () => {
    const expected = `https://127.0.0.1:${proxy.port}${PREFIX}/api`;
    assert.equal(await page.evaluate(() => window.location.pathname), `${PREFIX}/admin/`);
    await h.openNodeDialog(page, 'cb');
    await h.editConfigNode(page, 'account');
    const publicUrl = page.locator('#node-config-input-publicUrl');
    await publicUrl.waitFor();
    await h.waitForTrays(page, { opened: true });
    await page.locator('#telapi-account-use-editor-address').click();
    assert.equal(await publicUrl.inputValue(), expected);
    assert.equal(await page.locator('#telapi-account-warn-noNodeRoot').isVisible(), false);
    assert.equal(await page.locator('#telapi-account-warn-localOnly').isVisible(), false, 'TelAPI is on this machine too');
    await h.screenshotTray(page, h.artifact('proxy-editor-address.png'), page.locator('#telapi-account-tip-publicUrl'));
    await page.locator('#node-config-dialog-ok').click();
    await page.locator('#node-config-dialog-ok').waitFor({ state: 'detached' });
    await h.waitForTrays(page);
    // Signature mode: the URL TelAPI is to call is the one the record node sends, token and all. Node-RED
    // tells the dialog of the account's new public URL 50 ms after the account's dialog has closed.
    await h.eventually(() => page.locator('#telapi-callback-preview').textContent(), `${expected}/telapi/recording?token=…`);
    await page.locator('#node-dialog-ok').click();
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    await h.waitForTrays(page);
    await h.deploy(page);

    await h.openNodeDialog(page, 'cb');
    await page.locator('#telapi-callback-test').click();
    const result = page.locator('#telapi-callback-test-result[data-cause]');
    await result.waitFor();
    assert.equal(await result.getAttribute('data-cause'), 'arrived', await result.textContent());
    assert.match(await result.textContent(), new RegExp(`Sent to ${expected.replace(/[.]/g, '\\.')}/telapi/recording\\?token=…`));
    await page.locator('#node-dialog-cancel').click();
    await page.locator('#node-dialog-cancel').waitFor({ state: 'detached' });
  });
});
