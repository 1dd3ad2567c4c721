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

echo "Integration Hub on http://127.0.0.1:8000 (Ctrl-C stops everything)"
$PY manage.py runserver 127.0.0.1:8000 &
pids+=($!)
wait -n
