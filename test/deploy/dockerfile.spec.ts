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
    const ignore = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const entry of ['**/node_modules', '**/dist', '.data', '.env', '.git']) expect(ignore).toContain(entry);
  });
});
