import { existsSync } from 'node:fs';
import { Browser, chromium, Page } from 'playwright-core';
import { httpOperations } from '@twostep/contracts';
import { TestStack } from '@twostep/testing';

/** Debian's `chromium` package (`.ci/run` installs it); CHROMIUM_PATH points elsewhere. Nothing is downloaded at run time. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The API reference page (`GET /v1/openapi`) in a real browser: headless Chromium, under the page's own CSP. */
describe('the API reference page in headless Chromium', () => {
  let stack: TestStack;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is missing at ${CHROMIUM}: install Debian's package (apt-get install -y chromium), as .ci/run does, or set CHROMIUM_PATH`,
      );
    }
    stack = await TestStack.start({ label: 'openapi-page', services: ['auth-api'] });
    // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
    page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('renders every operation grouped by tag, from the served document, with no script or CSP error', async () => {
    const res = await page.goto(`${stack.endpoint}/openapi?project=${stack.projectId}`);
    expect(res?.status()).toBe(200);
    const total = Object.keys(httpOperations).length;
    await page.waitForSelector('#count:not(:empty)', { timeout: 10_000 });
    expect(await page.textContent('#count')).toBe(`${total} operations`);
    expect(await page.locator('details[data-operation-id]').count()).toBe(total);
    expect(await page.locator('section[data-tag]').evaluateAll((s) => s.map((e) => e.getAttribute('data-tag')))).toEqual([
      'account',
      'avatars',
      'openapi',
      'users',
    ]);
    const challenge = page.locator('section[data-tag="account"] details[data-operation-id="account.createMfaChallenge"]');
    expect(await challenge.isVisible()).toBe(true);
    await challenge.locator('summary').click();
    const body = await challenge.locator('.op-body').innerText();
    expect(body).toContain('MfaChallenge');
    expect(body).toContain('201');
    expect(await page.locator('#model-Session').count()).toBe(1);
    expect(problems).toEqual([]);
  });

  it('runs no script but its own: the Content-Security-Policy refuses an injected inline script', async () => {
    await expect(page.addScriptTag({ content: 'window.injected = true;' })).rejects.toThrow();
    expect(await page.evaluate('typeof window.injected')).toBe('undefined');
  });
});
