#!/usr/bin/env node
// `npm run migrate`: runs every service's schema migrations (the `auth` schema, then the `mfa` schema)
// against DATABASE_URL, one after the other, by running the built one-shot commands
// apps/auth-api/dist/migrate.js and apps/mfa-service/dist/migrate.js. Each takes a Postgres advisory lock,
// so two runs at once (two deploys, a compose job and a Kubernetes Job) wait for each other.
//
// Also used by `npm start` (scripts/dev-stack.js) and as the command of the Docker `migrate` target, so it
// needs nothing but Node's own modules.
'use strict';
const { spawn } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

/** The migration commands, in the order they run. */
const MIGRATIONS = [
  { name: 'auth-api', script: path.join(root, 'apps', 'auth-api', 'dist', 'migrate.js') },
  { name: 'mfa-service', script: path.join(root, 'apps', 'mfa-service', 'dist', 'migrate.js') },
];

/**
 * Runs the migrations in order and stops at the first failure.
 * @param {object} o
 * @param {string} o.databaseUrl
 * @param {NodeJS.ProcessEnv} [o.env] base environment for the commands (default: process.env)
 * @param {(name: string, line: string) => void} o.output every output line of a command
 * @param {(child: import('node:child_process').ChildProcess) => void} [o.track] sees each child, so a caller can stop it
 */
async function runMigrations({ databaseUrl, env = process.env, output, track = () => undefined }) {
  const missing = MIGRATIONS.filter((m) => !existsSync(m.script)).map((m) => path.relative(root, m.script));
  if (missing.length) throw new Error(`not built: ${missing.join(', ')} (run: npm run build)`);
  for (const m of MIGRATIONS) {
    const code = await new Promise((resolve) => {
      const child = spawn(process.execPath, [m.script], {
        cwd: root,
        env: { ...env, DATABASE_URL: databaseUrl },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      track(child);
      for (const stream of [child.stdout, child.stderr]) {
        let buffered = '';
        stream.on('data', (chunk) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop();
          for (const line of lines) if (line.trim()) output(m.name, line);
        });
        stream.on('end', () => buffered.trim() && output(m.name, buffered));
      }
      child.once('error', (e) => {
        output(m.name, e.message);
        resolve(1);
      });
      child.once('close', (c, signal) => resolve(c ?? (signal ? `signal ${signal}` : 1)));
    });
    if (code !== 0) throw new Error(`${m.name} migrations failed (exit ${code})`);
  }
}

module.exports = { runMigrations, MIGRATIONS };

if (require.main === module) {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    process.stderr.write(
      '[migrate] DATABASE_URL is not set. Set it to the Postgres the services use, e.g.\n' +
        '  DATABASE_URL=postgres://user:password@host:5432/twostep npm run migrate\n' +
        '  (`npm start` runs the migrations itself against its embedded Postgres.)\n',
    );
    process.exit(78);
  }
  runMigrations({ databaseUrl, output: (name, line) => process.stdout.write(`[migrate ${name}] ${line}\n`) }).then(
    () => process.stdout.write('[migrate] all schemas up to date\n'),
    (error) => {
      process.stderr.write(`[migrate] ${error.message}\n`);
      process.exit(1);
    },
  );
}
