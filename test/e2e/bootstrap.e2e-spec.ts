import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The built main.js of each service, through the shared bootstrap(): an invalid configuration exits 78
 * with the problems on stderr, and until the service is created main.ts has loaded none of Nest, pg,
 * ioredis, TypeORM or BullMQ, so tracing started on main.ts's first line instruments all of them.
 */
const ROOT = join(__dirname, '..', '..');
const HEAVY = /node_modules\/(@nestjs\/core|ioredis|pg|typeorm|bullmq)\//;

describe('bootstrap of the built services', () => {
  let dir: string;
  let preload: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bootstrap-e2e-'));
    preload = join(dir, 'loaded-modules.js');
    // at exit, the modules of interest that were loaded, as one JSON line on stderr
    writeFileSync(
      preload,
      `process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(Object.keys(require.cache).filter((k) => ${HEAVY}.test(k.split('\\\\').join('/')))) + '\\n'));\n`,
    );
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function run(args: string[]): { status: number | null; stderr: string; loaded: string[] } {
    const result = spawnSync(process.execPath, ['-r', preload, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, NODE_ENV: 'production' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    const line = result.stderr.split('\n').find((l) => l.startsWith('LOADED '));
    return { status: result.status, stderr: result.stderr, loaded: line ? (JSON.parse(line.slice(7)) as string[]) : ['<no report>'] };
  }

  it('sees a module loaded when it is (the check can fail)', () => {
    const { loaded } = run(['-e', "require('ioredis')"]);
    expect(loaded.some((m) => m.includes('/ioredis/'))).toBe(true);
  });

  it.each(['auth-api', 'mfa-service', 'notifier'])('%s: invalid config exits 78 before Nest, pg or ioredis is loaded', (service) => {
    const { status, stderr, loaded } = run([join('apps', service, 'dist', 'main.js')]);
    expect(status).toBe(78);
    expect(stderr).toMatch(new RegExp(`^${service}: Invalid configuration:\\n {2}- `));
    expect(stderr).toMatch(/QUEUE_ENCRYPTION_KEY is required in production/);
    expect(loaded).toEqual([]);
  });
});
