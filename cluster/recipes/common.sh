# Sourced by the submit-*.sh recipes: the spark-submit settings every Kindling job needs, from environment
# variables (all optional):
#   WORKERS=2             Kindling workers = executors (one training task each; passed as train --workers)
#   CORES=1               cores per executor = spark.task.cpus = ND4J threads per worker
#   EXECUTOR_MEMORY_MB=2048   executor heap (spark.executor.memory)
#   OVERHEAD_MB=2048      off-heap room for ND4J (spark.executor.memoryOverhead); size it with the table
#                         in cluster/README.md, "Executor memory"
#   DRIVER_MEMORY_MB=2048 driver heap (holds the model, optimizer state and one averaging result)
#   GPUS=0                GPUs per executor (1 task per GPU); needs the -Pcuda job jar / kindling:gpu image
#   SECURE=0              1: spark.authenticate + AES RPC encryption + local-disk encryption
#   DRY_RUN=0             1: print the spark-submit command instead of running it
# Not executable on its own.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

WORKERS="${WORKERS:-2}"
CORES="${CORES:-1}"
EXECUTOR_MEMORY_MB="${EXECUTOR_MEMORY_MB:-2048}"
OVERHEAD_MB="${OVERHEAD_MB:-2048}"
DRIVER_MEMORY_MB="${DRIVER_MEMORY_MB:-2048}"
GPUS="${GPUS:-0}"
for v in WORKERS CORES EXECUTOR_MEMORY_MB OVERHEAD_MB DRIVER_MEMORY_MB; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer but was: ${!v}"
done
[[ "$GPUS" =~ ^[0-9]+$ ]] || die "GPUS must be 0 or a positive integer but was: $GPUS"
[ "$OVERHEAD_MB" -ge 384 ] || die "OVERHEAD_MB must be >= 384 (Spark's minimum) but was: $OVERHEAD_MB"

# JavaCPP's limit on the executor's whole resident memory (heap included), just under the container's
# limit (heap + overhead): ND4J then fails with a Java OutOfMemoryError naming the limit instead of the
# container being killed. Its default, 4 x -Xmx, is too small for large models.
max_physical_mb=$((EXECUTOR_MEMORY_MB + OVERHEAD_MB - 256))

kindling_confs() {
  # spark-submit arguments shared by all cluster managers, into the array named by $1
  local -n out="$1"
  out=(
    --class org.kindling.spark.cli.KindlingCli
    --driver-memory "${DRIVER_MEMORY_MB}m"
    --executor-memory "${EXECUTOR_MEMORY_MB}m"
    --executor-cores "$CORES"
    --conf "spark.task.cpus=$CORES"
    --conf "spark.executor.memoryOverhead=${OVERHEAD_MB}m"
    --conf "spark.executor.extraJavaOptions=-Dorg.bytedeco.javacpp.maxphysicalbytes=${max_physical_mb}m -Dorg.bytedeco.javacpp.maxbytes=${max_physical_mb}m -XX:+UseTransparentHugePages -XX:MaxHeapFreeRatio=30 -XX:MinHeapFreeRatio=10${EXTRA_EXECUTOR_JAVA_OPTIONS:+ $EXTRA_EXECUTOR_JAVA_OPTIONS}"
    # (heap free ratios: the collection between epochs then shrinks the heap; cluster/README.md)
    # huge pages for glibc's malloc, which holds ND4J's arrays (as bin/kindling; cluster/README.md)
    --conf "spark.executorEnv.GLIBC_TUNABLES=glibc.malloc.hugetlb=1"
  )
  if [ "$GPUS" -gt 0 ]; then
    out+=(
      --conf "spark.executor.resource.gpu.amount=$GPUS"
      --conf "spark.task.resource.gpu.amount=1"
      --conf "spark.executor.resource.gpu.discoveryScript=${GPU_DISCOVERY_SCRIPT:-./getGpusResources.sh}"
    )
  fi
  if [ "${SECURE:-0}" = 1 ]; then
    out+=(
      --conf spark.authenticate=true
      --conf spark.network.crypto.enabled=true
      --conf spark.network.crypto.saslFallback=false
      --conf spark.io.encryption.enabled=true
      --conf spark.ui.killEnabled=false
    )
  fi
}

# train arguments: the caller's, plus --workers $WORKERS unless given
kindling_train_args() {
  local -n args_out="$1"
  shift
  args_out=("$@")
  case " $* " in
    *" --workers "* | *" --workers="*) ;;
    *) args_out+=(--workers "$WORKERS") ;;
  esac
}

run_or_print() {
  if [ "${DRY_RUN:-0}" = 1 ]; then
    printf '%q ' "$@"
    echo
  else
    exec "$@"
  fi
}
