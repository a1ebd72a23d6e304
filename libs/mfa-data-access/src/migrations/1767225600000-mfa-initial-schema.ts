import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `mfa` schema: TOTP authenticators, challenges, recovery codes and failure budgets.
 * Hand-written; the entities in ../entities mirror it.
 */
export class MfaInitialSchema1767225600000 implements MigrationInterface {
  name = 'MfaInitialSchema1767225600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE mfa.totp_authenticators (
        user_id           varchar(64)  PRIMARY KEY,
        authenticator_id  varchar(32)  NOT NULL,
        secret_encrypted  text         NOT NULL,
        verified          boolean      NOT NULL DEFAULT false,
        last_step         bigint       NULL CHECK (last_step >= 0),
        created_at        timestamptz  NOT NULL,
        verified_at       timestamptz  NULL
      )`);
    await q.query(`
      CREATE TABLE mfa.challenges (
        id                   varchar(32)  PRIMARY KEY,
        user_id              varchar(64)  NOT NULL,
        session_id           varchar(64)  NOT NULL,
        factor               varchar(16)  NOT NULL CHECK (factor IN ('totp', 'email', 'phone', 'recoveryCode')),
        state                varchar(16)  NOT NULL DEFAULT 'open'
                             CHECK (state IN ('open', 'consumed', 'exhausted', 'superseded', 'delivery_failed')),
        code_hash            varchar(128) NULL,
        attempts             smallint     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        created_at           timestamptz  NOT NULL,
        expires_at           timestamptz  NOT NULL,
        closed_at            timestamptz  NULL,
        delivery_channel     varchar(8)   NULL CHECK (delivery_channel IN ('email', 'sms')),
        delivery_status      varchar(16)  NULL CHECK (delivery_status IN ('queued', 'sent', 'failed', 'dropped')),
        delivery_reason      varchar(64)  NULL,
        delivery_updated_at  timestamptz  NULL,
        CHECK (expires_at > created_at),
        CHECK ((factor IN ('email', 'phone')) = (code_hash IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX challenges_user_factor_open_idx ON mfa.challenges (user_id, factor) WHERE state = 'open'`);
    await q.query(`CREATE INDEX challenges_user_expires_idx ON mfa.challenges (user_id, expires_at)`);
    await q.query(`
      CREATE TABLE mfa.recovery_codes (
        id              varchar(32)  PRIMARY KEY,
        user_id         varchar(64)  NOT NULL,
        position        smallint     NOT NULL,
        code_hash       varchar(128) NOT NULL,
        code_encrypted  text         NOT NULL,
        created_at      timestamptz  NOT NULL,
        used_at         timestamptz  NULL
      )`);
    await q.query(`CREATE INDEX recovery_codes_user_idx ON mfa.recovery_codes (user_id)`);
    await q.query(`
      CREATE TABLE mfa.failure_budgets (
        user_id       varchar(64)  NOT NULL,
        factor        varchar(16)  NOT NULL CHECK (factor IN ('totp', 'email', 'phone', 'recoveryCode')),
        failures      integer      NOT NULL DEFAULT 0 CHECK (failures >= 0),
        locked_until  timestamptz  NULL,
        updated_at    timestamptz  NOT NULL,
        PRIMARY KEY (user_id, factor)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS mfa.failure_budgets`);
    await q.query(`DROP TABLE IF EXISTS mfa.recovery_codes`);
    await q.query(`DROP TABLE IF EXISTS mfa.challenges`);
    await q.query(`DROP TABLE IF EXISTS mfa.totp_authenticators`);
  }
}
