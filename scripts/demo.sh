#!/usr/bin/env bash
# Install and start wage_guard on its embedded defaults (SQLite in instance/, console SMS outbox) with demo data,
# plus the job scheduler. Stop with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh requirements.lock
export FLASK_APP=wsgi
host=${WAGE_GUARD_DEMO_HOST:-127.0.0.1}
port=${WAGE_GUARD_DEMO_PORT:-5000}
# Links in text messages sent by the scheduler (no request to take a host from) point here; on 0.0.0.0 (phones in
# the LAN) set WAGE_GUARD_PUBLIC_BASE_URL to this machine's LAN address instead.
if [ -z "${WAGE_GUARD_PUBLIC_BASE_URL:-}" ] && [ "$host" != "0.0.0.0" ]; then
  export WAGE_GUARD_PUBLIC_BASE_URL="http://$host:$port"
fi
.venv/bin/flask db upgrade
.venv/bin/flask demo seed
.venv/bin/python -m jobs &
scheduler=$!
trap 'kill "$scheduler" 2>/dev/null || true' EXIT
echo "wage_guard is at http://$host:$port/  (SMS outbox: http://$host:$port/dev/outbox)"
# gunicorn.conf.py: one worker process with threads while rate limits live in process memory (each limit exact),
# and an access log with the signing and enrolment tokens redacted.
.venv/bin/gunicorn --config gunicorn.conf.py --bind "$host:$port" wsgi:app
