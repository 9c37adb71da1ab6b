#!/usr/bin/env bash
# Create .venv and install zongjie with the extras named in $1 (e.g. "local" or "dev,local").
# pip keeps the llama-cpp-python wheel it builds (about 7 minutes on 2 cores) in its cache, so
# only the first install on a machine pays for the build.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-local}"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --upgrade pip
fi
.venv/bin/pip install --quiet --progress-bar off -e ".[${extras}]"
if [[ ",${extras}," == *",local,"* ]]; then
  .venv/bin/python -m zongjie prepare-model >/dev/null
fi
