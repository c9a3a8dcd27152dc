#!/usr/bin/env node
'use strict';
// `casebot … | head` closes the pipe early: that is the reader being done, not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
require('../dist/src/cli/main.js')
  .main(process.argv)
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(`casebot: ${err && err.message ? err.message : err}`);
      process.exitCode = 1;
    },
  );
