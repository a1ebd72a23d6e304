import { Account, Client } from 'appwrite';

/**
 * The web SDK (`appwrite` 27) in Node the way a browser app uses it: Node has no cookie jar, so the
 * session survives only through `X-Fallback-Cookies`, which the SDK stores in `window.localStorage`
 * and replays (appwrite-api.md 6.4). Each {@link WebApp} is one browser profile: its own storage.
 */
export class WebApp {
  readonly storage = new Map<string, string>();
  readonly client: Client;
  readonly account: Account;

  constructor(endpoint: string, projectId: string) {
    this.client = new Client().setEndpoint(endpoint).setProject(projectId);
    this.account = new Account(this.client);
  }

  /** Runs `fn` with this profile's localStorage installed as `window.localStorage`. */
  async run<T>(fn: (account: Account) => Promise<T>): Promise<T> {
    installWindow(this.storage);
    return fn(this.account);
  }

  /**
   * Installs this profile's localStorage and returns its Account, for a suite that drives one
   * simulated browser at a time (one global `window` exists per process).
   */
  use(): Account {
    installWindow(this.storage);
    return this.account;
  }

  get cookieFallback(): string | undefined {
    return this.storage.get('cookieFallback');
  }
}

function installWindow(storage: Map<string, string>): void {
  const localStorage = {
    getItem: (k: string) => storage.get(k) ?? null,
    setItem: (k: string, v: string) => void storage.set(k, String(v)),
    removeItem: (k: string) => void storage.delete(k),
  };
  // the SDK warns on every stored fallback; keep the test output quiet
  (globalThis as unknown as { window: unknown }).window = { localStorage, console: { ...console, warn: () => undefined } };
}

export function removeWindow(): void {
  delete (globalThis as unknown as { window?: unknown }).window;
}
