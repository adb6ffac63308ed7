'use strict';
// What Node-RED loads for the telapi-record node: the runtime compiled from src/nodes/telapi-record.ts,
// beside this folder's editor file (telapi-record.html), locales/ and icons/.
module.exports = require('../dist/nodes/telapi-record.js');
