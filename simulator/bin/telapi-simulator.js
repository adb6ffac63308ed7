#!/usr/bin/env node
'use strict';
// The bin is this committed file rather than dist/cli.js: npm links a workspace's bins before the
// build runs, and skips a bin whose file does not exist yet.
require('../dist/cli.js');
