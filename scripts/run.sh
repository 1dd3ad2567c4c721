#!/usr/bin/env bash
# Starts every process the hub needs, restarts any that dies, and stops them
# all on Ctrl-C (SIGINT), SIGTERM or SIGHUP.
#
# Environment: WEB_PORT (default 8000) is where the web app listens; the
# sandbox listens on SANDBOX_URL's port (from .env, or DJANGO_ENV_FILE's file).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
WEB_PORT=${WEB_PORT:-8000}
RESTART_DELAY=1       # seconds before restarting a process that died...
RESTART_DELAY_MAX=30  # ...doubling up to this while it keeps dying
STABLE_SECONDS=30     # a process that ran this long before dying counts as healthy again
STOP_SECONDS=10       # on stop, a process still running this long after SIGTERM gets SIGKILL

say() { echo "run.sh: $*" >&2; }

# How a process ended, from its wait status.
describe() {
  if (($1 > 128)); then
    echo "was killed by SIG$(kill -l $(($1 - 128)))"
  else
    echo "exited with status $1"
  fi
}

# SIGTERM to a process group, then SIGKILL if its leader is still there after
# STOP_SECONDS (runserver's autoreloader has a child in its group).
stop_group() {
  local pid=$1 tries=$((STOP_SECONDS * 5))
  kill -TERM -- "-$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null && ((tries-- > 0)); do sleep 0.2; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# supervise NAME COMMAND...: run COMMAND and start it again after a pause
# whenever it exits; SIGTERM (or SIGHUP) stops it for good. Job control puts
# COMMAND in its own process group, so a Ctrl-C reaches only this script, which
# stops everything in order (a worker that saw the Ctrl-C itself would just exit
# and be restarted).
supervise() {
  local name=$1 delay=$RESTART_DELAY child="" started status
  shift
  set -m
  trap '' INT  # job control would let a Ctrl-C kill this loop and orphan COMMAND
  trap 'for pid in $(jobs -p); do stop_group "$pid"; done 2>/dev/null; exit 0' TERM HUP
  while true; do
    started=$SECONDS
    "$@" </dev/null &
    child=$!
    say "started $name (pid $child)"
    status=0
    wait "$child" 2>/dev/null || status=$?  # (bash's own "Killed" line is left out)
    kill -TERM -- "-$child" 2>/dev/null || true  # what it left behind would hold its port
    if ((SECONDS - started >= STABLE_SECONDS)); then delay=$RESTART_DELAY; fi
    say "$name (pid $child) $(describe "$status"); restarting it in ${delay}s"
    sleep "$delay" &
    wait $! || true
    delay=$((delay * 2 > RESTART_DELAY_MAX ? RESTART_DELAY_MAX : delay * 2))
  done
}

supervisors=()
stop_all() {
  trap - INT TERM HUP EXIT
  say "stopping every process"
  for pid in "${supervisors[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
}
trap 'stop_all; exit 0' INT TERM HUP
trap stop_all EXIT

# The sandbox (fake provider APIs) runs beside the app when SANDBOX_URL is set;
# it seeds its own SQLite file on first start and listens on SANDBOX_URL's port.
sandbox_url=$($PY manage.py sandbox_url)
if [[ -n "$sandbox_url" ]]; then
  echo "Sandbox provider APIs on $sandbox_url"
  supervise sandbox $PY manage.py run_sandbox --seed-if-empty &
  supervisors+=($!)
fi

# Default connections from .env (the sandbox for providers without credentials).
$PY manage.py connections_from_env

# Background work: one database-backed worker, and the scheduler that enqueues
# due syncs and outbox deliveries.
supervise worker $PY manage.py db_worker --no-reload &
supervisors+=($!)
supervise scheduler $PY manage.py run_scheduler &
supervisors+=($!)

echo "Integration Hub on http://127.0.0.1:$WEB_PORT (Ctrl-C stops everything)"
supervise web $PY manage.py runserver "127.0.0.1:$WEB_PORT" &
supervisors+=($!)
wait
