import type { AuthApiConfig } from '../config/auth-api.config';

/**
 * The hosts an emailed link (verification, magic URL, password recovery) may point to: the hosts of
 * the configured browser origins plus VERIFICATION_URL_HOSTS; when both are empty, any host.
 */
export function allowedLinkHosts(config: Pick<AuthApiConfig, 'VERIFICATION_URL_HOSTS' | 'CORS_ORIGINS'>): string[] {
  return [...new Set([...config.VERIFICATION_URL_HOSTS, ...config.CORS_ORIGINS.map((o) => new URL(o).host)].map((h) => h.toLowerCase()))];
}
