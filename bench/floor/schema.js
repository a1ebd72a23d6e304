'use strict';
// The raw floor's data. Normally the floor reads the product's own `auth.users` / `auth.sessions` rows, with
// the very sessions the GET /v1/account flow presents (same rows, same indexes). When the product cannot
// seed them (routes missing), a mirror of those two tables in a schema of its own (`bench_floor`) is
// seeded directly, so the floor is measured either way: find the session by the SHA-256 of its secret,
// join its user, return the user.
const { createHash, randomBytes } = require('node:crypto');

const SCHEMA = 'bench_floor';

// Same columns, types and indexes as the product's `auth.users` / `auth.sessions`
// (libs/auth-data-access/src/migrations/1732780000000-create-auth-schema.ts).
const DDL = `
CREATE SCHEMA IF NOT EXISTS ${SCHEMA};
CREATE TABLE ${SCHEMA}.users (
  id varchar(36) PRIMARY KEY,
  email varchar(320) NULL,
  phone varchar(16) NULL,
  name varchar(128) NOT NULL DEFAULT '',
  password_hash text NULL,
  password_updated_at timestamptz NULL,
  email_verification boolean NOT NULL DEFAULT false,
  phone_verification boolean NOT NULL DEFAULT false,
  mfa boolean NOT NULL DEFAULT false,
  status boolean NOT NULL DEFAULT true,
  labels text[] NOT NULL DEFAULT '{}',
  prefs jsonb NOT NULL DEFAULT '{}',
  email_target_id varchar(36) NULL,
  phone_target_id varchar(36) NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  accessed_at timestamptz NULL
);
CREATE UNIQUE INDEX ON ${SCHEMA}.users (email);
CREATE UNIQUE INDEX ON ${SCHEMA}.users (phone);
CREATE TABLE ${SCHEMA}.sessions (
  id varchar(36) PRIMARY KEY,
  user_id varchar(36) NOT NULL REFERENCES ${SCHEMA}.users (id) ON DELETE CASCADE,
  secret_hash char(64) NOT NULL,
  provider varchar(32) NOT NULL,
  provider_uid varchar(320) NOT NULL DEFAULT '',
  factors text[] NOT NULL,
  mfa_updated_at timestamptz NULL,
  expire timestamptz NOT NULL,
  last_active_at timestamptz NOT NULL,
  ip varchar(45) NOT NULL DEFAULT '',
  client jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX ON ${SCHEMA}.sessions (secret_hash);
CREATE INDEX ON ${SCHEMA}.sessions (user_id, created_at);
`;

/** the one query a GET /v1/account costs at the floor, against `schema` (the product's `auth`, or the mirror) */
function lookup(schema) {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`bad schema name ${schema}`);
  return {
    name: 'floor_account',
    text: `SELECT u.id, u.created_at, u.updated_at, u.name, u.email, u.phone, u.password_updated_at,
                  u.email_verification, u.phone_verification, u.status, u.mfa, u.labels, u.prefs, u.accessed_at,
                  s.factors
             FROM ${schema}.sessions s JOIN ${schema}.users u ON u.id = s.user_id
            WHERE s.secret_hash = $1 AND s.user_id = $2 AND s.expire > now()`,
  };
}

const hex = (n) => randomBytes(n).toString('hex');

/** creates the tables and `count` users with one two-factor session each; returns their credentials */
async function seedFloor(client, count) {
  await client.query(DDL);
  const creds = [];
  const users = [];
  const sessions = [];
  for (let i = 0; i < count; i++) {
    const userId = hex(10);
    const secret = hex(128); // 256 hex characters, like a session secret
    users.push([userId, `floor-${i}-${userId}@example.com`, `Floor User ${i}`]);
    sessions.push([hex(10), userId, createHash('sha256').update(secret).digest('hex')]);
    creds.push({ userId, session: Buffer.from(JSON.stringify({ id: userId, secret })).toString('base64') });
  }
  await client.query(
    `INSERT INTO ${SCHEMA}.users (id, email, name, password_hash, password_updated_at, email_verification, mfa, created_at, updated_at)
     SELECT x.id, x.email, x.name, '$argon2id$v=19$m=19456,t=2,p=1$placeholder', now(), true, true, now(), now()
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, email text, name text)`,
    [JSON.stringify(users.map(([id, email, name]) => ({ id, email, name })))],
  );
  await client.query(
    `INSERT INTO ${SCHEMA}.sessions (id, user_id, secret_hash, provider, factors, mfa_updated_at, expire, last_active_at, created_at, updated_at)
     SELECT x.id, x.user_id, x.hash, 'email', ARRAY['password','totp'], now(), now() + interval '1 year', now(), now(), now()
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, user_id text, hash text)`,
    [JSON.stringify(sessions.map(([id, user_id, hash]) => ({ id, user_id, hash })))],
  );
  await client.query(`ANALYZE ${SCHEMA}.users; ANALYZE ${SCHEMA}.sessions`);
  return creds;
}

// ── the TOTP second factor at the floor: its own schema, the least the rules allow (bench/README.md)
const TOTP_SCHEMA = 'bench_floor_mfa';

const TOTP_DDL = `
CREATE SCHEMA IF NOT EXISTS ${TOTP_SCHEMA};
CREATE TABLE ${TOTP_SCHEMA}.sessions (
  id varchar(36) PRIMARY KEY,
  user_id varchar(36) NOT NULL,
  secret_hash char(64) NOT NULL,
  factors text[] NOT NULL,
  mfa_updated_at timestamptz NULL,
  expire timestamptz NOT NULL
);
CREATE UNIQUE INDEX ON ${TOTP_SCHEMA}.sessions (secret_hash);
CREATE TABLE ${TOTP_SCHEMA}.totp (
  user_id varchar(36) PRIMARY KEY,
  secret text NOT NULL,
  last_step bigint NOT NULL DEFAULT 0
);
CREATE TABLE ${TOTP_SCHEMA}.challenges (
  id varchar(36) PRIMARY KEY,
  user_id varchar(36) NOT NULL,
  session_id varchar(36) NOT NULL,
  factor varchar(16) NOT NULL,
  expire timestamptz NOT NULL,
  completed_at timestamptz NULL,
  created_at timestamptz NOT NULL
);
`;

/** AES-256-GCM of a TOTP key at rest (the rules forbid it in clear): iv.tag.ct, base64url */
function sealTotpKey(aesKey, key, userId) {
  const { createCipheriv } = require('node:crypto');
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', aesKey, iv);
  c.setAAD(Buffer.from(`totp:${userId}`));
  const ct = Buffer.concat([c.update(key), c.final()]);
  return [iv, c.getAuthTag(), ct].map((b) => b.toString('base64url')).join('.');
}

/**
 * Creates the TOTP floor's tables and `count` users, each with one one-factor session and an enrolled TOTP
 * key sealed with `aesKey`; returns [{userId, cred, key (base64)}].
 */
async function seedTotpFloor(client, count, aesKey) {
  await client.query(TOTP_DDL);
  const creds = [];
  for (let base = 0; base < count; base += 5000) {
    const sessions = [];
    const totp = [];
    for (let i = base; i < Math.min(count, base + 5000); i++) {
      const userId = hex(10);
      const secret = hex(128);
      const key = randomBytes(20);
      sessions.push({ id: hex(10), user_id: userId, hash: createHash('sha256').update(secret).digest('hex') });
      totp.push({ user_id: userId, secret: sealTotpKey(aesKey, key, userId) });
      creds.push({ userId, cred: Buffer.from(JSON.stringify({ id: userId, secret })).toString('base64'), key: key.toString('base64') });
    }
    await client.query(
      `INSERT INTO ${TOTP_SCHEMA}.sessions (id, user_id, secret_hash, factors, expire)
       SELECT x.id, x.user_id, x.hash, ARRAY['password'], now() + interval '1 year'
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, user_id text, hash text)`,
      [JSON.stringify(sessions)],
    );
    await client.query(
      `INSERT INTO ${TOTP_SCHEMA}.totp (user_id, secret) SELECT x.user_id, x.secret FROM jsonb_to_recordset($1::jsonb) AS x(user_id text, secret text)`,
      [JSON.stringify(totp)],
    );
  }
  await client.query(`ANALYZE ${TOTP_SCHEMA}.sessions; ANALYZE ${TOTP_SCHEMA}.totp`);
  return creds;
}

module.exports = { SCHEMA, DDL, lookup, seedFloor, TOTP_SCHEMA, seedTotpFloor };
