'use strict';
// The raw floor: node:http + pg, no framework, doing the database work of GET /v1/account once per request.
// Env: DATABASE_URL, FLOOR_SCHEMA (auth: the product's tables; bench_floor: the mirror), PORT, HOST (127.0.0.1),
// FLOOR_POOL_SIZE (10, the product's default pool size).
const http = require('node:http');
const { createHash } = require('node:crypto');
const { Pool } = require('pg');
const { lookup } = require('./schema');

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.FLOOR_POOL_SIZE || 10) });
pool.on('error', () => undefined);
const LOOKUP = lookup(process.env.FLOOR_SCHEMA || 'auth');

const iso = (d) => (d ? new Date(d).toISOString().replace('Z', '+00:00') : '');

function send(res, status, body) {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

const unauthorized = {
  message: 'User (role: guests) missing scopes (["account"])',
  code: 401,
  type: 'general_unauthorized_scope',
  version: 'floor',
};

async function account(req, res) {
  let cred;
  try {
    cred = JSON.parse(Buffer.from(String(req.headers['x-appwrite-session'] ?? ''), 'base64').toString('utf8'));
  } catch {
    return send(res, 401, unauthorized);
  }
  if (!cred || typeof cred.id !== 'string' || typeof cred.secret !== 'string') return send(res, 401, unauthorized);
  const hash = createHash('sha256').update(cred.secret).digest('hex');
  const { rows } = await pool.query({ ...LOOKUP, values: [hash, cred.id] });
  if (rows.length === 0) return send(res, 401, unauthorized);
  const u = rows[0];
  send(res, 200, {
    $id: u.id,
    $createdAt: iso(u.created_at),
    $updatedAt: iso(u.updated_at),
    name: u.name,
    registration: iso(u.created_at),
    status: u.status,
    labels: u.labels,
    passwordUpdate: iso(u.password_updated_at),
    email: u.email ?? '',
    phone: u.phone ?? '',
    emailVerification: u.email_verification,
    phoneVerification: u.phone_verification,
    mfa: u.mfa,
    prefs: u.prefs,
    targets: [],
    accessedAt: iso(u.accessed_at),
  });
}

const server = http.createServer((req, res) => {
  const path = (req.url ?? '').split('?')[0];
  if (req.method === 'GET' && path === '/v1/account') {
    account(req, res).catch(() => send(res, 500, { message: 'Server Error', code: 500, type: 'general_unknown', version: 'floor' }));
  } else if (path === '/health/ready') {
    pool.query('SELECT 1').then(
      () => send(res, 200, { status: 'ok' }),
      () => send(res, 503, { status: 'down' }),
    );
  } else {
    send(res, 404, { message: 'Route not found', code: 404, type: 'general_route_not_found', version: 'floor' });
  }
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), process.env.HOST || '127.0.0.1');

process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  pool.end().finally(() => process.exit(0));
});
