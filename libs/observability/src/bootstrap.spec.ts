import { ConfigError } from '@twostep/config';
import { bootstrap, BootstrapConfig, ServiceApp } from './bootstrap';
import type { HealthServer } from './health-server';

class Exited extends Error {
  constructor(readonly code: number | undefined) {
    super(`exit ${code}`);
  }
}

const config: BootstrapConfig & { PORT: number } = { LOG_LEVEL: 'fatal', SHUTDOWN_DRAIN_MS: 0, PORT: 4000 };

function fakeService(events: string[], stop: () => Promise<void> = async () => undefined): ServiceApp {
  return {
    health: {} as HealthServer,
    start: async () => {
      events.push('start');
      return 9100;
    },
    markLeaving: () => events.push('markLeaving'),
    stop: async () => {
      events.push('stop');
      await stop();
    },
  };
}

describe('bootstrap', () => {
  let exit: jest.SpyInstance;
  let stderr: jest.SpyInstance;
  let exits: (number | undefined)[];
  /** process.exit ends the function it is called from; in the shutdown path it is the last call, so just record it */
  let throwOnExit: boolean;
  const signalListeners = { SIGTERM: process.listeners('SIGTERM'), SIGINT: process.listeners('SIGINT') };

  beforeEach(() => {
    exits = [];
    throwOnExit = true;
    exit = jest.spyOn(process, 'exit').mockImplementation(((code?: number) => {
      exits.push(code);
      if (throwOnExit) throw new Exited(code);
    }) as never);
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });

  afterEach(() => {
    exit.mockRestore();
    stderr.mockRestore();
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      for (const l of process.listeners(signal)) if (!signalListeners[signal].includes(l)) process.removeListener(signal, l);
    }
  });

  it('exits 78 (EX_CONFIG) with the problems on stderr when the config is invalid, before building anything', async () => {
    const create = jest.fn();
    await bootstrap({
      name: 'svc',
      loadConfig: () => {
        throw new ConfigError(['PORT must be a port']);
      },
      create,
      listening: () => ({}),
      stopGraceMs: () => 1000,
    }).catch((e: unknown) => {
      if (!(e instanceof Exited)) throw e;
    });
    expect(exits[0]).toBe(78);
    expect(String(stderr.mock.calls[0][0])).toMatch(/^svc: Invalid configuration:\n {2}- PORT must be a port/);
    expect(create).not.toHaveBeenCalled();
  });

  it('exits 1 with one line on stderr when the service fails to start', async () => {
    await bootstrap({
      name: 'svc',
      loadConfig: () => config,
      create: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      },
      listening: () => ({}),
      stopGraceMs: () => 1000,
    }).catch((e: unknown) => {
      if (!(e instanceof Exited)) throw e;
    });
    expect(exits).toEqual([1]);
    expect(stderr.mock.calls.map((c) => String(c[0]))).toEqual(['svc failed to start: connect ECONNREFUSED 127.0.0.1:5432\n']);
  });

  it('starts, and on SIGTERM turns not ready at once, stops, then exits 0', async () => {
    throwOnExit = false;
    const events: string[] = [];
    let finishStop!: () => void;
    const stopping = new Promise<void>((resolve) => (finishStop = resolve));
    const listening = jest.fn((c: typeof config, healthPort: number) => ({ port: c.PORT, healthPort }));
    await bootstrap({
      name: 'svc',
      loadConfig: () => config,
      create: async () => fakeService(events, () => stopping),
      listening,
      stopGraceMs: () => 10_000,
    });
    expect(events).toEqual(['start']);
    expect(listening).toHaveBeenCalledWith(config, 9100);
    process.emit('SIGTERM');
    // no drain (SHUTDOWN_DRAIN_MS 0): not ready and stop in the same tick
    expect(events).toEqual(['start', 'markLeaving', 'stop']);
    expect(exits).toEqual([]);
    finishStop();
    // the stop, then the (no-op) span flush, then the exit
    for (let i = 0; i < 50 && exits.length === 0; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(exits).toEqual([0]);
  });
});
