#!/usr/bin/env bash
# Single-worker training throughput of Kindling vs PyTorch (the peer), measured alternately in the
# same run with the same protocol (bench_train.py: synthetic data, batch 64, 2 threads, SGD 0.01).
# Needs Debian's python3-torch: apt-get install -y --no-install-recommends python3-torch libopenblas0
# Usage: bench/train_vs_pytorch.sh [rounds]   (prints each measurement and the median ratio)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"
peer="$root/../shared/reference/pytorch/bench_train.py"
[ -f "$root/spark-job/target/lib/nd4j-api-1.0.0-M2.1.jar" ] || (cd "$root" && mvn -B -q -DskipTests install)
cp="$(ls "$root"/nn-core/target/nn-core-*.jar | head -1):$root/spark-job/target/lib/*"
java_vals=(); torch_vals=()
for r in $(seq "$rounds"); do
  j=$(java -Xmx2g -cp "$cp" org.kindling.nn.bench.TrainBenchmark --threads 2 --batch 64 2>/dev/null | tail -1)
  echo "kindling: $j"
  java_vals+=("$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["train_img_s_median"])' "$j")")
  p=$(/usr/bin/python3 "$peer" --threads 2 --batch 64 --iters 50 --runs 5 2>/dev/null | tail -1)
  echo "pytorch:  ${p:0:300}"
  torch_vals+=("$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["train_img_per_s"]["median"])' "$p")")
done
python3 - "${java_vals[*]}" "${torch_vals[*]}" <<'PY'
import statistics, sys
j = [float(x) for x in sys.argv[1].split()]
t = [float(x) for x in sys.argv[2].split()]
print("kindling train img/s per round:", j)
print("pytorch  train img/s per round:", t)
ratios = [a / b for a, b in zip(j, t) if b]
print("median ratio kindling/pytorch: %.2f" % statistics.median(ratios) if ratios else "no ratio (peer output not parsed)")
PY
