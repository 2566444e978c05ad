#!/usr/bin/env bash
# Re-make the hash-locked dependency files after changing requirements.txt or requirements-dev.txt:
# requirements.lock (the app) and requirements-dev.lock (the app and the test tools), with pip-tools' pip-compile.
# Both README commands install from them with --require-hashes. Takes a few minutes (it hashes every file).
set -euo pipefail
cd "$(dirname "$0")/.."
tools=$(mktemp -d)
python3 -m venv "$tools"
"$tools/bin/python" -m pip install --quiet --disable-pip-version-check pip-tools
for name in requirements requirements-dev; do
  "$tools/bin/pip-compile" --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
    --no-emit-find-links --output-file="$name.lock" "$name.txt"
done
rm -rf "$tools"
