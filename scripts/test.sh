#!/usr/bin/env bash
# Install the test tools (and, as root, the Debian packages the tests need) and run the whole suite: lint, types,
# tests (SQLite by default; set WAGE_GUARD_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test for
# PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
bash scripts/bootstrap.sh requirements-dev.lock
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
