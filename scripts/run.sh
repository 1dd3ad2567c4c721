#!/usr/bin/env bash
# Starts every process the hub needs and stops them all on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

pids=()
stop_all() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all INT TERM EXIT

# The sandbox (fake provider APIs) runs beside the app when SANDBOX_URL is set;
# it seeds its own SQLite file on first start and listens on SANDBOX_URL's port.
sandbox_url=$($PY manage.py sandbox_url)
if [[ -n "$sandbox_url" ]]; then
  echo "Sandbox provider APIs on $sandbox_url"
  $PY manage.py run_sandbox --seed-if-empty &
  pids+=($!)
fi

# Default connections from .env (the sandbox for providers without credentials).
$PY manage.py connections_from_env

# Background work: one database-backed worker, and the scheduler that enqueues
# due syncs and outbox deliveries.
$PY manage.py db_worker --no-reload &
pids+=($!)
$PY manage.py run_scheduler &
pids+=($!)

echo "Integration Hub on http://127.0.0.1:8000 (Ctrl-C stops everything)"
$PY manage.py runserver 127.0.0.1:8000 &
pids+=($!)
wait -n
