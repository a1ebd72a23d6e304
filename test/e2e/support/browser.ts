/**
 * What a browser gives the `appwrite` web SDK that Node lacks: `window.localStorage`. With it the SDK
 * stores the `X-Fallback-Cookies` header of the sign-in response and replays it on every request
 * (appwrite-api.md 6.4), exactly as it does in a cross-site browser app.
 *
 * One global `window` exists per process, so one simulated browser is active at a time: `use()` it
 * before driving its SDK client.
 */
export class SimulatedBrowser {
  private readonly store = new Map<string, string>();

  readonly localStorage = {
    getItem: (k: string) => (this.store.has(k) ? this.store.get(k)! : null),
    setItem: (k: string, v: string) => void this.store.set(k, String(v)),
    removeItem: (k: string) => void this.store.delete(k),
    clear: () => this.store.clear(),
    key: (i: number) => [...this.store.keys()][i] ?? null,
    get length() {
      return 0;
    },
  };

  use(): this {
    (globalThis as unknown as { window: unknown }).window = { localStorage: this.localStorage, console };
    return this;
  }

  /** What the SDK keeps (the raw X-Fallback-Cookies JSON), or null. */
  get cookieFallback(): string | null {
    return this.localStorage.getItem('cookieFallback');
  }

  static uninstall(): void {
    delete (globalThis as unknown as { window?: unknown }).window;
  }
}
