'use strict';
// What Node-RED loads for the telapi-recordings node: the runtime compiled from
// src/nodes/recordings/telapi-recordings.ts, beside this folder's editor file (telapi-recordings.html), locales/ and icons/.
module.exports = require('../dist/nodes/recordings/telapi-recordings.js');
