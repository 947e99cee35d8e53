#!/usr/bin/env bash
# Stops the local standalone cluster started by cluster/start-cluster.sh: each Worker (and any executor
# it left behind) and the Master, by the pids in its state folder. Does nothing if none is running.
#
# Usage: cluster/stop-cluster.sh     (KINDLING_CLUSTER_STATE selects the cluster, as for start-cluster.sh)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

pids_dir="$KINDLING_STATE/pids"
shopt -s nullglob
files=("$pids_dir"/worker-*.pid)
[ -f "$pids_dir/master.pid" ] && files+=("$pids_dir/master.pid")
if [ ${#files[@]} -eq 0 ]; then
  echo "No cluster running from $KINDLING_STATE"
  exit 0
fi

# Only a Spark daemon we started: guards against a pid reused by an unrelated process.
is_spark_daemon() {
  pid_alive "$1" && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q 'org.apache.spark.deploy.\(master.Master\|worker.Worker\)'
}

stop_pid() {
  local name="$1" pid="$2" children
  if ! is_spark_daemon "$pid"; then
    echo "$name (pid $pid) was not running"
    return 0
  fi
  children="$(pgrep -P "$pid" || true)"  # executors (CoarseGrainedExecutorBackend) of a Worker
  kill -TERM "$pid"
  for _ in $(seq 1 30); do
    pid_alive "$pid" || break
    sleep 0.5
  done
  if pid_alive "$pid"; then
    kill -KILL "$pid" 2>/dev/null || true
    echo "$name (pid $pid) did not stop in 15 s: killed"
  else
    echo "$name (pid $pid) stopped"
  fi
  for c in $children; do
    if pid_alive "$c"; then
      kill -KILL "$c" 2>/dev/null || true
      echo "  its executor (pid $c) killed"
    fi
  done
}

for f in "${files[@]}"; do
  stop_pid "$(basename "$f" .pid)" "$(cat "$f")"
  rm -f "$f"
done
rm -f "$KINDLING_STATE/cluster.env"
