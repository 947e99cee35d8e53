#!/usr/bin/env bash
# Measures the memory of one Kindling worker (CPU backend, SGD with momentum, 3 training steps) for each
# model at two batch sizes, one JVM each, and prints a table: peak resident set, Java heap, and JavaCPP's
# tracked native bytes. The README's executor sizing comes from this. Needs a built checkout
# (mvn -DskipTests package). Heavy: vgg16 at 224x224 takes minutes and several GB.
#
# Usage: cluster/memory/measure-memory.sh [MODEL:BATCH ...]   (default: the README's table)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cp="$KINDLING_ROOT/nn-core/target/classes:$KINDLING_ROOT/spark-job/target/lib/*"
[ -d "$KINDLING_ROOT/nn-core/target/classes" ] && [ -d "$KINDLING_ROOT/spark-job/target/lib" ] \
  || die "build first: mvn -B -q -DskipTests package"
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(cifarnet:64 cifarnet:256 resnet18:8 resnet18:32 vgg16:4 vgg16:16)
printf 'model\tbatch\tparams\tRSS after init MiB\tpeak RSS MiB\theap committed MiB\theap used MiB\tJavaCPP tracked MiB\ts/step\tJavaCPP maxbytes/maxphysicalbytes MiB\n'
for c in "${cases[@]}"; do
  java -Xmx${KINDLING_MEASURE_XMX:-2g} -cp "$cp" "$KINDLING_CLUSTER/memory/MeasureMemory.java" "${c%%:*}" "${c##*:}" 2>/dev/null \
    || die "measuring $c failed (rerun it alone to see why)"
done
