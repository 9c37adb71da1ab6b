#!/usr/bin/env bash
# Second README command: the whole test suite, including the browser e2e and the slow real-model test.
# For the fast loop while developing: .venv/bin/pytest -m "not slow and not browser"
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
bash scripts/setup.sh dev,local
exec .venv/bin/python -m pytest "$@"
