#!/usr/bin/env bash
# Validate docker-compose.yml without a Docker engine: it must parse with every secret given,
# and refuse to start when one is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v docker-compose >/dev/null; then
  echo "== docker-compose not installed: compose file not checked"; exit 0
fi
export POSTGRES_PASSWORD=x CARING_SECRET_KEY=x CARING_PUBLIC_URL=https://example.invalid \
       TWILIO_ACCOUNT_SID=ACx TWILIO_AUTH_TOKEN=x CARING_LEAVING_CARE_INBOX=lc@example.invalid \
       CARING_COMPLAINTS_INBOX=c@example.invalid CARING_ADVOCACY_INBOX=a@example.invalid \
       CARING_SAFEGUARDING_INBOX=duty@example.invalid \
       CARING_SMTP_HOST=smtp.example.invalid CARING_MAIL_FROM=cp@example.invalid
docker-compose config -q
for required in CARING_SECRET_KEY CARING_LEAVING_CARE_INBOX CARING_SAFEGUARDING_INBOX CARING_SMTP_HOST; do
  if env -u "$required" docker-compose config -q 2>/dev/null; then
    echo "docker-compose.yml starts without $required: it must be required"; exit 1
  fi
done
echo "== docker-compose.yml is valid and requires its secrets"
