import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';

/**
 * The lint rule of eslint.config.cjs that keeps every secret compare on `constantTimeEqual`: it flags
 * `===`/`!==`/`==`/`!=`/`.equals()` on secret-named operands in source, and it flags each real
 * constant-time compare of the code base once that compare is replaced by `!==` (so `npm test`'s lint
 * step fails on such a change, in today's files and in future ones).
 */
const root = path.resolve(__dirname, '..');
const MESSAGE = /constantTimeEqual/;

// the project's own config, handed over directly (ESLint's config-file loader needs a dynamic import Jest lacks)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const projectConfig = require(path.join(root, 'eslint.config.cjs'));

async function secretCompareErrors(code: string, file: string): Promise<number> {
  const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: projectConfig });
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-syntax' && MESSAGE.test(m.message)).length;
}

describe('lint: secrets are compared only in constant time', () => {
  jest.setTimeout(60_000);

  it.each([
    ['an API key with !==', 'export const f = (key: string, c: { APP_API_KEY: string }) => key !== c.APP_API_KEY;'],
    ['a stored hash with ===', 'export const f = (row: { secretHash: string }, h: string) => row.secretHash === h;'],
    ['a code with ==', 'export const f = (code: string, expected: string) => code == expected;'],
    ['a token of an optional object', 'export const f = (a?: { token: string }, b = "") => a?.token !== b;'],
    ['a digest with Buffer.equals', 'export const f = (digest: Buffer, other: Buffer) => digest.equals(other);'],
    ['a password with !=', 'export const f = (password: string, given: string) => given != password;'],
  ])('flags %s in source', async (_name, code) => {
    expect(await secretCompareErrors(code, 'apps/auth-api/src/example/example.service.ts')).toBe(1);
  });

  it.each([
    [
      'constantTimeEqual',
      "import { constantTimeEqual } from '@twostep/crypto';\nexport const f = (key: string, c: { APP_API_KEY: string }) => constantTimeEqual(key, c.APP_API_KEY);",
    ],
    ['a compare with a literal', "export const f = (code: string) => code === 'EAUTH';"],
    ['a compare with undefined', 'export const f = (token?: string) => token !== undefined;'],
    ['non-secret names', 'export const f = (a: string, b: string) => a === b;'],
  ])('allows %s', async (_name, code) => {
    expect(await secretCompareErrors(code, 'libs/crypto/src/example.ts')).toBe(0);
  });

  it.each([
    ['apps/auth-api/src/access/access.guard.ts', 'constantTimeEqual(key, this.config.APP_API_KEY)'],
    ['apps/mfa-service/src/core/mfa-secrets.service.ts', 'constantTimeEqual(stored.slice(dot + 1), keyedHash('],
    [
      'apps/auth-api/src/verification/verification.service.ts',
      'constantTimeEqual(this.codeHash(reserved.keyId, reserved.id, code), reserved.secretHash)',
    ],
    [
      'apps/auth-api/src/verification/verification.service.ts',
      'constantTimeEqual(this.destinationHash(token.keyId, token.kind, current), token.destinationHash)',
    ],
  ])('%s: passes as it is, fails once %s becomes !==', async (file, call) => {
    const source = readFileSync(path.join(root, file), 'utf8');
    expect(source).toContain(call);
    expect(await secretCompareErrors(source, file)).toBe(0);
    // `constantTimeEqual(a, b)` -> `(a) === (b)`: split the arguments at the top-level comma
    const start = source.indexOf(call) + 'constantTimeEqual('.length;
    let depth = 0;
    let comma = -1;
    let end = start;
    for (; end < source.length; end++) {
      const ch = source[end];
      if (ch === '(') depth++;
      else if (ch === ')') {
        if (depth === 0) break;
        depth--;
      } else if (ch === ',' && depth === 0) comma = end;
    }
    const broken = `${source.slice(0, start - 'constantTimeEqual('.length)}((${source.slice(start, comma)}) !== (${source.slice(comma + 1, end)}))${source.slice(end + 1)}`;
    expect(await secretCompareErrors(broken, file)).toBeGreaterThanOrEqual(1);
  });
});
