/**
 * Finds secrets in a dump (database rows, Redis values, log lines) as whole tokens: a value whose first
 * (last) character is a letter or digit only matches where the character before (after) it is not one,
 * so a 6-digit code never matches by chance inside a hex id, a hash or a sealed payload, while the value
 * itself, anywhere it stands alone (`"otp":"123456"`, `code=123456`, `...: 123456.`), is found.
 */
const ALNUM = /[A-Za-z0-9]/;

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function tokenPattern(value: string): RegExp {
  const before = ALNUM.test(value[0]) ? '(?<![A-Za-z0-9])' : '';
  const after = ALNUM.test(value[value.length - 1]) ? '(?![A-Za-z0-9])' : '';
  return new RegExp(`${before}${escape(value)}${after}`);
}

export function containsToken(dump: string, value: string): boolean {
  return value.length > 0 && tokenPattern(value).test(dump);
}

/** The values of `secrets` that occur in `dump` as whole tokens. */
export function leakedSecrets(dump: string, secrets: Iterable<string>): string[] {
  return [...secrets].filter((s) => containsToken(dump, s));
}
