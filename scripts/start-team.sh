#!/usr/bin/env bash
# Team mode (README “团队模式”): one server for a 团区委's cadres, each signing in to their own drafts.
# Refuses to start without an account. Serves on 127.0.0.1 for nginx in front (TLS); ZONGJIE_BIND=<LAN address>
# serves the office network directly (plain HTTP: passwords would cross the network unencrypted).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${ZONGJIE_PYTHON:-.venv/bin/python}"
export ZONGJIE_MODE=team
"$PY" -m zongjie team-check
# Streamlit's own Host check on the websocket (DNS rebinding), in step with the page's (ui/guard.py).
hosts=(--server.allowedHosts 127.0.0.1 --server.allowedHosts localhost --server.allowedHosts ::1)
IFS=',' read -ra extra <<< "${ZONGJIE_ALLOWED_HOSTS:-}"
for h in "${extra[@]}"; do
  h="${h// /}"
  [ -n "$h" ] && hosts+=(--server.allowedHosts "$h")
done
exec "$PY" -m streamlit run app.py --server.address "${ZONGJIE_BIND:-127.0.0.1}" --server.port "${PORT:-8501}" \
  --server.headless true --browser.gatherUsageStats false "${hosts[@]}"
