import { TestStack, waitFor } from '@twostep/testing';

/**
 * Rollouts without errors: on SIGTERM each service turns readiness false first, keeps serving for
 * SHUTDOWN_DRAIN_MS (so a load balancer or Kubernetes stops routing to it), then finishes in-flight work
 * and exits 0. Before SHUTDOWN_DRAIN_MS, auth-api closed its port at once on SIGTERM.
 */
const DRAIN_MS = 4000;

describe('graceful shutdown with a drain delay (SHUTDOWN_DRAIN_MS)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ label: 'drain', env: { SHUTDOWN_DRAIN_MS: String(DRAIN_MS) } });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it.each(['auth-api', 'notifier', 'mfa-service'] as const)(
    '%s: on SIGTERM, readiness turns false while the service still serves, then it exits 0',
    async (service) => {
      expect((await fetch(stack.healthUrl(service))).status).toBe(200);
      const exited = stack.stopService(service, 'SIGTERM');
      const signalled = Date.now();
      await waitFor(async () => (await fetch(stack.healthUrl(service))).status === 503, DRAIN_MS, 25, `${service} readiness to turn false`);
      // the drain: still answering, readiness false, the process alive
      const live = await fetch(stack.healthUrl(service).replace('/ready', '/live'));
      expect(live.status).toBe(200);
      if (service === 'auth-api') {
        const res = await fetch(`${stack.endpoint}/account`, { headers: { 'x-appwrite-project': stack.projectId } });
        expect(res.status).toBe(401);
      }
      expect(await exited).toBe(0);
      expect(Date.now() - signalled).toBeGreaterThanOrEqual(DRAIN_MS);
    },
    30_000,
  );
});
