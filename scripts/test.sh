#!/usr/bin/env bash
# Second README command: the whole test suite, including the browser e2e and the slow real-model test.
# For the fast loop while developing: .venv/bin/ruff check . && .venv/bin/pytest -m "not slow and not browser"
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
bash scripts/setup.sh dev,local
# Style first (pyproject's [tool.ruff]): a lint failure stops the run before the slow tests start.
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
