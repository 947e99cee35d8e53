#!/usr/bin/env bash
# Kindling on YARN (driver in the cluster: --deploy-mode cluster). Needs a Spark 3.5 distribution built
# with YARN support (spark-3.5.x-bin-hadoop3) in SPARK_HOME and the cluster's configuration in
# HADOOP_CONF_DIR; data and output on a shared file system (hdfs://, s3a:// with hadoop-aws, ...).
#
# Usage: cluster/recipes/submit-yarn.sh train --data hdfs:///datasets --output hdfs:///models/m.kindling [...]
# Settings (WORKERS, CORES, memory, GPUS, SECURE, DRY_RUN): see cluster/recipes/common.sh.
#   KINDLING_JAR  the job jar (default: spark-job/target/spark-job-*-job.jar; with GPUS>0 the -cuda-job.jar)
#   QUEUE         YARN queue (default: default)
# YARN generates a per-application secret for SECURE=1. GPUs need YARN 3.1+ with GPU scheduling
# (yarn.io/gpu); Spark asks YARN for them and runs getGpusResources.sh (shipped with --files) in the container.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ "${1:-}" = train ] || die "usage: submit-yarn.sh train [train options]"
shift
if [ "${DRY_RUN:-0}" != 1 ]; then
  [ -n "${SPARK_HOME:-}" ] && [ -x "$SPARK_HOME/bin/spark-submit" ] \
    || die "YARN needs a Spark distribution with YARN support: set SPARK_HOME to spark-3.5.x-bin-hadoop3"
  [ -n "${HADOOP_CONF_DIR:-${YARN_CONF_DIR:-}}" ] || die "set HADOOP_CONF_DIR to the YARN cluster's configuration"
fi
if [ "$GPUS" -gt 0 ]; then
  default_jar="$(ls "$KINDLING_ROOT"/spark-job/target/spark-job-*-cuda-job.jar 2>/dev/null | head -n 1)"
else
  default_jar="$(ls "$KINDLING_ROOT"/spark-job/target/spark-job-*-job.jar 2>/dev/null | grep -v cuda-job | head -n 1)"
fi
jar="${KINDLING_JAR:-$default_jar}"
[ -f "$jar" ] || die "no job jar at '${jar}'; build it (mvn -Pdist, or .ci/cuda-package for GPUs) or set KINDLING_JAR"

kindling_confs confs
confs+=(--master yarn --deploy-mode cluster --queue "${QUEUE:-default}" --num-executors "$WORKERS")
[ "$GPUS" -gt 0 ] && confs+=(--files "$KINDLING_CLUSTER/gpu/getGpusResources.sh")
kindling_train_args targs "$@"
run_or_print "$KINDLING_CLUSTER/spark-submit" "${confs[@]}" "$jar" train "${targs[@]}"
