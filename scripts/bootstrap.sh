#!/usr/bin/env bash
# Create .venv from the given lock file (every package pinned with its SHA-256: pip refuses anything else) and
# compile the translations. Called by demo.sh (requirements.lock) and test.sh (requirements-dev.lock); the locks
# are made from requirements*.txt by scripts/lock.sh.
set -euo pipefail
requirements="$1"
python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "wage_guard needs Python 3.11 or newer" >&2; exit 1; }
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r "$requirements"
.venv/bin/pybabel compile --directory wage_guard/translations >/dev/null
