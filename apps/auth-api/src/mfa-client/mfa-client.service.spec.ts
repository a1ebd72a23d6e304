import { AppError, MfaPattern, toRpcErrorPayload } from '@twostep/contracts';
import { JsonLogger } from '@twostep/observability';
import { MfaClient } from './mfa-client.service';

/** An MfaClient whose endpoint pool answers `answer` (the transport is covered by the e2e tests). */
function clientAnswering(answer: () => Promise<unknown>, lines: string[]): MfaClient {
  const client = Object.create(MfaClient.prototype) as MfaClient;
  Object.assign(client, {
    pool: { call: answer },
    timeoutMs: 1000,
    logger: new JsonLogger('auth-api', 'debug', { write: (line: string) => void lines.push(line) }),
  });
  return client;
}

describe('MfaClient reply validation', () => {
  it('passes a reply that matches its schema (parsed)', async () => {
    const client = clientAnswering(async () => ({ totp: true, recoveryCode: false, extra: 1 }), []);
    await expect(client.send(MfaPattern.FactorsGet, { userId: 'u' })).resolves.toEqual({ totp: true, recoveryCode: false });
  });

  it('turns a malformed reply into 503 general_service_unavailable, logging no content', async () => {
    const lines: string[] = [];
    const client = clientAnswering(async () => ({ recoveryCodes: ['SECRET-CODE-1'] }), lines);
    const error = await client.send(MfaPattern.RecoveryCodesGet, { userId: 'u' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ type: 'general_service_unavailable', code: 503, retryAfterSeconds: 1 });
    expect(lines.join('\n')).toContain('reply does not match its contract');
    expect(lines.join('\n')).not.toContain('SECRET-CODE-1');
    await expect(clientAnswering(async () => null, []).send(MfaPattern.FactorsGet, { userId: 'u' })).rejects.toMatchObject({
      type: 'general_service_unavailable',
    });
  });

  it('still passes domain errors through as the same AppError', async () => {
    const client = clientAnswering(() => Promise.reject(toRpcErrorPayload(new AppError('user_invalid_token'))), []);
    await expect(client.send(MfaPattern.ChallengeGet, { userId: 'u', challengeId: 'f'.repeat(20) })).rejects.toMatchObject({
      type: 'user_invalid_token',
    });
  });
});
