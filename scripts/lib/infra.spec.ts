import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { makeTraversable } = require('./infra.js') as { makeTraversable: (dir: string, uid?: number) => void };

describe('npm start and directory permissions (scripts/lib/infra.js makeTraversable)', () => {
  let base: string;
  let chain: string[];
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'traverse-'));
    chain = [join(base, 'a'), join(base, 'a', 'b'), join(base, 'a', 'b', 'c')];
    mkdirSync(chain[2], { recursive: true });
    for (const d of chain) chmodSync(d, 0o700);
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));
  const modes = () => chain.map((d) => statSync(d).mode & 0o777);

  it('widens no directory when not running as root (Postgres then runs as the same user)', () => {
    makeTraversable(chain[2], 1000);
    expect(modes()).toEqual([0o700, 0o700, 0o700]);
  });

  it('as root, opens the way to the data directory for the postgres user it drops to', () => {
    makeTraversable(chain[2], 0);
    expect(modes()).toEqual([0o705, 0o705, 0o705]);
  });
});
