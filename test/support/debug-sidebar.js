'use strict';
// What the editor's debug sidebar receives: a websocket client on Node-RED's /comms channel,
// subscribed to the `debug` topic, collecting each debug node's message.
const { nodeRedPath } = require('./red');

const WebSocket = require(require.resolve('ws', { paths: [nodeRedPath] }));

async function openDebugSidebar(nodeRedUrl) {
  const messages = [];
  const waiters = new Set();
  const socket = new WebSocket(`${nodeRedUrl.replace(/^http/, 'ws')}/comms`);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ subscribe: 'debug' }));
  socket.on('message', (data) => {
    for (const item of [].concat(JSON.parse(data.toString()))) {
      if (item.topic !== 'debug') continue;
      const entry = { ...item.data, value: decode(item.data) };
      messages.push(entry);
      for (const waiter of waiters) waiter();
    }
  });

  /** Resolves with the first debug message matching `predicate`, waiting up to timeoutMs. */
  function waitFor(predicate, timeoutMs = 20_000, what = 'debug message') {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = messages.find(predicate);
        if (!found) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no ${what} within ${timeoutMs} ms; saw ${JSON.stringify(messages.map((m) => [m.name, m.value]))}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  }

  return {
    messages,
    waitFor,
    byName: (name) => messages.filter((m) => m.name === name),
    close: () => socket.close(),
  };
}

function decode(data) {
  if (typeof data.msg !== 'string') return data.msg;
  if (data.format && /^(Object|array)/i.test(data.format)) {
    try { return JSON.parse(data.msg); } catch { return data.msg; }
  }
  return data.msg;
}

module.exports = { openDebugSidebar };
