'use strict';
// A media answer driven by the test, in place of a got stream: `answer` emits the head, `send` a
// chunk, `end` or `fail` the body.
const { EventEmitter } = require('node:events');

function fakeMedia(headers) {
  const stream = new EventEmitter();
  stream.destroy = () => { stream.destroyed = true; };
  return {
    stream,
    answer: () => stream.emit('response', { statusCode: 200, statusMessage: 'OK', headers }),
    send: (chunk) => stream.emit('data', chunk),
    end: () => stream.emit('end'),
    fail: () => stream.emit('error', Object.assign(new Error('socket hang up'), { name: 'ReadError', code: 'ECONNRESET' })),
  };
}

module.exports = { fakeMedia };
