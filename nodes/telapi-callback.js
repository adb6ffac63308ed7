'use strict';
// What Node-RED loads for the telapi-callback node: the runtime compiled from src/nodes/callback/telapi-callback.ts,
// beside this folder's editor file (telapi-callback.html), locales/ and icons/.
module.exports = require('../dist/nodes/callback/telapi-callback.js');
