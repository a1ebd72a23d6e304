import { EventEmitter } from 'node:events';
import { postgresDataSourceOptions } from './postgres';

describe('Postgres pool options', () => {
  it('gives every pooled client a permanent error listener, so a terminated backend cannot crash the process', () => {
    const options = postgresDataSourceOptions({ url: 'postgres://u@h/db', schema: 'auth', entities: [], migrations: [] });
    const onConnect = (options.extra as { onConnect?: (client: EventEmitter) => void }).onConnect;
    expect(onConnect).toEqual(expect.any(Function));
    const client = new EventEmitter();
    onConnect!(client);
    // an 'error' with no listener throws (and, unhandled, ends the process); with it, nothing is thrown
    expect(() =>
      client.emit('error', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })),
    ).not.toThrow();
    expect(() => new EventEmitter().emit('error', new Error('x'))).toThrow('x');
  });
});
