'use strict';
// What Node-RED loads for the telapi-record node: the runtime compiled from src/nodes/record/telapi-record.ts,
// beside this folder's editor file (telapi-record.html), locales/ and icons/.
module.exports = require('../dist/nodes/record/telapi-record.js');
