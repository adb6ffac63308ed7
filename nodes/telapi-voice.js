'use strict';
// What Node-RED loads for the telapi-voice node: the runtime compiled from src/nodes/voice/telapi-voice.ts,
// beside this folder's editor file (telapi-voice.html), locales/ and icons/.
module.exports = require('../dist/nodes/voice/telapi-voice.js');
