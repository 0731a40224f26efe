#!/usr/bin/env node
// The `retl` command: a thin launcher for the bundled CLI.
require('../dist/cli.js');
