'use strict';
// The raw floor: node:http + pg, no framework, doing the database work of GET /v1/account once per request.
// Env: DATABASE_URL, FLOOR_SCHEMA (auth: the product's tables; bench_floor: the mirror), PORT, HOST (127.0.0.1),
// FLOOR_POOL_SIZE (10, the product's default pool size), FLOOR_TOTP_KEY (hex AES-256 key of the TOTP floor's
// sealed TOTP keys; without it the TOTP routes answer 404).
// The TOTP second factor at the floor (POST + PUT /v1/account/mfa/challenges, schema bench_floor_mfa): the
// least work the rules allow. POST: one statement (the session by SHA-256 of its secret, the challenge
// inserted from it). PUT: the session with its sealed TOTP key (one query), the key opened (AES-256-GCM) and
// the code checked (HMAC-SHA1, window ±1, steps after the last one used, constant-time compare), then one
// conditional statement: the step consumed, the open challenge completed, the session given its second factor.
const http = require('node:http');
const { createHash, createHmac, createDecipheriv, randomBytes, timingSafeEqual } = require('node:crypto');
const { Pool } = require('pg');
const { lookup, TOTP_SCHEMA } = require('./schema');

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

function credOf(req) {
  try {
    const cred = JSON.parse(Buffer.from(String(req.headers['x-appwrite-session'] ?? ''), 'base64').toString('utf8'));
    return cred && typeof cred.id === 'string' && typeof cred.secret === 'string' ? cred : null;
  } catch {
    return null;
  }
}

function body(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      } catch (e) {
        reject(e);
      }
    });
    req.on('error', reject);
  });
}

const TOTP_KEY = process.env.FLOOR_TOTP_KEY ? Buffer.from(process.env.FLOOR_TOTP_KEY, 'hex') : null;
const T = TOTP_SCHEMA;
const CREATE = {
  name: 'floor_challenge_create',
  text: `INSERT INTO ${T}.challenges (id, user_id, session_id, factor, expire, created_at)
         SELECT $3, s.user_id, s.id, 'totp', now() + interval '15 minutes', now()
           FROM ${T}.sessions s WHERE s.secret_hash = $1 AND s.user_id = $2 AND s.expire > now()
         RETURNING id, user_id, created_at, expire`,
};
const SESSION_KEY = {
  name: 'floor_session_totp',
  text: `SELECT s.id, t.secret, t.last_step FROM ${T}.sessions s JOIN ${T}.totp t ON t.user_id = s.user_id
          WHERE s.secret_hash = $1 AND s.user_id = $2 AND s.expire > now()`,
};
const COMPLETE = {
  name: 'floor_challenge_complete',
  text: `WITH t AS (
           UPDATE ${T}.totp SET last_step = $4
            WHERE user_id = $2 AND last_step < $4
              AND EXISTS (SELECT 1 FROM ${T}.challenges c WHERE c.id = $1 AND c.user_id = $2 AND c.session_id = $3
                                                             AND c.completed_at IS NULL AND c.expire > now())
           RETURNING user_id),
         c AS (
           UPDATE ${T}.challenges SET completed_at = now() FROM t
            WHERE challenges.id = $1 AND challenges.user_id = t.user_id AND challenges.completed_at IS NULL
           RETURNING challenges.user_id)
         UPDATE ${T}.sessions SET factors = ARRAY['password', 'totp'], mfa_updated_at = now() FROM c
          WHERE sessions.id = $3 AND sessions.user_id = c.user_id
         RETURNING sessions.id, sessions.expire`,
};
const invalidToken = { message: 'Invalid token passed in the request.', code: 401, type: 'user_invalid_token', version: 'floor' };

function openTotpKey(sealed, userId) {
  const [iv, tag, ct] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
  const d = createDecipheriv('aes-256-gcm', TOTP_KEY, iv);
  d.setAAD(Buffer.from(`totp:${userId}`));
  d.setAuthTag(tag);
  return Buffer.concat([d.update(ct), d.final()]);
}

function hotp(key, counter) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const h = createHmac('sha1', key).update(msg).digest();
  const off = h[h.length - 1] & 0x0f;
  const bin = ((h[off] & 0x7f) << 24) | (h[off + 1] << 16) | (h[off + 2] << 8) | h[off + 3];
  return String(bin % 1_000_000).padStart(6, '0');
}

/** the matching step in the ±1 window after `lastStep`, or 0 */
function matchStep(key, otp, lastStep) {
  const now = Math.floor(Date.now() / 30_000);
  const given = Buffer.alloc(6);
  given.write(String(otp).slice(0, 6));
  let found = 0;
  for (let s = now - 1; s <= now + 1; s++) if (s > lastStep && timingSafeEqual(Buffer.from(hotp(key, s)), given) && !found) found = s;
  return found;
}

async function createChallenge(req, res) {
  const cred = credOf(req);
  const b = await body(req);
  if (!cred) return send(res, 401, unauthorized);
  if (b.factor !== 'totp')
    return send(res, 400, { message: 'floor: totp only', code: 400, type: 'general_argument_invalid', version: 'floor' });
  const hash = createHash('sha256').update(cred.secret).digest('hex');
  const { rows } = await pool.query({ ...CREATE, values: [hash, cred.id, randomBytes(10).toString('hex')] });
  if (rows.length === 0) return send(res, 401, unauthorized);
  const c = rows[0];
  send(res, 201, { $id: c.id, $createdAt: iso(c.created_at), userId: c.user_id, expire: iso(c.expire) });
}

async function completeChallenge(req, res) {
  const cred = credOf(req);
  const b = await body(req);
  if (!cred) return send(res, 401, unauthorized);
  if (typeof b.challengeId !== 'string' || typeof b.otp !== 'string')
    return send(res, 400, { message: 'bad body', code: 400, type: 'general_argument_invalid', version: 'floor' });
  const hash = createHash('sha256').update(cred.secret).digest('hex');
  const { rows } = await pool.query({ ...SESSION_KEY, values: [hash, cred.id] });
  if (rows.length === 0) return send(res, 401, unauthorized);
  const step = matchStep(openTotpKey(rows[0].secret, cred.id), b.otp, Number(rows[0].last_step));
  if (!step) return send(res, 401, invalidToken);
  const done = await pool.query({ ...COMPLETE, values: [b.challengeId, cred.id, rows[0].id, step] });
  if (done.rows.length === 0) return send(res, 401, invalidToken);
  send(res, 200, { $id: done.rows[0].id, userId: cred.id, factors: ['password', 'totp'], expire: iso(done.rows[0].expire) });
}

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
  } else if (TOTP_KEY && path === '/v1/account/mfa/challenges' && (req.method === 'POST' || req.method === 'PUT')) {
    (req.method === 'POST' ? createChallenge : completeChallenge)(req, res).catch(() =>
      send(res, 500, { message: 'Server Error', code: 500, type: 'general_unknown', version: 'floor' }),
    );
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
