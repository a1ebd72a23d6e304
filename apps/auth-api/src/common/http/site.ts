import { isIP } from 'node:net';

/**
 * The "site" of a host name, to decide whether a browser will send our cookies from a page's origin:
 * the registrable domain approximated as the last two labels (three under common second-level
 * country domains such as `co.uk`); IP addresses and single-label hosts are their own site.
 */
export function siteOf(hostname: string): string {
  const host = hostname
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^\[|\]$/g, '');
  if (isIP(host) || !host.includes('.')) return host;
  const labels = host.split('.');
  const tld = labels[labels.length - 1];
  const second = labels[labels.length - 2];
  const take = tld.length === 2 && labels.length >= 3 && /^(co|com|net|org|gov|edu|ac|or|ne|go)$/.test(second) ? 3 : 2;
  return labels.slice(-take).join('.');
}

/**
 * Appwrite's "domain verification": true when the request comes from a page on the same site as the
 * API. No `Origin` (Node, curl, server SDKs) or a foreign one means cookies cannot be relied on, so
 * the session travels in `X-Fallback-Cookies` as well.
 */
export function isSameSiteOrigin(origin: string | undefined, apiHostname: string): boolean {
  if (!origin || origin === 'null') return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return siteOf(parsed.hostname) === siteOf(apiHostname);
}

/** Cookies get no Domain attribute for localhost and IP addresses (browsers reject it there). */
export function isLocalOrIp(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || isIP(host) !== 0;
}
