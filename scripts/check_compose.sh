#!/usr/bin/env bash
# Validate docker-compose.yml without a Docker engine: it must parse with every secret given,
# and refuse to start when one is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v docker-compose >/dev/null; then
  echo "== docker-compose not installed: compose file not checked"; exit 0
fi
export POSTGRES_PASSWORD=x CARING_SECRET_KEY=x CARING_PUBLIC_URL=https://example.invalid \
       TWILIO_ACCOUNT_SID=ACx TWILIO_AUTH_TOKEN=x
docker-compose config -q
if env -u CARING_SECRET_KEY docker-compose config -q 2>/dev/null; then
  echo "docker-compose.yml starts without CARING_SECRET_KEY: secrets must be required"; exit 1
fi
echo "== docker-compose.yml is valid and requires its secrets"
