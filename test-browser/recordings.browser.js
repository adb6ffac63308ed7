'use strict';
// The recordings node's dialog in Debian's Chromium: it shows only the fields of the chosen
// operation, and its validators name the reason.
const assert = require('node:assert/strict');
const h = require('./harness');

const FIELDS = {
  list: ['maxRecordings'],
  get: [],
  download: ['maxBytes'],
  delete: [],
  transcribe: ['transcribeQuality', 'transcribeCallback'],
};
const ALL = ['maxRecordings', 'maxBytes', 'transcribeQuality', 'transcribeCallback'];

describe('recordings dialog in a real browser', function () {
  this.timeout(120_000);
  const editor = h.useEditor();
  let page;
  let pageErrors;
  let id;
  before(() => { ({ page, errors: pageErrors } = editor); });

  it('drops a recordings node, labelled with its operation', async () => {
    id = await h.dragFromPalette(page, 'telapi-recordings', 320, 180);
    const label = h.nodeShape(page, id).locator('xpath=..').locator('.red-ui-flow-node-label');
    assert.equal((await label.textContent()).trim(), 'list recordings');
  });

  it('opens the dialog and shows only the chosen operation\'s fields as the operation changes', async () => {
    await h.openNodeDialog(page, id);
    const visible = async () => {
      const shown = [];
      for (const field of ALL) if (await page.locator(`#node-input-${field}`).isVisible()) shown.push(field);
      return shown;
    };
    assert.equal(await page.locator('#node-input-operation').inputValue(), 'list');
    for (const operation of ['list', 'get', 'download', 'delete', 'transcribe', 'list']) {
      await page.locator('#node-input-operation').selectOption(operation);
      assert.deepEqual(await visible(), FIELDS[operation], operation);
    }
  });

  it('marks an out-of-range maxRecordings with its reason', async () => {
    const field = page.locator('#node-input-maxRecordings');
    await field.fill('0');
    await field.press('Tab');
    await page.waitForFunction(() => document.querySelector('#node-input-maxRecordings').classList.contains('input-error'));
    await h.tooltipOf(page, field, 'a whole number from 1 to 100000');
    await field.fill('250');
    await field.press('Tab');
    await page.waitForFunction(() => !document.querySelector('#node-input-maxRecordings').classList.contains('input-error'));
  });

  it('saves the operation and relabels the node', async () => {
    await page.locator('#node-input-operation').selectOption('download');
    await page.locator('#node-dialog-ok').click();
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    const node = await page.evaluate((nodeId) => { const n = RED.nodes.node(nodeId); return { operation: n.operation, maxRecordings: n.maxRecordings }; }, id);
    assert.deepEqual(node, { operation: 'download', maxRecordings: '250' });
    // Node-RED redraws the node's label in an animation frame after the dialog has gone.
    const label = h.nodeShape(page, id).locator('xpath=..').locator('.red-ui-flow-node-label');
    await h.eventually(async () => (await label.textContent()).trim(), 'download recording');
  });

  it('raised no errors in the page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
