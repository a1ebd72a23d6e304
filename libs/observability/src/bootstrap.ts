import { ConfigError } from '@twostep/config';
import type { HealthServer } from './health-server';
import { JsonLogger, LogLevel } from './json-logger';
import { onShutdownSignal } from './shutdown';

/**
 * What every app factory returns (auth-api, mfa-service, notifier) and {@link bootstrap} drives: the
 * service's own listener or workers, plus its management listener (`/health/*`, `/metrics`).
 */
export interface ServiceApp {
  health: HealthServer;
  /** binds the listeners and starts the workers; returns the health port */
  start(): Promise<number>;
  /** on SIGTERM/SIGINT, at once: readiness false (and whatever else tells peers to move away); work is still served */
  markLeaving(): void;
  /** after the drain: stop taking work, finish what is in hand, close listeners and connections */
  stop(): Promise<void>;
}

/** The settings bootstrap() reads from every service's validated config. */
export interface BootstrapConfig {
  LOG_LEVEL: LogLevel;
  /** how long a leaving service keeps serving after readiness turned false (see {@link onShutdownSignal}) */
  SHUTDOWN_DRAIN_MS: number;
}

/** What differs between the services; everything else is {@link bootstrap}'s. */
export interface BootstrapOptions<C extends BootstrapConfig> {
  /** the service name: log `service` field, messages on stderr */
  name: string;
  /** reads and validates the environment; a `ConfigError` exits 78 (EX_CONFIG) with the problems on stderr */
  loadConfig: () => C;
  /**
   * Builds the service. Import the app (Nest, pg, ioredis) inside it, not at the top of main.ts, so that
   * whatever main.ts runs first (tracing) is in place before those modules load.
   */
  create: (config: C, logger: JsonLogger) => Promise<ServiceApp>;
  /** the fields of the "<name> listening" log line */
  listening: (config: C, healthPort: number) => Record<string, unknown>;
  /** how long `stop` may take after the drain before the process exits 1 anyway */
  stopGraceMs: (config: C) => number;
}

/**
 * The one start-up and shutdown sequence of every service's main.ts: config (exit 78 when invalid),
 * the JSON logger, the service with its health server, one "listening" line, then on SIGTERM/SIGINT
 * readiness false at once, SHUTDOWN_DRAIN_MS of serving, `stop`, exit 0 (exit 1 on a second signal, on
 * a failed stop or past the grace period). A failure to start is one line on stderr and exit 1.
 */
export async function bootstrap<C extends BootstrapConfig>(options: BootstrapOptions<C>): Promise<void> {
  const { name } = options;
  try {
    let config: C;
    try {
      config = options.loadConfig();
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(`${name}: ${error.message}\n`);
        process.exit(78); // EX_CONFIG
      }
      throw error;
    }
    const logger = new JsonLogger(name, config.LOG_LEVEL);
    const service = await options.create(config, logger);
    const healthPort = await service.start();
    logger.info(`${name} listening`, options.listening(config, healthPort));
    onShutdownSignal(
      async () => {
        await service.stop();
        logger.info(`${name} stopped`);
      },
      (msg) => logger.info(msg),
      options.stopGraceMs(config),
      { notReady: () => service.markLeaving(), drainMs: config.SHUTDOWN_DRAIN_MS },
    );
  } catch (error) {
    process.stderr.write(`${name} failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
