#!/usr/bin/env bash
# Starts a real Spark standalone cluster on this machine: one Master and N Workers, all bound to 127.0.0.1,
# each Worker with its own work dir and web UI port. Waits until the Master's JSON endpoint lists N ALIVE
# workers, and fails (stopping what it started) otherwise.
#
# Usage: cluster/start-cluster.sh [--cores C] [--memory M] [--secure] N
#   --cores C    cores per worker (default 1, or $KINDLING_WORKER_CORES)
#   --memory M   memory per worker for its executors, e.g. 3g (default 2g, or $KINDLING_WORKER_MEMORY)
#   --secure     spark.authenticate with a generated secret, RPC (AES) and local-disk I/O encryption
#                (cluster/conf/spark-secure.conf.template); submit with the properties file it prints
# Environment: SPARK_HOME (default: built by cluster/spark-home.sh), KINDLING_MASTER_PORT (7077),
#   KINDLING_MASTER_UI_PORT (8090), KINDLING_WORKER_UI_PORT (8091: worker i gets 8091+i-1),
#   KINDLING_CLUSTER_STATE (cluster/target/local-cluster), KINDLING_CLUSTER_TIMEOUT (seconds, 120).
# Stop it with cluster/stop-cluster.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage="usage: start-cluster.sh [--cores C] [--memory M] [--secure] N"
cores="${KINDLING_WORKER_CORES:-1}"
memory="${KINDLING_WORKER_MEMORY:-2g}"
secure=false
n=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cores) [ $# -ge 2 ] || die "$usage"; cores="$2"; shift 2 ;;
    --memory) [ $# -ge 2 ] || die "$usage"; memory="$2"; shift 2 ;;
    --secure) secure=true; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1; $usage" ;;
    *) [ -z "$n" ] || die "$usage"; n="$1"; shift ;;
  esac
done
[ -n "$n" ] || die "$usage"
[[ "$n" =~ ^[1-9][0-9]*$ ]] || die "N (number of workers) must be a positive integer but was: $n"
[[ "$cores" =~ ^[1-9][0-9]*$ ]] || die "--cores must be a positive integer but was: $cores"
[[ "$memory" =~ ^[1-9][0-9]*[mMgG]$ ]] || die "--memory must look like 512m or 3g but was: $memory"

master_port="${KINDLING_MASTER_PORT:-7077}"
ui_port="${KINDLING_MASTER_UI_PORT:-8090}"
worker_ui_port="${KINDLING_WORKER_UI_PORT:-8091}"
timeout="${KINDLING_CLUSTER_TIMEOUT:-120}"
need java "install a Java 17 runtime"
need curl "it reads the Master's JSON endpoint"

if pid_alive "$(cat "$KINDLING_STATE/pids/master.pid" 2>/dev/null || true)"; then
  die "a cluster from $KINDLING_STATE is already running (master pid $(cat "$KINDLING_STATE/pids/master.pid")); stop it with cluster/stop-cluster.sh"
fi
for p in "$master_port" "$ui_port" $(seq "$worker_ui_port" $((worker_ui_port + n - 1))); do
  port_in_use "$p" && die "port $p on 127.0.0.1 is in use (another cluster?); choose others with KINDLING_MASTER_PORT, KINDLING_MASTER_UI_PORT, KINDLING_WORKER_UI_PORT"
done

resolve_spark_home
opens="$(kindling_opens)"
export SPARK_LOCAL_IP=127.0.0.1  # binds RPC and the web UIs to the loopback interface only
rm -rf "$KINDLING_STATE/pids" "$KINDLING_STATE/logs" "$KINDLING_STATE/work"
mkdir -p "$KINDLING_STATE/pids" "$KINDLING_STATE/logs" "$KINDLING_STATE/work"

props=()
conf_file=""
if $secure; then
  conf_file="$KINDLING_STATE/conf/spark-secure.conf"
  [ -f "$conf_file" ] || "$KINDLING_CLUSTER/secure-conf.sh" "$conf_file" >/dev/null
  props=(--properties-file "$conf_file")
fi

daemon_opts="-Xmx${KINDLING_DAEMON_MEMORY:-512m}"
master_url="spark://127.0.0.1:$master_port"
json="http://127.0.0.1:$ui_port/json/"

fail() {
  local log="$1"
  shift
  if [ -n "$log" ] && [ -f "$log" ]; then
    echo "--- last lines of $log:" >&2
    tail -n 15 "$log" >&2
  fi
  KINDLING_CLUSTER_STATE="$KINDLING_STATE" "$KINDLING_CLUSTER/stop-cluster.sh" >/dev/null 2>&1 || true
  die "$*"
}

alive_workers() {
  curl -fsS --max-time 5 "$json" 2>/dev/null | grep -o '"state" *: *"ALIVE"' | wc -l || true
}

# shellcheck disable=SC2086
nohup java $daemon_opts $opens -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port "$master_port" --webui-port "$ui_port" "${props[@]}" \
  </dev/null >"$KINDLING_STATE/logs/master.log" 2>&1 &
echo $! >"$KINDLING_STATE/pids/master.pid"
master_pid=$!

deadline=$((SECONDS + timeout))
until curl -fsS --max-time 5 "$json" >/dev/null 2>&1; do
  pid_alive "$master_pid" || fail "$KINDLING_STATE/logs/master.log" "the Master exited during start-up; see $KINDLING_STATE/logs/master.log"
  [ $SECONDS -lt $deadline ] || fail "$KINDLING_STATE/logs/master.log" "the Master's $json did not answer within ${timeout}s"
  sleep 1
done

for i in $(seq 1 "$n"); do
  mkdir -p "$KINDLING_STATE/work/worker-$i"
  # shellcheck disable=SC2086
  nohup java $daemon_opts $opens -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --cores "$cores" --memory "$memory" --work-dir "$KINDLING_STATE/work/worker-$i" \
    --webui-port $((worker_ui_port + i - 1)) "${props[@]}" "$master_url" \
    </dev/null >"$KINDLING_STATE/logs/worker-$i.log" 2>&1 &
  echo $! >"$KINDLING_STATE/pids/worker-$i.pid"
done

while [ "$(alive_workers)" -lt "$n" ]; do
  for i in $(seq 1 "$n"); do
    pid_alive "$(cat "$KINDLING_STATE/pids/worker-$i.pid")" \
      || fail "$KINDLING_STATE/logs/worker-$i.log" "worker $i exited during start-up; see $KINDLING_STATE/logs/worker-$i.log"
  done
  [ $SECONDS -lt $deadline ] \
    || fail "$KINDLING_STATE/logs/worker-1.log" "only $(alive_workers) of $n workers ALIVE at $json after ${timeout}s; logs in $KINDLING_STATE/logs"
  sleep 1
done

cat >"$KINDLING_STATE/cluster.env" <<END
KINDLING_MASTER_URL=$master_url
KINDLING_MASTER_JSON=$json
KINDLING_SECURE_CONF=$conf_file
END
echo "Spark standalone cluster: $n workers ALIVE ($cores cores, $memory each) at $master_url"
echo "  web UI http://127.0.0.1:$ui_port/  state and logs $KINDLING_STATE"
if $secure; then
  echo "  secure: submit with --properties-file $conf_file"
fi
