import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Where tests live (README "Test it"): unit `*.spec.ts` beside the code; an app's integration tests in
 * `apps/<app>/test/`; a lib's own integration tests beside its code in `libs/<lib>/src/`; a single app's
 * built-process test in `apps/<app>/test/`; cross-service end-to-end tests in `test/e2e/` (the benchmark's
 * smoke test in `bench/`); fault tests in
 * `test/faults/`. Jest's projects match by suffix, so a test elsewhere would still run: this keeps the rule.
 */
const ROOT = join(__dirname, '..');
const SKIP = new Set(['node_modules', 'dist', '.data', '.nx', 'coverage', '.git']);

const RULES: { suffix: string; allowed: RegExp[]; where: string }[] = [
  { suffix: '.int-spec.ts', allowed: [/^apps\/[^/]+\/test\//, /^libs\/[^/]+\/src\//], where: 'in apps/<app>/test/ or libs/<lib>/src/' },
  {
    suffix: '.e2e-spec.ts',
    allowed: [/^test\/e2e\//, /^apps\/[^/]+\/test\//, /^bench\//],
    where: 'in test/e2e/, apps/<app>/test/ or bench/',
  },
  { suffix: '.fault-spec.ts', allowed: [/^test\/faults\//], where: 'in test/faults/' },
  // unit tests sit beside their code, so never among an app's integration tests
  { suffix: '.spec.ts', allowed: [/^(?!apps\/[^/]+\/test\/)/], where: 'beside the code it tests' },
];

function testFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) testFiles(path, out);
    else if (entry.name.endsWith('spec.ts')) out.push(relative(ROOT, path).split('\\').join('/'));
  }
  return out;
}

export function misplaced(files: string[]): string[] {
  return files.flatMap((file) => {
    const rule = RULES.find((r) => file.endsWith(r.suffix));
    if (!rule || rule.allowed.some((re) => re.test(file))) return [];
    return [`${file}: ${rule.suffix} files belong ${rule.where}`];
  });
}

describe('test placement', () => {
  it('finds the tests of every layer', () => {
    const files = testFiles(ROOT);
    for (const suffix of ['.int-spec.ts', '.e2e-spec.ts', '.fault-spec.ts']) expect(files.some((f) => f.endsWith(suffix))).toBe(true);
    expect(files).toContain('scripts/test-placement.spec.ts');
  });

  it('has every integration, end-to-end and fault test in its one place', () => {
    expect(misplaced(testFiles(ROOT))).toEqual([]);
  });

  it('refuses an app integration test beside the code and a unit test among integration tests', () => {
    expect(
      misplaced([
        'apps/auth-api/src/users/users.int-spec.ts',
        'apps/auth-api/test/users.int-spec.ts',
        'libs/persistence/src/postgres.int-spec.ts',
        'apps/mfa-service/src/lifecycle.e2e-spec.ts',
        'test/e2e/wiring.e2e-spec.ts',
        'apps/notifier/test/notifier-process.e2e-spec.ts',
        'test/e2e/faults.fault-spec.ts',
        'apps/notifier/test/x.spec.ts',
        'apps/notifier/src/channels/failure-classifier.spec.ts',
      ]),
    ).toEqual([
      'apps/auth-api/src/users/users.int-spec.ts: .int-spec.ts files belong in apps/<app>/test/ or libs/<lib>/src/',
      'apps/mfa-service/src/lifecycle.e2e-spec.ts: .e2e-spec.ts files belong in test/e2e/, apps/<app>/test/ or bench/',
      'test/e2e/faults.fault-spec.ts: .fault-spec.ts files belong in test/faults/',
      'apps/notifier/test/x.spec.ts: .spec.ts files belong beside the code it tests',
    ]);
  });
});
