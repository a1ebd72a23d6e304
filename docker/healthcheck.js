#!/usr/bin/env node
// Health check for the service images (Dockerfile HEALTHCHECK and the compose healthchecks):
// exits 0 when GET http://127.0.0.1:<port><path> answers 200, else 1.
//   node docker/healthcheck.js <variable holding the port> <default port> [path, default /health/ready]
// e.g. `node docker/healthcheck.js HEALTH_PORT 3010` (auth-api's management port), `... HEALTH_PORT 3011` (mfa-service).
'use strict';
const [, , portVariable, defaultPort, path = '/health/ready'] = process.argv;
const port = process.env[portVariable] || defaultPort;
fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(3000) }).then(
  (res) => process.exit(res.status === 200 ? 0 : 1),
  () => process.exit(1),
);
