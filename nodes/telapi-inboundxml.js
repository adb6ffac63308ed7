'use strict';
// What Node-RED loads for the telapi-inboundxml node: the runtime compiled from src/nodes/inboundxml/telapi-inboundxml.ts,
// beside this folder's editor file (telapi-inboundxml.html), locales/ and icons/.
module.exports = require('../dist/nodes/inboundxml/telapi-inboundxml.js');
