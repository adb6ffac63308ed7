'use strict';
// What Node-RED loads for the telapi-account node: the runtime compiled from src/nodes/account/telapi-account.ts,
// beside this folder's editor file (telapi-account.html), locales/ and icons/.
module.exports = require('../dist/nodes/account/telapi-account.js');
