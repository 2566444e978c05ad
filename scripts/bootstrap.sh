#!/usr/bin/env bash
# Create .venv with the given requirements file and compile the translations. Sourced by demo.sh and test.sh.
set -euo pipefail
requirements="$1"
python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "wage_guard needs Python 3.11 or newer" >&2; exit 1; }
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
.venv/bin/pybabel compile --directory wage_guard/translations >/dev/null
