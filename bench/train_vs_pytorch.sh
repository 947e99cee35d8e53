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
java_vals=(); torch_vals=(); java_inf=(); torch_inf=()
for r in $(seq "$rounds"); do
  # bin/kindling's JIT and memory settings (docs/PERFORMANCE.md, profiles 12 and 19)
  j=$(env "GLIBC_TUNABLES=${GLIBC_TUNABLES:-glibc.malloc.hugetlb=1}" java -Xmx2g -XX:TieredStopAtLevel=1 -XX:+UseTransparentHugePages -cp "$cp" org.kindling.nn.bench.TrainBenchmark --threads 2 --batch 64 2>/dev/null | tail -1)
  echo "kindling: $j"
  java_vals+=("$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["train_img_s_median"])' "$j")")
  java_inf+=("$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["infer_img_s_median"])' "$j")")
  p=$(/usr/bin/python3 "$peer" --threads 2 --batch 64 --iters 50 --runs 5 2>/dev/null | tail -1)
  echo "pytorch:  $(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(json.dumps({"train_img_s_median": d["train_img_per_s"]["median"], "train_runs": d["train_img_per_s"]["runs"], "infer_img_s_median": d["infer_img_per_s"]["median"], "infer_runs": d["infer_img_per_s"]["runs"]}))' "$p")"
  torch_vals+=("$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["train_img_per_s"]["median"])' "$p")")
  torch_inf+=("$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["infer_img_per_s"]["median"])' "$p")")
done
python3 - "${java_vals[*]}" "${torch_vals[*]}" "${java_inf[*]}" "${torch_inf[*]}" <<'PY'
import statistics, sys
for name, a, b in (("train", sys.argv[1], sys.argv[2]), ("inference", sys.argv[3], sys.argv[4])):
    j = [float(x) for x in a.split()]
    t = [float(x) for x in b.split()]
    print("kindling %s img/s per round:" % name, j)
    print("pytorch  %s img/s per round:" % name, t)
    ratios = [x / y for x, y in zip(j, t) if y]
    print("median %s ratio kindling/pytorch: %.2f" % (name, statistics.median(ratios)))
PY
