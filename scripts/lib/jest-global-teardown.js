'use strict';
const { sweepRun, describeSweep } = require('./test-run');

module.exports = async function globalTeardown() {
  if (process.env.TEST_RUN_SWEEP_IN_JEST !== '1' || !process.env.TEST_RUN_ID) return;
  delete process.env.TEST_RUN_SWEEP_IN_JEST; // once, even with two projects selected
  try {
    const found = await sweepRun({
      runId: process.env.TEST_RUN_ID,
      redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      adminDatabaseUrl: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    });
    process.stdout.write(`\n[jest] run ${process.env.TEST_RUN_ID}: ${describeSweep(found)}\n`);
  } catch (error) {
    process.stdout.write(`\n[jest] could not sweep run ${process.env.TEST_RUN_ID}: ${error.message}\n`);
  }
};
