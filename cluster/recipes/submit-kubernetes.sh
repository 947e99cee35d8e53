#!/usr/bin/env bash
# Kindling on Kubernetes: driver and executors run as pods from the kindling image
# (cluster/docker/Dockerfile.cpu, or Dockerfile.gpu for GPUS>0). Needs a Spark 3.5 distribution in
# SPARK_HOME (spark-submit with the Kubernetes client), a service account that may create pods, and data
# and output on a shared file system the image can read (hdfs://; s3a:// needs hadoop-aws in the image).
#
# Usage: K8S_API=https://HOST:6443 IMAGE=registry/kindling:cpu cluster/recipes/submit-kubernetes.sh \
#          train --data hdfs://nn:8020/datasets --output hdfs://nn:8020/models/m.kindling [...]
# Settings (WORKERS, CORES, memory, GPUS, SECURE, DRY_RUN): see cluster/recipes/common.sh.
#   NAMESPACE (default), SERVICE_ACCOUNT (spark)
# Kubernetes generates a per-application secret for SECURE=1. GPUS>0 requests nvidia.com/gpu per executor
# (NVIDIA device plugin) and discovers them with /opt/kindling/getGpusResources.sh in the image.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ "${1:-}" = train ] || die "usage: K8S_API=... IMAGE=... submit-kubernetes.sh train [train options]"
shift
[ -n "${K8S_API:-}" ] || die "set K8S_API to the Kubernetes API server, e.g. https://10.0.0.1:6443"
[ -n "${IMAGE:-}" ] || die "set IMAGE to the kindling image built from cluster/docker/Dockerfile.cpu or .gpu"
if [ "${DRY_RUN:-0}" != 1 ]; then
  [ -n "${SPARK_HOME:-}" ] && [ -x "$SPARK_HOME/bin/spark-submit" ] \
    || die "Kubernetes needs a Spark distribution (spark-3.5.x-bin-hadoop3): set SPARK_HOME"
fi

GPU_DISCOVERY_SCRIPT=/opt/kindling/getGpusResources.sh
EXTRA_EXECUTOR_JAVA_OPTIONS="-Dorg.bytedeco.javacpp.cachedir=/opt/kindling/javacpp-cache${EXTRA_EXECUTOR_JAVA_OPTIONS:+ $EXTRA_EXECUTOR_JAVA_OPTIONS}"
kindling_confs confs
confs+=(
  --master "k8s://$K8S_API" --deploy-mode cluster --name kindling-train
  --conf "spark.executor.instances=$WORKERS"
  --conf "spark.kubernetes.container.image=$IMAGE"
  --conf "spark.kubernetes.namespace=${NAMESPACE:-default}"
  --conf "spark.kubernetes.authenticate.driver.serviceAccountName=${SERVICE_ACCOUNT:-spark}"
  --conf "spark.driver.extraJavaOptions=-Dorg.bytedeco.javacpp.cachedir=/opt/kindling/javacpp-cache"
)
[ "$GPUS" -gt 0 ] && confs+=(--conf spark.executor.resource.gpu.vendor=nvidia.com)
kindling_train_args targs "$@"
run_or_print "$KINDLING_CLUSTER/spark-submit" "${confs[@]}" local:///opt/kindling/kindling-job.jar train "${targs[@]}"
