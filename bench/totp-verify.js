'use strict';
// Micro-benchmark of one TOTP verification (the CPU part of a TOTP second factor) in one process:
// the product's matcher (apps/mfa-service/dist, otplib with its node:crypto plugin) next to a floor that
// computes the same ±1 window with node:crypto directly, and otplib's async verify for comparison.
//
//   npm run build && node bench/totp-verify.js [--n=100000]
//   TOTP_BASELINE=<path to a built totp-algorithm.js exporting matchingSteps> node bench/totp-verify.js
//     adds a former hand-written matcher (e.g. compiled from an older commit) to the same run.
//
// Figures are operations per CPU second of this process (user + system time, so a busy machine that takes
// the core away does not count against a case); read the ratios, the absolute values move with the
// machine. Each case is run in rounds, alternating, and the best round kept.
const { timingSafeEqual } = require('node:crypto');
const { resolve } = require('node:path');
const { base32Decode, hotp } = require('./lib/totp');

const arg = (name, dflt) => {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : dflt;
};
const N = arg('n', 100_000);
const ROUNDS = arg('rounds', 5);

const product = require(resolve(__dirname, '../apps/mfa-service/dist/totp/totp-algorithm.js'));
const { verify } = require('@otplib/totp');
const { crypto } = require('@otplib/plugin-crypto-node');

const secret = product.generateTotpSecret();
const epoch = 1_700_000_010;
const step = Math.floor(epoch / 30);
const key = base32Decode(secret);
const right = hotp(key, step);
const wrong = right === '000000' ? '000001' : '000000';
if (hotp(key, step - 1) === wrong || hotp(key, step + 1) === wrong) throw new Error('pick another secret');

/** the floor: decode, three HMACs, three constant-time compares, highest fresh step */
function floor(code, lastStep) {
  const k = base32Decode(secret);
  const given = Buffer.from(code);
  let fresh;
  let spent = false;
  for (let s = step - 1; s <= step + 1; s++) {
    const expected = Buffer.from(hotp(k, s));
    if (expected.length === given.length && timingSafeEqual(expected, given)) {
      if (lastStep !== null && s <= lastStep) spent = true;
      else fresh = s;
    }
  }
  return fresh !== undefined ? { step: fresh } : { reason: spent ? 'replayed_step' : 'wrong_code' };
}

const cases = {
  'product matchStep (otplib verifySync)': (code, lastStep) =>
    product.matchStep({ secret, code, epochSeconds: epoch, window: 1, lastStep }),
  'floor (node:crypto, same window)': floor,
};

if (process.env.TOTP_BASELINE) {
  const old = require(resolve(process.env.TOTP_BASELINE));
  const oldBase32 = require(resolve(process.env.TOTP_BASELINE, '../base32.js'));
  cases['baseline (TOTP_BASELINE)'] = (code, lastStep) => {
    const steps = old.matchingSteps(oldBase32.base32Decode(secret), code, step, 1);
    if (steps.length === 0) return { reason: 'wrong_code' };
    const fresh = steps.filter((s) => lastStep === null || s > lastStep);
    return fresh.length === 0 ? { reason: 'replayed_step' } : { step: Math.max(...fresh) };
  };
}

const asyncCase = async (code, lastStep) => {
  // the same walk with otplib's async verify (one await per call)
  const options = { secret: new Uint8Array(base32Decode(secret)), token: code, epoch, epochTolerance: 30, crypto };
  let fresh;
  let spent = false;
  let after;
  for (;;) {
    const r = await verify(after === undefined ? options : { ...options, afterTimeStep: after });
    if (!r.valid) break;
    if (lastStep !== null && r.timeStep <= lastStep) spent = true;
    else fresh = r.timeStep;
    after = r.timeStep;
  }
  return fresh !== undefined ? { step: fresh } : { reason: spent ? 'replayed_step' : 'wrong_code' };
};

const scenarios = [
  ['accepted (code of T)', right, null, { step }],
  ['wrong code', wrong, null, { reason: 'wrong_code' }],
  ['replay (T already accepted)', right, step, { reason: 'replayed_step' }],
];

async function main() {
  const best = {};
  const names = [...Object.keys(cases), 'otplib async verify (same walk)'];
  for (const [label, code, lastStep, expected] of scenarios) {
    for (const name of names) {
      const fn = cases[name] ?? asyncCase;
      const got = await fn(code, lastStep);
      if (JSON.stringify(got) !== JSON.stringify(expected)) throw new Error(`${name} / ${label}: ${JSON.stringify(got)}`);
    }
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [label, code, lastStep] of scenarios) {
      for (const name of names) {
        const cpu0 = process.cpuUsage();
        if (cases[name]) for (let i = 0; i < N; i++) cases[name](code, lastStep);
        else for (let i = 0; i < N; i++) await asyncCase(code, lastStep);
        const cpu = process.cpuUsage(cpu0);
        const ops = N / ((cpu.user + cpu.system) / 1e6);
        const k = `${label}\t${name}`;
        best[k] = Math.max(best[k] ?? 0, ops);
      }
    }
  }
  const ref = 'floor (node:crypto, same window)';
  process.stdout.write(
    `TOTP verification, window ±1, ${N} per round, best of ${ROUNDS} rounds, per CPU second (node ${process.version})\n`,
  );
  for (const [label] of scenarios) {
    process.stdout.write(`\n${label}\n`);
    for (const name of names) {
      const ops = best[`${label}\t${name}`];
      const ratio = ops / best[`${label}\t${ref}`];
      process.stdout.write(`  ${name.padEnd(40)} ${Math.round(ops).toString().padStart(9)} ops/s  ${ratio.toFixed(2)}x floor\n`);
    }
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
