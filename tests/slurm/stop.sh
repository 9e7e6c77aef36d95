#!/usr/bin/env bash
# Stop the one-node test cluster that tests/slurm/start.sh started (its files stay for a restart).
set -uo pipefail
DIR="${HFTUI_SLURM_DIR:-/tmp/hftui-slurm}"
stop() {  # stop NAME: TERM the daemon of pid file NAME.pid, KILL it after 10 s
  local file="$DIR/run/$1.pid" pid
  [ -f "$file" ] || return 0
  pid="$(cat "$file")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$file"
}
for daemon in slurmd slurmctld slurmdbd mariadbd munged; do stop "$daemon"; done
exit 0
