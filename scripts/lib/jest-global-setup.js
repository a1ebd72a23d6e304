// Jest globalSetup/globalTeardown (integration and e2e projects): gives a run started with plain
// `npx jest` a TEST_RUN_ID too, and sweeps what it left at its end. Under `npm test`, scripts/test.js
// sets the id and sweeps once after every step, so nothing is done here.
'use strict';
const { newRunId } = require('./test-run');

module.exports = async function globalSetup() {
  if (process.env.TEST_RUN_ID) return;
  process.env.TEST_RUN_ID = newRunId();
  process.env.TEST_RUN_SWEEP_IN_JEST = '1';
};
