require('../dist/cli-prof.js');
