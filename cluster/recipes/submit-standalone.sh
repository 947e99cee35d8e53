#!/usr/bin/env bash
# Kindling on a Spark standalone cluster (the driver runs here, in client mode).
#
# Usage: MASTER=spark://HOST:7077 cluster/recipes/submit-standalone.sh train --data URI --output URI [...]
# Settings (WORKERS, CORES, memory, GPUS, SECURE, DRY_RUN): see cluster/recipes/common.sh.
#   KINDLING_JAR   the job jar (default: spark-job/target/spark-job-*-job.jar, built by mvn -Pdist)
#   SECURE_CONF    with SECURE=1: the properties file holding the cluster's shared secret
#                  (cluster/secure-conf.sh; the same file the Master and Workers were started with)
# GPUs on standalone: each Worker must offer them (spark.worker.resource.gpu.amount and
# spark.worker.resource.gpu.discoveryScript=cluster/gpu/getGpusResources.sh in the Worker's properties).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ -n "${MASTER:-}" ] || die "set MASTER, e.g. MASTER=spark://127.0.0.1:7077"
[[ "$MASTER" == spark://* ]] || die "MASTER must be spark://HOST:PORT for standalone but was: $MASTER"
[ "${1:-}" = train ] || die "usage: MASTER=spark://HOST:7077 submit-standalone.sh train [train options]"
shift
jar="${KINDLING_JAR:-$(ls "$KINDLING_ROOT"/spark-job/target/spark-job-*-job.jar 2>/dev/null | grep -v cuda-job | head -n 1)}"
[ -f "$jar" ] || die "no job jar at '${jar}'; build it with mvn -Pdist -DskipTests package or set KINDLING_JAR"

kindling_confs confs
confs+=(--master "$MASTER" --total-executor-cores $((WORKERS * CORES)))
[ "$GPUS" -gt 0 ] && confs+=(--conf "spark.executor.resource.gpu.discoveryScript=$KINDLING_CLUSTER/gpu/getGpusResources.sh")
if [ "${SECURE:-0}" = 1 ]; then
  [ -f "${SECURE_CONF:-}" ] || die "SECURE=1 on standalone needs SECURE_CONF=<properties file with the cluster's secret>"
  confs+=(--properties-file "$SECURE_CONF")
fi
kindling_train_args targs "$@"
run_or_print "$KINDLING_CLUSTER/spark-submit" "${confs[@]}" "$jar" train "${targs[@]}"
