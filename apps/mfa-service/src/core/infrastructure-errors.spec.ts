import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { isInfrastructureFailure } from './infrastructure-errors';

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

  it('does not hide programming errors or constraint violations', () => {
    expect(isInfrastructureFailure(queryFailed('23505', 'duplicate key'))).toBe(false);
    expect(isInfrastructureFailure(queryFailed('42P01', 'relation does not exist'))).toBe(false);
    expect(isInfrastructureFailure(new TypeError('x is undefined'))).toBe(false);
    expect(isInfrastructureFailure('a string')).toBe(false);
  });
});
