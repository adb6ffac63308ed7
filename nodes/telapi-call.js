'use strict';
// What Node-RED loads for the telapi-call node: the runtime compiled from src/nodes/call/telapi-call.ts,
// beside this folder's editor file (telapi-call.html), locales/ and icons/.
module.exports = require('../dist/nodes/call/telapi-call.js');
