import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { isInfrastructureFailure, serviceUnavailable } from './infrastructure-failure';

function queryFailed(code: string, message = 'boom'): QueryFailedError {
  return new QueryFailedError('SELECT 1', [], Object.assign(new Error(message), { code }));
}

describe('infrastructure failures become 503, bugs stay 500', () => {
  it('treats lost connections, timeouts and overload as a dependency being unavailable', () => {
    expect(isInfrastructureFailure(queryFailed('08006'))).toBe(true);
    expect(isInfrastructureFailure(queryFailed('57P01'))).toBe(true);
    expect(isInfrastructureFailure(queryFailed('57014'))).toBe(true);
    expect(isInfrastructureFailure(queryFailed('53300'))).toBe(true);
    expect(isInfrastructureFailure(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isInfrastructureFailure(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isInfrastructureFailure(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(true);
  });

  it('treats a query runner released by a terminated backend (mid-transaction) as the database being unavailable', () => {
    expect(isInfrastructureFailure(new QueryRunnerProviderAlreadyReleasedError())).toBe(true);
    expect(isInfrastructureFailure(new QueryRunnerAlreadyReleasedError())).toBe(true);
    expect(isInfrastructureFailure(new Error('terminating connection due to administrator command'))).toBe(true);
  });

  it('treats Redis being unreachable or refusing writes as a dependency being unavailable', () => {
    expect(
      isInfrastructureFailure(
        new Error('Reached the max retries per request limit (which is 1). Refer to "maxRetriesPerRequest" option for details.'),
      ),
    ).toBe(true);
    expect(isInfrastructureFailure(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toBe(true);
    expect(isInfrastructureFailure(Object.assign(new Error('read'), { code: 'ECONNRESET' }))).toBe(true);
  });

  it('is answered 503 general_service_unavailable with a retry after one second', () => {
    const error = serviceUnavailable();
    expect(error.type).toBe('general_service_unavailable');
    expect(error.code).toBe(503);
    expect(error.retryAfterSeconds).toBe(1);
  });

  it('does not hide programming errors or constraint violations', () => {
    expect(isInfrastructureFailure(queryFailed('23505', 'duplicate key'))).toBe(false);
    expect(isInfrastructureFailure(queryFailed('42P01', 'relation does not exist'))).toBe(false);
    expect(isInfrastructureFailure(new TypeError('x is undefined'))).toBe(false);
    expect(isInfrastructureFailure('a string')).toBe(false);
    expect(isInfrastructureFailure(null)).toBe(false);
    expect(isInfrastructureFailure(Object.assign(new Error('not found'), { code: 'ENOENT' }))).toBe(false);
  });
});
