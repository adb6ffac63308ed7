'use strict';
// Shared by the browser suite (test-browser/*.browser.js) and scripts/screenshots.js: the package
// as a user installs it (npm pack -> npm install into a fresh Node-RED user dir), a real Node-RED on
// 127.0.0.1 (test/support/node-red-process.js), and Debian's Chromium driven by playwright-core.
//
// Chromium comes from apt (.ci/browser-setup.sh), never from `npx playwright install`.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const { isDeepStrictEqual } = require('node:util');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { startNodeRed } = require('../test/support/node-red-process');
const { packAndInstall } = require('../test/support/npm');

const ROOT = path.join(__dirname, '..');
const CHROMIUM = process.env.TELAPI_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
/** How long a test waits for something to appear (Playwright's default for the context, and eventually()'s). */
const DEFAULT_TIMEOUT = 20_000;

/**
 * Starts Node-RED with the package installed (`settings`, and `env` for its process); `stop()` ends
 * it and removes the temp files.
 */
async function startEditorServer(options = {}) {
  const { work, userDir } = packAndInstall();
  // No telemetry consent dialog over the editor, and nothing sent to nodered.org.
  const settings = { telemetry: { enabled: false, updateNotification: false }, ...options.settings };
  const nodeRed = await startNodeRed({ userDir, settings, ...(options.env ? { env: options.env } : {}) });
  return {
    ...nodeRed,
    stop: async () => {
      await nodeRed.stop();
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
}

/**
 * A Chromium with its own fresh profile (a temp --user-data-dir, which Playwright takes as the
 * persistent context's directory). Returns the context; `close()` also removes the profile.
 */
async function launchBrowser(options = {}) {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: run .ci/browser-setup.sh (apt-get install chromium)`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'telapi-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: options.viewport ?? { width: 1400, height: 900 },
    locale: options.locale ?? 'en-US',
    deviceScaleFactor: options.deviceScaleFactor ?? 1,
    // A test's own TLS proxy has a self-signed certificate.
    ignoreHTTPSErrors: options.ignoreHTTPSErrors ?? false,
  });
  context.setDefaultTimeout(options.timeout ?? DEFAULT_TIMEOUT);
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens the editor and waits until the palette has this package's nodes. */
async function openEditor(context, url) {
  const page = context.pages()[0] ?? await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error));
  await page.goto(url);
  await page.locator('.red-ui-palette-node[data-palette-type="telapi-record"]').waitFor();
  await page.waitForFunction(() => !!(window.RED && RED.nodes && RED.nodes.getType('telapi-account')));
  await page.locator('#red-ui-workspace-chart').waitFor();
  return { page, errors };
}

/**
 * For state that arrives asynchronously (a runtime's answer, a timer, a redraw): calls `read` (async)
 * until its value equals `expected` (deeply; a RegExp: matches it) or `timeout` has passed, then
 * asserts on the last value read, so that a failure shows what was there.
 */
async function eventually(read, expected, { timeout = DEFAULT_TIMEOUT, message } = {}) {
  const matches = (value) => (expected instanceof RegExp ? typeof value === 'string' && expected.test(value) : isDeepStrictEqual(value, expected));
  const deadline = Date.now() + timeout;
  let value = await read();
  for (let pause = 10; !matches(value) && Date.now() < deadline; pause = Math.min(pause * 2, 200)) {
    await new Promise((resolve) => { setTimeout(resolve, pause); });
    value = await read();
  }
  if (expected instanceof RegExp) assert.match(value, expected, message);
  else assert.deepEqual(value, expected, message);
  return value;
}

/** Drags a palette node into the workspace at (x, y) relative to the chart; returns the new node's id. */
async function dragFromPalette(page, type, x = 300, y = 200) {
  const before = await page.evaluate((t) => RED.nodes.filterNodes({ type: t }).map((n) => n.id), type);
  const item = page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`);
  await item.scrollIntoViewIfNeeded();
  await item.waitFor({ state: 'visible' });
  const from = await item.boundingBox();
  const chart = await page.locator('#red-ui-workspace-chart').boundingBox();
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2 + 20, from.y + from.height / 2, { steps: 5 });
  await page.mouse.move(chart.x + x, chart.y + y, { steps: 20 });
  await page.mouse.up();
  const handle = await page.waitForFunction(({ t, old }) => {
    const added = RED.nodes.filterNodes({ type: t }).map((n) => n.id).filter((id) => !old.includes(id));
    return added.length === 1 ? added[0] : null;
  }, { t: type, old: before });
  return handle.jsonValue();
}

/** The SVG of a node in the workspace. */
const nodeShape = (page, id) => page.locator(`g.red-ui-flow-node-group[id="${id}"] rect.red-ui-flow-node`);

/** Opens a node's edit dialog by double-clicking it, and waits for its form. */
async function openNodeDialog(page, id) {
  await nodeShape(page, id).dblclick();
  await page.locator('#node-dialog-ok').waitFor();
  await page.locator('.red-ui-tray .red-ui-tray-body form').first().waitFor();
  await waitForTrays(page, { opened: true });
}

/**
 * Waits until the topmost edit tray has slid in (a CSS transition of `right` to 0). With `opened`,
 * also until Node-RED has focused its first field (150 ms after opening a tray): typing earlier
 * could land in the wrong field. (When a nested tray closes, focus stays where it was.)
 */
async function waitForTrays(page, { opened = false } = {}) {
  await page.waitForFunction((needFocus) => {
    const trays = document.querySelectorAll('.red-ui-tray');
    if (trays.length === 0) return true;
    const tray = trays[trays.length - 1];
    return getComputedStyle(tray).right === '0px' && (!needFocus || tray.contains(document.activeElement));
  }, opened);
}

/** Hovers a field (entering it afresh) and waits for Node-RED's tooltip with `text`: a validation reason. */
async function tooltipOf(page, field, text) {
  await page.mouse.move(1, 1);
  await field.hover();
  await page.locator('.red-ui-popover', { hasText: text }).waitFor();
  await page.mouse.move(1, 1);
}

/**
 * Opens the config-node dialog to add a new config node for the edit dialog's `property` (e.g.
 * 'account'; in a config node's own dialog pass prefix 'node-config-input'). Node-RED 4 has an add
 * button beside the picker (`#<prefix>-btn-<property>-add`); 3.1 has one pencil button
 * (`#<prefix>-lookup-<property>`) that adds when the picker shows "Add new …" and edits otherwise.
 */
async function addConfigNode(page, property, prefix = 'node-input') {
  const add = page.locator(`#${prefix}-btn-${property}-add`);
  if (await add.count() > 0) return add.click();
  await page.locator(`#${prefix}-${property}`).selectOption('_ADD_');
  return page.locator(`#${prefix}-lookup-${property}`).click();
}

/** Opens the dialog of the config node selected in the picker for `property` (see addConfigNode). */
async function editConfigNode(page, property, prefix = 'node-input') {
  const edit = page.locator(`#${prefix}-btn-${property}-edit`);
  if (await edit.count() > 0) return edit.click();
  return page.locator(`#${prefix}-lookup-${property}`).click();
}

/** Clicks Deploy and waits until the runtime confirmed it: spinner gone, nothing left to deploy. */
async function deploy(page) {
  await page.locator('#red-ui-header-button-deploy:not(.disabled)').click();
  await page.waitForFunction(() => !RED.nodes.dirty() && $('.red-ui-deploy-button-spinner').is(':hidden'));
  await page.locator('#red-ui-header-button-deploy.disabled').waitFor();
}

/**
 * A path in test-results/ (git-ignored) for a file a test leaves behind, e.g. a screenshot. Legs may
 * run side by side (scripts/test-leg.js --jobs): the leg's name keeps their files apart.
 */
function artifact(name) {
  const dir = path.join(ROOT, 'test-results');
  fs.mkdirSync(dir, { recursive: true });
  const leg = process.env.TELAPI_TEST_LEG ? `${process.env.TELAPI_TEST_LEG}-` : '';
  return path.join(dir, `${leg}${name}`);
}

/**
 * A screenshot of the topmost edit tray (its title bar included: the page's top down), to the bottom
 * of `below` (a locator in it, plus a margin) or of the whole tray; `file` a path (artifact(), or
 * docs/images/ for the README).
 */
async function screenshotTray(page, file, below) {
  const tray = await page.locator('.red-ui-tray').last().boundingBox();
  const end = below ? await below.boundingBox() : null;
  const height = end ? Math.min(end.y + end.height + 10, tray.y + tray.height) : tray.y + tray.height;
  await page.screenshot({ path: file, clip: { x: tray.x, y: 0, width: tray.width, height } });
}

/** After a failed test: a screenshot in test-results/, named after the test (and `suffix`, one per page). */
async function screenshotOnFailure(context, page, suffix = '') {
  const test = context.currentTest;
  if (!page || !test || test.state !== 'failed') return;
  const file = artifact(`${test.fullTitle().replace(/[^\w.-]+/g, '_').slice(0, 120)}${suffix}.png`);
  try {
    await page.screenshot({ path: file });
    console.log(`      screenshot: ${path.relative(ROOT, file)}`);
  } catch {
    // The page may be gone already; the test's own error says what failed.
  }
}

/**
 * The hooks of a suite that drives one editor: a Node-RED with the packed package (`settings`, `env`),
 * then `prepare(server)` (e.g. a deploy), Chromium (`locale`), the editor's page at `address(server)`
 * (default: the server's own URL; `ignoreHTTPSErrors` for a test's TLS proxy), a screenshot of each
 * failed test; all stopped after the suite. The returned object holds `server`, `page` and `errors`
 * (the page's uncaught errors) once the suite's first `before` has run.
 */
function useEditor({ settings, env, prepare, locale, address, ignoreHTTPSErrors } = {}) {
  const editor = {};
  let browser;
  before(async () => {
    editor.server = await startEditorServer({ ...(settings ? { settings } : {}), ...(env ? { env } : {}) });
    if (prepare) await prepare(editor.server);
    browser = await launchBrowser({ ...(locale ? { locale } : {}), ...(ignoreHTTPSErrors ? { ignoreHTTPSErrors } : {}) });
    const url = address ? address(editor.server) : editor.server.url;
    ({ page: editor.page, errors: editor.errors } = await openEditor(browser.context, url));
  });
  afterEach(async function () { await screenshotOnFailure(this, editor.page); });
  after(async () => {
    if (browser) await browser.close();
    if (editor.server) await editor.server.stop();
  });
  return editor;
}

module.exports = {
  useEditor,
  screenshotOnFailure,
  screenshotTray,
  artifact,
  ROOT,
  CHROMIUM,
  CHROMIUM_ARGS,
  DEFAULT_TIMEOUT,
  startEditorServer,
  launchBrowser,
  openEditor,
  eventually,
  dragFromPalette,
  nodeShape,
  openNodeDialog,
  waitForTrays,
  tooltipOf,
  addConfigNode,
  editConfigNode,
  deploy,
};
