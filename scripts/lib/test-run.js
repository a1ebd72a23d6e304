// One test run's id and the sweep at its end. Every Redis key prefix a test makes (uniqueTestPrefix in
// libs/testing) and every database it creates (createTestDatabase) carries TEST_RUN_ID, so at the end the
// run finds what its own tests left behind - and only that: other runs on the same servers (other
// engineers, CI jobs) have other ids and are never touched.
'use strict';
const { randomBytes } = require('node:crypto');

/** 8 hex characters: what uniqueTestPrefix and createTestDatabase put in every name. */
function newRunId() {
  return randomBytes(4).toString('hex');
}

/** The Redis pattern and the database name prefix of one run (must match libs/testing/src/test-infra.ts). */
function runPatterns(runId) {
  if (!/^[0-9a-f]{8}$/.test(runId)) throw new Error(`bad TEST_RUN_ID ${JSON.stringify(runId)}`);
  return { redisMatch: `t-${runId}-*`, databasePrefix: `twostep_${runId}_` };
}

/**
 * Deletes the run's Redis keys and drops its databases; returns what it found. Keys left without an
 * expiry (`persistent`) point at a test that does not clean up after itself.
 */
async function sweepRun({ runId, redisUrl, adminDatabaseUrl }) {
  const { redisMatch, databasePrefix } = runPatterns(runId);
  const Redis = require('ioredis');
  const { Client } = require('pg');
  const found = { keys: 0, persistent: 0, prefixes: new Map(), databases: [] };
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', redisMatch, 'COUNT', 1000);
      cursor = next;
      if (!keys.length) continue;
      const ttls = await Promise.all(keys.map((k) => redis.pttl(k)));
      keys.forEach((k, i) => {
        found.keys++;
        if (ttls[i] === -1) found.persistent++;
        const prefix = k.split(':')[0];
        found.prefixes.set(prefix, (found.prefixes.get(prefix) ?? 0) + 1);
      });
      await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  const pg = new Client({ connectionString: adminDatabaseUrl });
  await pg.connect();
  try {
    const { rows } = await pg.query('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [databasePrefix]);
    for (const { datname } of rows) {
      await pg.query(`DROP DATABASE IF EXISTS "${datname.replace(/"/g, '""')}" WITH (FORCE)`);
      found.databases.push(datname);
    }
  } finally {
    await pg.end();
  }
  return found;
}

/** One line for the run's log. */
function describeSweep(found) {
  const top = [...found.prefixes.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([p, n]) => `${p} ${n}`)
    .join(', ');
  return `leftovers of this run: ${found.keys} Redis keys (${found.persistent} without expiry)${top ? ` [${top}]` : ''}, ${found.databases.length} databases; deleted`;
}

module.exports = { newRunId, runPatterns, sweepRun, describeSweep };
