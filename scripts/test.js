#!/usr/bin/env node
// `npm test`: build, lint, type-check, then unit, integration and end-to-end tests against real Postgres
// and Redis (found or started as `npm start` does). `npm test -- unit integration` runs only those steps;
// `npm test -- --faults` adds the fault suite (test/faults), which `npm run test:faults` runs alone.
'use strict';
const { spawn } = require('node:child_process');
const { mkdirSync, readFileSync, existsSync, rmSync } = require('node:fs');
const path = require('node:path');
const { findOrStartPostgres, findOrStartRedis } = require('./lib/infra');
const { newRunId, sweepRun, describeSweep } = require('./lib/test-run');

const root = path.resolve(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const resultsDir = path.join(root, '.data', 'test-results');

const STEPS = [
  { name: 'build', cmd: bin('nx'), args: ['run-many', '-t', 'build', '--output-style=static'] },
  { name: 'lint', cmd: bin('eslint'), args: ['.'] },
  // unformatted code fails the run (`npm run format` fixes it)
  { name: 'format', cmd: bin('prettier'), args: ['--check', '.', '--log-level', 'warn'] },
  { name: 'typecheck', cmd: bin('tsc'), args: ['-p', 'tsconfig.json'] },
  { name: 'unit', jest: ['--selectProjects', 'unit'] },
  { name: 'integration', jest: ['--selectProjects', 'integration'], infra: true },
  { name: 'e2e', jest: ['--selectProjects', 'e2e', '--runInBand'], infra: true, needsBuild: true },
  // only when asked for (`npm run test:faults`): about 5 minutes of injected faults under load, needs haproxy
  { name: 'faults', jest: ['--selectProjects', 'faults', '--runInBand'], infra: true, needsBuild: true, onDemand: true },
];

const log = (m) => process.stdout.write(`[test] ${m}\n`);

function run(cmd, args, env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main() {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  // `--faults` adds the on-demand fault suite to the default steps (CI: one run, one tally)
  const withFaults = process.argv.includes('--faults');
  const steps = wanted.length ? STEPS.filter((s) => wanted.includes(s.name)) : STEPS.filter((s) => !s.onDemand || withFaults);
  if (wanted.length && steps.length !== wanted.length) {
    throw new Error(`unknown step; steps are: ${STEPS.map((s) => s.name).join(', ')}`);
  }
  // every Redis prefix and test database of this run carries its id; the run deletes them at its end
  const runId = newRunId();
  const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', TEST_RUN_ID: runId };
  const dataDir = path.join(root, '.data', 'test-infra');
  const started = [];
  let failedStep;
  const totals = { passed: 0, failed: 0, skipped: 0 };
  try {
    if (steps.some((s) => s.infra)) {
      const pg = await findOrStartPostgres({ givenUrl: process.env.TEST_DATABASE_URL, probeLocal: true, dataDir, log });
      started.push(pg);
      const redis = await findOrStartRedis({ givenUrl: process.env.TEST_REDIS_URL, dataDir, log });
      started.push(redis);
      env.TEST_DATABASE_URL = pg.url;
      env.TEST_REDIS_URL = redis.url;
      log(`postgres: ${pg.kind}, redis: ${redis.kind}`);
    }
    mkdirSync(resultsDir, { recursive: true });
    for (const step of steps) {
      log(`── ${step.name}`);
      const t0 = Date.now();
      let code;
      if (step.jest) {
        const out = path.join(resultsDir, `${step.name}.json`);
        if (existsSync(out)) rmSync(out);
        code = await run(bin('jest'), [...step.jest, '--json', `--outputFile=${out}`], env);
        if (existsSync(out)) {
          const r = JSON.parse(readFileSync(out, 'utf8'));
          totals.passed += r.numPassedTests;
          totals.failed += r.numFailedTests;
          totals.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
          if (r.numTotalTests === 0) {
            log(`${step.name}: no test ran`);
            code = code || 1;
          }
        }
      } else {
        code = await run(step.cmd, step.args, env);
      }
      log(`${step.name} ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      if (code !== 0) {
        failedStep = step.name;
        break;
      }
    }
  } finally {
    if (env.TEST_REDIS_URL && env.TEST_DATABASE_URL) {
      try {
        log(
          `run ${runId}: ${describeSweep(await sweepRun({ runId, redisUrl: env.TEST_REDIS_URL, adminDatabaseUrl: env.TEST_DATABASE_URL }))}`,
        );
      } catch (error) {
        log(`run ${runId}: could not delete its leftovers: ${error.message}`);
      }
    }
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
  }
  process.stdout.write(`\ntests: ${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}\n`);
  if (failedStep) {
    log(`failed at step: ${failedStep}`);
    process.exit(1);
  }
}

main().catch((error) => {
  process.stderr.write(`[test] ${error.message}\n`);
  process.exit(1);
});
