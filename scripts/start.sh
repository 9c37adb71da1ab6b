#!/usr/bin/env bash
# First README command: install everything (with the embedded model) and start the page on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh local
echo "打开浏览器访问 http://127.0.0.1:${PORT:-8501}"
exec .venv/bin/streamlit run app.py --server.address 127.0.0.1 --server.port "${PORT:-8501}" \
  --server.headless true --browser.gatherUsageStats false
