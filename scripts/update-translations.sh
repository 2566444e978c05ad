#!/usr/bin/env bash
# Extract every translatable string and merge it into the catalogs; translate the new entries afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pybabel extract -F babel.cfg -k _l --no-location --sort-output --project wage_guard \
  -o wage_guard/translations/messages.pot . 2>/dev/null
.venv/bin/pybabel update -i wage_guard/translations/messages.pot -d wage_guard/translations \
  --ignore-obsolete --no-fuzzy-matching
