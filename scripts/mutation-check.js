#!/usr/bin/env node
// `npm run test:mutants` (not part of `npm test`): breaks each safety rule on purpose, one at a time, by
// an exact string replacement in the source, runs the tests that must catch it, and restores the file
// (always: finally, SIGINT and SIGTERM). A break is "killed" when the tests fail, "survived" when they
// pass - which means the rule has no test that sees it. A replacement whose text is no longer in the file
// is reported "stale" (the code moved on; update the break). Needs Postgres and Redis like `npm test`
// (TEST_DATABASE_URL / TEST_REDIS_URL or the local defaults).
//
//   node scripts/mutation-check.js                 every break once
//   node scripts/mutation-check.js --repeat 3      every break three times (a kill must not be luck)
//   node scripts/mutation-check.js 1 4             only breaks 1 and 4
//   node scripts/mutation-check.js --e2e           also the end-to-end tests of breaks that have them
//                                                  (rebuilds the services with the break, and again after)
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

const jest = (project, ...paths) => ({ cmd: bin('jest'), args: [...paths, '--selectProjects', project, '--silent'] });
const eslint = (...files) => ({ cmd: bin('eslint'), args: files });
const build = { cmd: bin('nx'), args: ['run-many', '-t', 'build', '--output-style=static', '--skip-nx-cache'] };

const REPO_GUARDS = 'libs/mfa-data-access/src/repositories/repository-guards.int-spec.ts';
const MFA_E2E = 'test/e2e/mfa-security.e2e-spec.ts';

/** Each break: where, what to replace exactly, and the tests that must fail. */
const BREAKS = [
  {
    name: 'TOTP step compare-and-set removed from ChallengeRepository.attempt',
    file: 'libs/mfa-data-access/src/repositories/challenge.repository.ts',
    from: 'AND verified = true AND (last_step IS NULL OR last_step < $12)',
    to: 'AND verified = true',
    checks: [jest('integration', REPO_GUARDS)],
  },
  {
    name: 'attempt limit removed from ChallengeRepository.attempt',
    file: 'libs/mfa-data-access/src/repositories/challenge.repository.ts',
    from: "AND state = 'open' AND expires_at > $3 AND attempts < $5",
    to: "AND state = 'open' AND expires_at > $3 AND $5::int > 0",
    checks: [jest('integration', REPO_GUARDS)],
  },
  {
    name: 'used_at IS NULL removed from the recovery-code spend',
    file: 'libs/mfa-data-access/src/repositories/challenge.repository.ts',
    from: 'WHERE id = $11 AND user_id = $2 AND used_at IS NULL AND',
    to: 'WHERE id = $11 AND user_id = $2 AND',
    checks: [jest('integration', REPO_GUARDS)],
  },
  {
    name: 'expiry removed from ChallengeRepository.attempt',
    file: 'libs/mfa-data-access/src/repositories/challenge.repository.ts',
    from: "WHERE id = $1 AND user_id = $2 AND state = 'open' AND expires_at > $3 AND",
    to: "WHERE id = $1 AND user_id = $2 AND state = 'open' AND $3::timestamptz IS NOT NULL AND",
    checks: [jest('integration', REPO_GUARDS)],
  },
  {
    name: 'API key compared with !== instead of constantTimeEqual',
    file: 'apps/auth-api/src/access/access.guard.ts',
    from: 'if (!constantTimeEqual(key, this.config.APP_API_KEY)) {',
    to: 'if (key !== this.config.APP_API_KEY && constantTimeEqual !== undefined) {',
    checks: [eslint('apps/auth-api/src/access/access.guard.ts'), jest('unit', 'scripts/eslint-secret-compare.spec.ts')],
  },
  {
    name: 'redaction switched off (free text and secret-named fields pass through)',
    file: 'libs/observability/src/redact.ts',
    from: 'export function redact(value: unknown, depth = 0): unknown {\n  if (depth > 6)',
    to: 'export function redact(value: unknown, depth = 0): unknown {\n  if (depth >= 0) return value;\n  if (depth > 6)',
    extraFrom: 'return text.replace(EMAIL, REDACTED).replace(LONG_TOKEN, REDACTED).replace(PHONE, REDACTED).replace(OTP, REDACTED);',
    extraTo:
      'return text.length >= 0 ? text : text.replace(EMAIL, REDACTED).replace(LONG_TOKEN, REDACTED).replace(PHONE, REDACTED).replace(OTP, REDACTED);',
    checks: [jest('unit', 'libs/observability/src/json-logger.spec.ts')],
    e2e: [jest('e2e', MFA_E2E)],
  },
  {
    name: 'challenge code job payload put in Redis in clear beside the sealed box',
    file: 'apps/mfa-service/src/challenges/otp-delivery.publisher.ts',
    from: 'sealed: seal(secret, this.keyring, CHALLENGE_CODE_CONTEXT),',
    to: 'sealed: seal(secret, this.keyring, CHALLENGE_CODE_CONTEXT), ...({ clear: secret } as object),',
    checks: [jest('integration', 'apps/mfa-service/test/challenges.int-spec.ts')],
    e2e: [jest('e2e', MFA_E2E)],
  },
  {
    name: 'challenge no longer bound to its session',
    file: 'apps/mfa-service/src/challenges/challenges.service.ts',
    from: 'challenge.userId !== req.userId || challenge.sessionId !== req.sessionId',
    to: 'challenge.userId !== req.userId',
    checks: [jest('integration', 'apps/mfa-service/test/challenges.int-spec.ts')],
  },
  {
    name: 'stored code hash compared with !== instead of constantTimeEqual (mfa-service)',
    file: 'apps/mfa-service/src/core/mfa-secrets.service.ts',
    from: 'return constantTimeEqual(stored.slice(dot + 1), keyedHash(this.hashKey(purpose, kid), purpose, binding, value));',
    to: 'return stored.slice(dot + 1) === keyedHash(this.hashKey(purpose, kid), purpose, binding, value) && constantTimeEqual !== undefined;',
    checks: [eslint('apps/mfa-service/src/core/mfa-secrets.service.ts'), jest('unit', 'scripts/eslint-secret-compare.spec.ts')],
  },
  {
    name: 'a newer email/SMS challenge no longer voids the older one (supersede off)',
    file: 'libs/mfa-data-access/src/repositories/challenge.repository.ts',
    from: "WHERE user_id = $2 AND factor = $4 AND state = 'open' AND expires_at >= $11",
    to: "WHERE user_id = $2 AND factor = $4 AND state = 'open' AND expires_at >= $11 AND FALSE",
    checks: [jest('integration', 'apps/mfa-service/test/challenges.int-spec.ts')],
  },
];

const scratch = mkdtempSync(path.join(os.tmpdir(), 'twostep-mutants-'));

/** Runs a check; for Jest, also returns the names of the tests that failed. */
function runCheck({ cmd, args }) {
  const isJest = path.basename(cmd) === 'jest';
  const out = path.join(scratch, 'jest.json');
  if (existsSync(out)) rmSync(out);
  const r = spawnSync(cmd, isJest ? [...args, '--json', `--outputFile=${out}`] : args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const failedTests = [];
  if (isJest && existsSync(out)) {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    for (const file of report.testResults) {
      for (const a of file.assertionResults) if (a.status === 'failed') failedTests.push(a.fullName);
      if (file.status === 'failed' && !file.assertionResults.some((a) => a.status === 'failed'))
        failedTests.push(`${path.relative(root, file.name)} (suite failed to run)`);
    }
  }
  return { status: r.status ?? 1, failedTests };
}

const run = (c) => runCheck(c).status;

const originals = new Map();
function restoreAll() {
  for (const [file, text] of originals) writeFileSync(file, text);
  originals.clear();
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    restoreAll();
    process.exit(130);
  });
}
process.on('exit', () => {
  restoreAll();
  rmSync(scratch, { recursive: true, force: true });
});

function replaceOnce(text, from, to) {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) return null;
  return text.slice(0, at) + to + text.slice(at + from.length);
}

function main() {
  const argv = process.argv.slice(2);
  const repeatAt = argv.indexOf('--repeat');
  const repeat = repeatAt >= 0 ? Math.max(1, Number(argv[repeatAt + 1]) || 1) : 1;
  const withE2e = argv.includes('--e2e');
  const only = argv.filter((a, i) => /^\d+$/.test(a) && argv[i - 1] !== '--repeat').map(Number);
  const results = [];
  if (withE2e && run(build) !== 0) throw new Error('build failed before any break');
  for (const [i, b] of BREAKS.entries()) {
    const n = i + 1;
    if (only.length && !only.includes(n)) continue;
    const file = path.join(root, b.file);
    const original = readFileSync(file, 'utf8');
    let broken = replaceOnce(original, b.from, b.to);
    if (broken !== null && b.extraFrom) broken = replaceOnce(broken, b.extraFrom, b.extraTo);
    if (broken === null) {
      results.push({ n, name: b.name, verdict: 'stale', detail: `text not found exactly once in ${b.file}` });
      continue;
    }
    const checks = [...b.checks, ...(withE2e && b.e2e ? b.e2e : [])];
    const kills = [];
    originals.set(file, original);
    try {
      writeFileSync(file, broken);
      if (withE2e && b.e2e && run(build) !== 0) throw new Error(`build failed with break ${n}`);
      for (let r = 0; r < repeat; r++) {
        for (const c of checks) {
          const label = `${path.basename(c.cmd)} ${c.args.filter((a) => !a.startsWith('-') && !['unit', 'integration', 'e2e'].includes(a)).join(' ')}`;
          const { status, failedTests } = runCheck(c);
          kills.push({ label, failed: status !== 0, failedTests });
        }
      }
    } finally {
      restoreAll();
    }
    if (withE2e && b.e2e && run(build) !== 0) throw new Error(`build failed after restoring break ${n}`);
    // every run of at least one check failed: killed deterministically
    const byCheck = new Map();
    for (const k of kills) byCheck.set(k.label, [...(byCheck.get(k.label) ?? []), k.failed]);
    const deterministic = [...byCheck.entries()].filter(([, fs]) => fs.every(Boolean)).map(([l]) => l);
    const sometimes = [...byCheck.entries()].filter(([, fs]) => fs.some(Boolean) && !fs.every(Boolean)).map(([l]) => l);
    const verdict = deterministic.length ? 'killed' : sometimes.length ? 'killed by chance' : 'survived';
    results.push({ n, name: b.name, verdict, detail: deterministic.length ? `by ${deterministic.join('; ')}` : sometimes.join('; ') });
    process.stdout.write(`[mutants] ${n}. ${b.name}: ${verdict} ${results.at(-1).detail}\n`);
    const names = [...new Set(kills.flatMap((k) => k.failedTests ?? []))];
    for (const t of names) process.stdout.write(`[mutants]      failed: ${t}\n`);
  }
  process.stdout.write('\n');
  for (const r of results)
    process.stdout.write(`${String(r.n).padStart(2)}. ${r.verdict.padEnd(16)} ${r.name}${r.detail ? ` - ${r.detail}` : ''}\n`);
  const bad = results.filter((r) => r.verdict !== 'killed');
  process.stdout.write(
    `\nmutants: ${results.length - bad.length} killed, ${bad.length} not killed (${repeat} run${repeat > 1 ? 's' : ''} each)\n`,
  );
  process.exit(bad.length ? 1 : 0);
}

main();
