'use strict';
// Screenshots for the README and the Flow Library page: `npm run screenshots` (after `npm run build`;
// Chromium from .ci/browser-setup.sh). Same harness as the browser suite: the packed package in a
// fresh Node-RED on 127.0.0.1, Debian's Chromium. Writes docs/images/{palette,record-dialog,account-dialog,
// account-private-url,callback-bad-path,example-flow}.png.
//
//   TELAPI_EXAMPLE="03 - Record and transcribe.json" npm run screenshots   picks another example
const fs = require('node:fs');
const path = require('node:path');
const h = require('../test-browser/harness');

const OUT = path.join(h.ROOT, 'docs', 'images');
// Made-up demo credentials: screenshots never show a real account.
const DEMO = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'demo-token-not-real-0123456789ab' };

function example() {
  const dir = path.join(h.ROOT, 'examples');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
  if (files.length === 0) throw new Error('examples/ has no flow to show');
  const name = process.env.TELAPI_EXAMPLE || files.find((f) => /callback/i.test(f)) || files[0];
  return JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
}

/** A small flow for the dialog screenshot, plus the example (its account given demo credentials). */
function flows() {
  const demo = [
    { id: 'shots-tab', type: 'tab', label: 'Call recording' },
    { id: 'shots-acc', type: 'telapi-account', name: 'TelAPI production', baseUrl: 'https://api.telapi.com/v1',
      publicUrl: 'https://nr.example.com', timeout: 15, credentials: DEMO },
    { id: 'shots-in', type: 'inject', z: 'shots-tab', name: 'call answered', props: [{ p: 'callSid', v: 'CA0123456789abcdef0123456789abcdef', vt: 'str' }],
      repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '', x: 140, y: 100, wires: [['shots-rec']] },
    { id: 'shots-rec', type: 'telapi-record', z: 'shots-tab', name: '', account: 'shots-acc', action: 'start', direction: 'both', timeLimit: 600,
      callbackUrl: '/telapi/recording', fileFormat: 'mp3', trimSilence: true, transcribe: true, transcribeQuality: 'auto',
      transcribeCallback: '/telapi/transcription', x: 340, y: 100, wires: [['shots-dbg']] },
    { id: 'shots-dbg', type: 'debug', z: 'shots-tab', name: 'Recording', active: true, tosidebar: true, console: false, complete: 'payload', x: 540, y: 100, wires: [] },
    { id: 'shots-cb', type: 'telapi-callback', z: 'shots-tab', name: '', account: 'shots-acc', url: '/telapi/recording', security: 'token', x: 160, y: 180, wires: [['shots-dbg2']] },
    { id: 'shots-dbg2', type: 'debug', z: 'shots-tab', name: 'recording done', active: true, tosidebar: true, console: false, complete: 'payload', x: 380, y: 180, wires: [] },
  ];
  const flow = example().map((node) => (node.type === 'telapi-account' ? { ...node, credentials: DEMO } : node));
  return { demo, flow, tab: flow.find((n) => n.type === 'tab') };
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const server = await h.startEditorServer();
  const browser = await h.launchBrowser({ viewport: { width: 1280, height: 1080 } });
  try {
    const { demo, flow, tab } = flows();
    await server.deploy([...demo, ...flow]);
    const { page } = await h.openEditor(browser.context, server.url);
    await page.addStyleTag({ content: '.red-ui-editor .red-ui-tourGuide, #red-ui-sidebar-tips { display: none !important; }' });

    // 1. The palette with the TelAPI category open (the others folded), beside the small demo flow.
    await page.locator('#red-ui-workspace-tabs .red-ui-tab-label', { hasText: 'Call recording' }).click();
    await page.evaluate(() => {
      $('.red-ui-palette-category').not('#red-ui-palette-container-TelAPI').each(function () {
        if ($(this).find('.red-ui-palette-content').is(':visible')) $(this).find('.red-ui-palette-header').trigger('click');
      });
    });
    await page.waitForFunction(() => $('.red-ui-palette-content:animated').length === 0);
    const category = await page.locator('#red-ui-palette-container-TelAPI').boundingBox();
    const header = await page.locator('#red-ui-header').boundingBox();
    const chart = await page.locator('#red-ui-workspace').boundingBox();
    await page.screenshot({
      path: path.join(OUT, 'palette.png'),
      clip: { x: 0, y: header.height, width: chart.x + 660, height: category.y + category.height + 16 - header.height },
    });

    // 2. The record node's dialog.
    await h.openNodeDialog(page, 'shots-rec');
    await h.screenshotTray(page, path.join(OUT, 'record-dialog.png'));

    // 2b. Its account: the AuthToken is stored, never shown.
    await h.editConfigNode(page, 'account');
    await page.locator('#node-config-input-accountSid').waitFor();
    await h.waitForTrays(page, { opened: true });
    await page.locator('#node-config-input-name').blur();
    await h.screenshotTray(page, path.join(OUT, 'account-dialog.png'), page.locator('.telapi-account-form'));

    // 2c. The public URL a newcomer types first, this machine's: TelAPI on the internet cannot reach it.
    const publicUrl = page.locator('#node-config-input-publicUrl');
    await publicUrl.fill('');
    await publicUrl.pressSequentially('http://127.0.0.1:1880');
    await publicUrl.blur();
    const localOnly = page.locator('#telapi-account-warn-localOnly');
    await localOnly.waitFor({ state: 'visible' });
    await h.screenshotTray(page, path.join(OUT, 'account-private-url.png'), page.locator('#telapi-account-tip-publicUrl'));
    await page.locator('#node-config-dialog-cancel').click();
    await page.locator('#node-config-dialog-cancel').waitFor({ state: 'detached' });
    await page.locator('#node-dialog-cancel').click();
    await page.locator('#node-dialog-cancel').waitFor({ state: 'detached' });
    await h.waitForTrays(page);

    // 2d. A callback node given the editor's own /flows: marked, with the reason, before deploy.
    await h.openNodeDialog(page, 'shots-cb');
    const url = page.locator('#node-input-url');
    await url.fill('');
    await url.pressSequentially('/flows');
    await url.blur();
    const problem = page.locator('#telapi-callback-path-problem');
    await problem.waitFor({ state: 'visible' });
    await page.locator('#node-input-url.input-error').waitFor();
    await h.screenshotTray(page, path.join(OUT, 'callback-bad-path.png'), problem);
    await page.locator('#node-dialog-cancel').click();
    await page.locator('#node-dialog-cancel').waitFor({ state: 'detached' });

    // 3. The example flow, as imported from Import > Examples.
    await page.locator('#red-ui-workspace-tabs .red-ui-tab-label', { hasText: tab.label }).click();
    await page.waitForFunction((id) => RED.workspaces.active() === id, tab.id);
    const nodes = flow.filter((n) => n.z === tab.id && typeof n.x === 'number');
    const right = Math.max(...nodes.map((n) => n.x)) + 140;
    const bottom = Math.max(...nodes.map((n) => n.y)) + 50;
    const workspace = await page.locator('#red-ui-workspace-chart').boundingBox();
    await page.screenshot({
      path: path.join(OUT, 'example-flow.png'),
      clip: { x: workspace.x, y: workspace.y, width: Math.min(right, workspace.width), height: Math.min(bottom, workspace.height) },
    });
    for (const file of ['palette.png', 'record-dialog.png', 'account-dialog.png', 'account-private-url.png', 'callback-bad-path.png', 'example-flow.png']) console.log(path.relative(h.ROOT, path.join(OUT, file)));
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
