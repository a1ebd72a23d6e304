#!/bin/sh
# Writes the secrets docker-compose.yml reads (./secrets/*) once; existing files are kept.
# Back up ./secrets: without mfa_encryption_key the enrolled authenticators cannot be read.
# The directory is private to you (700); the files are 644 because Compose bind-mounts them as they are and
# the services run as the image's `node` user, which must read them.
set -eu
cd "$(dirname "$0")/.."
mkdir -p secrets
chmod 700 secrets
umask 022
write() { [ -s "secrets/$1" ] || { printf '%s\n' "$2" > "secrets/$1"; echo "wrote secrets/$1"; }; }
write postgres_password "$(openssl rand -hex 24)"
write database_url "postgres://${POSTGRES_USER:-twostep}:$(cat secrets/postgres_password)@postgres:5432/${POSTGRES_DB:-twostep}"
write app_api_key "$(openssl rand -hex 32)"
write mfa_encryption_key "$(openssl rand -base64 32)"
write queue_encryption_key "$(openssl rand -base64 32)"
write mfa_rpc_key "$(openssl rand -base64 32)"
write jwt_signing_key "$(openssl rand -base64 32)"
