#!/usr/bin/env bash
# Spark's GPU discovery script (spark.executor.resource.gpu.discoveryScript, and
# spark.worker.resource.gpu.discoveryScript on standalone Workers): prints the GPUs this executor may use as
# Spark's resource JSON, e.g. {"name":"gpu","addresses":["0","1"]}, from
#   nvidia-smi --query-gpu=index --format=csv,noheader
# Inside a YARN or Kubernetes container nvidia-smi lists only the GPUs given to the container.
# Fails (non-zero exit, one-line reason on stderr) if nvidia-smi is missing, fails, or finds no GPU:
# an executor that asked for a GPU must not start without one.
set -euo pipefail
me="getGpusResources.sh"

command -v nvidia-smi >/dev/null 2>&1 \
  || { echo "$me: nvidia-smi not found on PATH; install the NVIDIA driver on this node" >&2; exit 1; }
if ! out="$(nvidia-smi --query-gpu=index --format=csv,noheader 2>&1)"; then
  echo "$me: nvidia-smi failed: $(echo "$out" | head -n 1)" >&2
  exit 1
fi
addresses=""
while IFS= read -r line || [ -n "$line" ]; do
  index="$(echo "$line" | tr -d '[:space:]')"
  [ -n "$index" ] || continue
  if ! [[ "$index" =~ ^[0-9]+$ ]]; then
    echo "$me: expected a GPU index from nvidia-smi but got: $line" >&2
    exit 1
  fi
  addresses+="${addresses:+,}\"$index\""
done <<<"$out"
[ -n "$addresses" ] || { echo "$me: nvidia-smi listed no GPUs" >&2; exit 1; }
echo "{\"name\":\"gpu\",\"addresses\":[$addresses]}"
