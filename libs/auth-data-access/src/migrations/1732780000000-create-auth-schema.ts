import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `auth` schema: users, sessions and verification tokens. Hand-written; TypeORM never synchronizes.
 * Runs with `search_path` set to the auth schema (see @twostep/persistence).
 */
export class CreateAuthSchema1732780000000 implements MigrationInterface {
  name = 'CreateAuthSchema1732780000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
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
        accessed_at timestamptz NULL,
        CONSTRAINT users_email_lowercase CHECK (email = lower(email)),
        CONSTRAINT users_prefs_object CHECK (jsonb_typeof(prefs) = 'object')
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON users (email)`);
    await q.query(`CREATE UNIQUE INDEX users_phone_key ON users (phone)`);
    await q.query(`CREATE INDEX users_created_at_idx ON users (created_at, id)`);

    await q.query(`
      CREATE TABLE sessions (
        id varchar(36) PRIMARY KEY,
        user_id varchar(36) NOT NULL REFERENCES users (id) ON DELETE CASCADE,
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
      )`);
    await q.query(`CREATE UNIQUE INDEX sessions_secret_hash_key ON sessions (secret_hash)`);
    await q.query(`CREATE INDEX sessions_user_created_idx ON sessions (user_id, created_at)`);

    await q.query(`
      CREATE TABLE verification_tokens (
        id varchar(36) PRIMARY KEY,
        user_id varchar(36) NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        kind varchar(16) NOT NULL CHECK (kind IN ('email', 'phone')),
        secret_hash char(64) NOT NULL,
        key_id varchar(32) NOT NULL,
        destination_hash char(64) NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        state varchar(16) NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'consumed', 'superseded', 'exhausted')),
        expire timestamptz NOT NULL,
        consumed_at timestamptz NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX verification_tokens_one_open ON verification_tokens (user_id, kind) WHERE state = 'open'`);
    await q.query(`CREATE INDEX verification_tokens_user_idx ON verification_tokens (user_id, kind, state)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS verification_tokens`);
    await q.query(`DROP TABLE IF EXISTS sessions`);
    await q.query(`DROP TABLE IF EXISTS users`);
  }
}
