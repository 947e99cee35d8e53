#!/usr/bin/env bash
# The benchmark suite: every contender alternates with its peer in one run, on this machine, now.
#   1. single step (train and inference img/s): nn-core TrainBenchmark vs PyTorch bench_train.py
#      (synthetic data, batch 64, 2 threads, SGD 0.01)
#   2. whole epoch incl. test evaluation: the README's main job (bin/kindling train --epochs 1) vs
#      PyTorch bench_train.py --data DIR --epochs 1 (same recipe: batch 64, SGD lr 0.01, 2 threads)
#   3. Spark overhead: parameter averaging at k = 4 vs the same nn-core learner looping over the
#      same records without Spark (bench/SparkOverhead.java)
#   4. against DL4J's own Spark trainer (ParameterAveragingTrainingMaster, dl4j-spark 1.0.0-M2) on
#      the same DL4J network, data, k, batch and workers (bench/Dl4jSparkPeer.java), 1 and 2 workers,
#      with the ceiling: the same learners stepping through the same batches without Spark
#   5. time to accuracy and memory (once, not per rep): PyTorch 10 epochs sets the target accuracy;
#      the main job with 1 and 2 workers, peak RSS per epoch (bench/tta.py)
# Prints medians, spreads and ratios, and writes the results section of docs/PERFORMANCE.md
# (machine, load, date, command); a subset (--only) writes RESULTS.md in its raw-output folder
# instead, so the full run of record stays. Benchmarks only: nothing here is a test.
#
# Usage: KINDLING_DATA=/path/to/datasets bench/run.sh [reps=3] [--only step|epoch|spark|dl4j|tta]...
# Needs a build (mvn -B -q -o -DskipTests package) and Debian's python3-torch
# (apt-get install -y --no-install-recommends python3-torch libopenblas0).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
reps=3
only=()
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only+=("$2"); shift 2 ;;
    *) reps="$1"; shift ;;
  esac
done
want() { [ ${#only[@]} -eq 0 ] || [[ " ${only[*]} " == *" $1 "* ]]; }
data="${KINDLING_DATA:-$root/../shared/datasets}"
peer="${KINDLING_TORCH_PEER:-$root/../shared/reference/pytorch/bench_train.py}"
py=/usr/bin/python3
cifar="$data"  # bench_train.py wants the folder with the .bin files (or its parent)
for d in "$data/cifar10/cifar-10-batches-bin" "$data/cifar-10-batches-bin"; do
  [ -f "$d/test_batch.bin" ] && { cifar="$d"; break; }
done
$py -c 'import torch' 2>/dev/null || { echo "bench: $py cannot import torch (apt-get install -y python3-torch)" >&2; exit 2; }
[ -d "$root/spark-job/target/lib" ] || { echo "bench: build first: mvn -B -q -o -DskipTests package" >&2; exit 2; }
jar=("$root"/spark-job/target/spark-job-*-SNAPSHOT.jar)
cp="${jar[0]}:$root/spark-job/target/lib/*"
opens="$(sed -n 's:.*<spark.java17.opens>\(.*\)</spark.java17.opens>.*:\1:p' "$root/pom.xml")"
out="$(mktemp -d /tmp/kindling-bench.XXXXXX)"
results="$out/results.jsonl"
: > "$results"
load() { cut -d' ' -f1-3 /proc/loadavg; }
# Kindling-only JVMs (the step, Spark overhead) run with bin/kindling's JIT and memory settings: C1
# only (docs/PERFORMANCE.md, profile 12), transparent huge pages for the heap and glibc's malloc
# (profile 19) and G1's heap free ratios (profile 21); the DL4J comparison shares one JVM between
# both trainers and keeps the JVM's defaults.
jit="-XX:TieredStopAtLevel=1 -XX:+UseTransparentHugePages -XX:MaxHeapFreeRatio=30 -XX:MinHeapFreeRatio=10"
kenv="GLIBC_TUNABLES=${GLIBC_TUNABLES:-glibc.malloc.hugetlb=1}"
rec() { echo "$1" >> "$results"; echo "  $1" >&2; }
echo "bench: $reps rep(s), raw output in $out, load $(load)" >&2
start_load="$(load)"
start_date="$(date -u '+%Y-%m-%d %H:%M UTC')"

for r in $(seq "$reps"); do
  if want step; then
    echo "[rep $r] single step" >&2
    l=$(load)
    j=$(env "$kenv" java -Xmx2g $jit -cp "$cp" org.kindling.nn.bench.TrainBenchmark --threads 2 --batch 64 2>/dev/null | tail -1)
    rec "{\"bench\": \"step\", \"impl\": \"kindling\", \"rep\": $r, \"load\": \"$l\", \"result\": $j}"
    l=$(load)
    p=$($py "$peer" --threads 2 --batch 64 --iters 50 --runs 5 2> "$out/pytorch-step-$r.log" | tail -1)
    rec "{\"bench\": \"step\", \"impl\": \"pytorch\", \"rep\": $r, \"load\": \"$l\", \"result\": $($py -c 'import json,sys; d=json.loads(sys.argv[1]); print(json.dumps({"train_img_s_median": d["train_img_per_s"]["median"], "train_img_s_all": d["train_img_per_s"]["runs"], "infer_img_s_median": d["infer_img_per_s"]["median"], "infer_img_s_all": d["infer_img_per_s"]["runs"]}))' "$p")}"
  fi
  if want epoch; then
    echo "[rep $r] whole epoch" >&2
    l=$(load)
    t0=$(date +%s.%N)
    KINDLING_DATA="$data" "$root/bin/kindling" train --epochs 1 --output "$out/model-$r.kindling" > "$out/kindling-epoch-$r.log" 2>&1
    wall=$(echo "$(date +%s.%N) - $t0" | bc)
    line=$(grep -E '^epoch 1/1 done in' "$out/kindling-epoch-$r.log")
    secs=$(echo "$line" | sed -E 's/.*done in ([0-9.]+) s.*/\1/')
    acc=$(echo "$line" | sed -E 's/.*test accuracy ([0-9.]+)%.*/\1/')
    rec "{\"bench\": \"epoch\", \"impl\": \"kindling\", \"rep\": $r, \"load\": \"$l\", \"epoch_s\": $secs, \"test_acc_pct\": $acc, \"process_wall_s\": $wall}"
    l=$(load)
    t0=$(date +%s.%N)
    p=$($py "$peer" --data "$cifar" --epochs 1 --threads 2 --batch 64 --lr 0.01 2> "$out/pytorch-epoch-$r.log" | tail -1)
    wall=$(echo "$(date +%s.%N) - $t0" | bc)
    rec "{\"bench\": \"epoch\", \"impl\": \"pytorch\", \"rep\": $r, \"load\": \"$l\", $($py -c 'import json,sys; d=json.loads(sys.argv[1])["per_epoch"][0]; print("\"epoch_s\": %.2f, \"train_s\": %s, \"eval_s\": %s, \"test_acc_pct\": %.2f" % (d["train_s"] + d["eval_s"], d["train_s"], d["eval_s"], 100 * d["test_acc"]))' "$p"), \"process_wall_s\": $wall}"
  fi
done
if want spark; then
  echo "Spark overhead ($reps alternating reps in one JVM)" >&2
  l=$(load)
  s=$(env "$kenv" java -Xmx6g $jit $opens -Dlog4j2.configurationFile="$root/bin/log4j2.properties" -cp "$cp" \
        "$root/bench/SparkOverhead.java" --data "$data" --reps "$reps" 2> "$out/spark-overhead.log" | tail -1)
  rec "{\"bench\": \"spark\", \"load\": \"$l\", \"result\": $s}"
fi
if want dl4j; then
  echo "DL4J's own Spark trainer, 1 and 2 workers ($reps alternating reps in one JVM each)" >&2
  (cd "$root/bench/dl4j-peer" && mvn -B -q -Djavacpp.platform=linux-x86_64 dependency:copy-dependencies -DoutputDirectory=target/lib)
  peer_cp=""
  for j in "$root"/bench/dl4j-peer/target/lib/*.jar; do
    a=$(basename "$j" | sed -E 's/-[0-9].*$//')   # artifact name; Kindling's own version wins
    compgen -G "$root/spark-job/target/lib/$a-[0-9]*.jar" >/dev/null || peer_cp="$peer_cp:$j"
  done
  # compiled, not source-launched: Spark deserialises the program's lambdas in its tasks
  javac -nowarn -d "$out/dl4j-peer-classes" -cp "$cp$peer_cp" "$root/bench/Dl4jSparkPeer.java"
  for w in 1 2; do
    l=$(load)
    s=$(java -Xmx6g $opens -Dlog4j2.configurationFile="$root/bin/log4j2.properties" -cp "$out/dl4j-peer-classes:$cp$peer_cp" \
          Dl4jSparkPeer --data "$data" --workers "$w" --reps "$reps" 2> "$out/dl4j-peer-w$w.log" | tail -1)
    rec "{\"bench\": \"dl4j\", \"load\": \"$l\", \"result\": $s}"
  done
fi
if want tta; then
  echo "time to accuracy and memory (one run: PyTorch 10 epochs, Kindling 12 epochs with 1 and 2 workers)" >&2
  l=$(load)
  t=$($py "$root/bench/tta.py" --cifar "$cifar" --data "$data" --kindling "$root/bin/kindling" --peer "$peer" --out "$out" | tail -1)
  rec "{\"bench\": \"tta\", \"load\": \"$l\", \"result\": $t}"
fi
end_load="$(load)"
command="bench/run.sh $reps" # as it was typed: one --only per subset
for o in ${only[@]+"${only[@]}"}; do command="$command --only $o"; done
$py "$root/bench/report.py" "$results" --root "$root" --command "$command" \
  --start-load "$start_load" --end-load "$end_load" --date "$start_date" --raw "$out" \
  ${only[*]:+--subset}
