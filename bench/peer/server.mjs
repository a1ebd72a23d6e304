// The Better Auth peer: better-auth with its twoFactor plugin, on a plain node:http server through its
// toNodeHandler, against its own Postgres database. `node server.mjs migrate` creates its tables with
// Better Auth's own migration API and exits; `node server.mjs` serves.
// Env: DATABASE_URL, PORT, HOST (127.0.0.1), BETTER_AUTH_SECRET, PEER_POOL_SIZE (10, like the product).
import http from 'node:http';
import pg from 'pg';
import { betterAuth } from 'better-auth';
import { twoFactor } from 'better-auth/plugins';
import { toNodeHandler } from 'better-auth/node';
import { getMigrations } from 'better-auth/db/migration';

const host = process.env.HOST || '127.0.0.1';
const port = Number(process.env.PORT || 0);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.PEER_POOL_SIZE || 10) });
pool.on('error', () => undefined);

export const auth = betterAuth({
  appName: 'Twostep Bench Peer',
  baseURL: `http://${host}:${port}`,
  secret: process.env.BETTER_AUTH_SECRET,
  database: pool,
  emailAndPassword: { enabled: true },
  plugins: [twoFactor({ issuer: 'Twostep Bench Peer' })],
  // The product's workload is shaped to stay under its own per-user limits; Better Auth's limiter is per IP
  // and every bench request comes from 127.0.0.1, so it is turned off to measure the endpoints themselves.
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  logger: { level: 'warn' },
});

if (process.argv[2] === 'migrate') {
  const { runMigrations } = await getMigrations(auth.options);
  await runMigrations();
  await pool.end();
  process.stdout.write('better-auth tables created\n');
} else {
  const handler = toNodeHandler(auth);
  const server = http.createServer((req, res) => {
    if (req.url === '/health/ready') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
      return;
    }
    handler(req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(port, host);
  process.on('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    pool.end().finally(() => process.exit(0));
  });
}
