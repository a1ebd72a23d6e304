// The benchmark in smoke mode (a second or two per flow, tiny load), inside `npm test`: it proves the
// harness runs end to end and every flow completes with zero errors. It asserts the structure of the
// results only — never a timing or a ratio (benchmarks compare figures measured in one run, on purpose).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

interface Latency {
  count: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}
interface Flow {
  error?: string;
  degraded?: string;
  throughput?: number;
  latencyMs?: Latency;
  errors?: Record<string, number>;
  errorCount?: number;
  errorSamples?: string[];
  sent?: number;
  accepted?: number;
  received?: number;
  lost?: number;
  duplicated?: number;
  unexpected?: number;
}
interface Step {
  offered: number;
  sustained: boolean;
  p99Ms?: number | null;
}
interface Results {
  flows: Record<string, Flow & { resources?: Record<string, { cpuMs?: number | null }>; allOps?: number }>;
  sustainable: Record<string, { rate: number; steps: Step[] }>;
  ratios: Record<string, number | null>;
  memory: { rest: Record<string, number | null>; peakUnderLoad: Record<string, number | null> };
  targets: Array<{ id: string; status: string }>;
  ok: boolean;
}

const ROOT = resolve(__dirname, '..');
const FLOW_IDS = [
  'ours.signin',
  'peer.signin',
  'ours.account',
  'floor.account',
  'peer.session',
  'ours.totp',
  'floor.totp',
  'peer.totp',
  'ours.email',
  'floor.email',
  'peer.email',
];
const EMAIL_FLOWS = ['ours.email', 'floor.email', 'peer.email'];
const SERVICES = ['auth-api', 'mfa-service', 'notifier', 'floor', 'floor-pipeline', 'better-auth'];

function describeFlow(f: Flow | undefined): string {
  if (!f) return 'missing from the results';
  const parts = [f.error, f.degraded, f.errorCount ? `errors ${JSON.stringify(f.errors)}` : undefined, ...(f.errorSamples ?? [])];
  return parts.filter(Boolean).join('\n');
}

describe('benchmark, smoke mode (npm run bench -- --smoke)', () => {
  let dir: string;
  let results: Results;
  let output = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'twostep-bench-smoke-'));
    const out = join(dir, 'results.json');
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (process.env.TEST_DATABASE_URL) env.BENCH_DATABASE_URL = process.env.TEST_DATABASE_URL;
    if (process.env.TEST_REDIS_URL) env.BENCH_REDIS_URL = process.env.TEST_REDIS_URL;
    const code = await new Promise<number | null>((res) => {
      const child = spawn(process.execPath, [join(ROOT, 'bench', 'run.js'), '--smoke', `--out=${out}`], {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.on('exit', (c) => res(c));
    });
    if (!existsSync(out)) throw new Error(`the bench wrote no results (exit ${code}):\n${output.slice(-4000)}`);
    results = JSON.parse(readFileSync(out, 'utf8')) as Results;
  }, 300_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(FLOW_IDS)('measures %s with zero errors', (id) => {
    const f = results.flows[id];
    const problems = describeFlow(f);
    expect({ id, problems: f && !f.error && !f.degraded && !f.errorCount ? '' : problems }).toEqual({ id, problems: '' });
    expect(f.errorCount).toBe(0);
    expect(f.throughput).toBeGreaterThan(0);
    expect(f.latencyMs!.count).toBeGreaterThan(0);
    for (const k of ['p50', 'p99', 'max'] as const) expect(typeof f.latencyMs![k]).toBe('number');
  });

  it.each(EMAIL_FLOWS)('%s delivers every email code exactly once', (id) => {
    const f = results.flows[id];
    expect(describeFlow(f)).toBe('');
    expect({ accepted: f.accepted, received: f.received, lost: f.lost, duplicated: f.duplicated, unexpected: f.unexpected }).toEqual({
      accepted: f.sent,
      received: f.sent,
      lost: 0,
      duplicated: 0,
      unexpected: 0,
    });
  });

  it('computes every ratio and every target', () => {
    // a sustainable-rate ratio has no value when its reference sustained not even the smoke step (a loaded machine)
    const reference: Record<string, string> = {
      emailSustainableVsFloor: 'floor.email',
      emailSustainableVsPeer: 'peer.email',
      'email-rate-vs-floor': 'floor.email',
      'email-rate-vs-peer': 'peer.email',
    };
    const measurable = (k: string) => !reference[k] || results.sustainable[reference[k]].rate > 0;
    for (const k of [
      'signinVsPeer',
      'totpVsPeer',
      'totpVsFloor',
      'accountVsPeer',
      'accountVsFloor',
      'emailSustainableVsFloor',
      'emailSustainableVsPeer',
    ])
      expect({ k, v: typeof results.ratios[k] }).toEqual({ k, v: measurable(k) ? 'number' : 'object' });
    for (const t of results.targets) expect({ id: t.id, measured: t.status !== 'n/a' }).toEqual({ id: t.id, measured: measurable(t.id) });
  });

  it.each(EMAIL_FLOWS)('steps the offered rate of %s to find its sustainable rate', (id) => {
    const s = results.sustainable[id];
    expect(s?.steps.length).toBeGreaterThan(0);
    expect(typeof s.rate).toBe('number');
    for (const step of s.steps) expect(typeof step.sustained).toBe('boolean');
  });

  it('reads the CPU time of every flow for its services, Postgres and Redis (the sizing table)', () => {
    const own: Record<string, string[]> = { ours: ['auth-api', 'mfa-service', 'notifier'], floor: [], peer: ['better-auth'] };
    for (const id of FLOW_IDS) {
      const r = results.flows[id].resources ?? {};
      const names = [...own[id.split('.')[0]], 'postgres', 'redis'];
      expect({ id, cpu: names.map((n) => typeof r[n]?.cpuMs) }).toEqual({ id, cpu: names.map(() => 'number') });
      expect(results.flows[id].allOps).toBeGreaterThan(0);
    }
    expect(output).toContain('CPU ms per completed operation');
  });

  it('reports the resident memory of every service at rest and under load', () => {
    for (const s of SERVICES) {
      expect({ s, rest: typeof results.memory.rest[s], load: typeof results.memory.peakUnderLoad[s] }).toEqual({
        s,
        rest: 'number',
        load: 'number',
      });
    }
  });
});
