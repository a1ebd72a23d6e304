import { AppError, ERROR_CATALOG, fromRpcErrorPayload, isRpcErrorPayload, toRpcErrorPayload } from './error-catalog';

describe('AppError across the RPC boundary', () => {
  it('keeps type, message, Retry-After and the replay signal', () => {
    const original = new AppError('general_rate_limit_exceeded', undefined, { retryAfterSeconds: 30 });
    const rebuilt = fromRpcErrorPayload(JSON.parse(JSON.stringify(toRpcErrorPayload(original))));
    expect(rebuilt).toBeInstanceOf(AppError);
    expect(rebuilt).toMatchObject({
      type: 'general_rate_limit_exceeded',
      code: 429,
      retryAfterSeconds: 30,
      message: ERROR_CATALOG.general_rate_limit_exceeded.message,
    });
    const replay = fromRpcErrorPayload(toRpcErrorPayload(new AppError('user_invalid_token', undefined, { signal: 'totp-replay' })));
    expect(replay.signal).toBe('totp-replay');
  });

  it('ignores unknown signals and refuses payloads that are not app errors', () => {
    const payload = { ...toRpcErrorPayload(new AppError('user_invalid_token')), signal: 'something-else' };
    expect(fromRpcErrorPayload(payload as never).signal).toBeUndefined();
    expect(isRpcErrorPayload({ kind: 'app-error', type: 'not_a_type', message: 'x' })).toBe(false);
    expect(isRpcErrorPayload(new Error('boom'))).toBe(false);
  });
});
