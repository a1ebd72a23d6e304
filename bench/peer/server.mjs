// The Better Auth peer: better-auth with its twoFactor plugin, on a plain node:http server through its
// toNodeHandler, against its own Postgres database. `node server.mjs migrate` creates its tables with
// Better Auth's own migration API and exits; `node server.mjs` serves.
// Env: DATABASE_URL, PORT, HOST (127.0.0.1), BETTER_AUTH_SECRET, PEER_POOL_SIZE (10, like the product),
// SMTP_URL (the bench's SMTP sink): the email-OTP second factor (`POST /api/auth/two-factor/send-otp`) sends
// its code inline with nodemailer, the way Better Auth's users write `otpOptions.sendOTP`; PEER_SMTP_POOL=1
// pools the SMTP connections (default: one transport, nodemailer's defaults, a connection per message).
import http from 'node:http';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { betterAuth } from 'better-auth';
import { twoFactor } from 'better-auth/plugins';
import { toNodeHandler } from 'better-auth/node';
import { getMigrations } from 'better-auth/db/migration';

const host = process.env.HOST || '127.0.0.1';
const port = Number(process.env.PORT || 0);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.PEER_POOL_SIZE || 10) });
pool.on('error', () => undefined);

const mailer = process.env.SMTP_URL
  ? nodemailer.createTransport(
      process.env.PEER_SMTP_POOL === '1' ? { url: process.env.SMTP_URL, pool: true, maxConnections: 5 } : process.env.SMTP_URL,
    )
  : null;

export const auth = betterAuth({
  appName: 'Twostep Bench Peer',
  baseURL: `http://${host}:${port}`,
  secret: process.env.BETTER_AUTH_SECRET,
  database: pool,
  emailAndPassword: { enabled: true },
  plugins: [
    twoFactor({
      issuer: 'Twostep Bench Peer',
      otpOptions: {
        async sendOTP({ user, otp }) {
          if (!mailer) throw new Error('SMTP_URL is not set');
          await mailer.sendMail({
            from: 'Better Auth Peer <no-reply@bench.example.com>',
            to: user.email,
            subject: 'Your verification code',
            text: `Your verification code is ${otp}.`,
            html: `<p>Your verification code is <strong>${otp}</strong>.</p>`,
          });
        },
      },
    }),
  ],
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
