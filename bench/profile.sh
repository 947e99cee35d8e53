#!/usr/bin/env bash
# Where the training step goes: runs the README's main job (or any `bin/kindling train` arguments)
# under async-profiler and splits the learner threads' CPU samples by the Kindling call site that
# led into ND4J, in ms per training step (docs/PERFORMANCE.md, profile 27). A profile, not a
# benchmark: the profiler itself slows the job by ~5-10 %.
#
# Usage: KINDLING_DATA=/path/to/datasets bench/profile.sh [bin/kindling train arguments]
#        (default: --epochs 1, the main job)
# async-profiler (tools.profiler:async-profiler on Maven Central) is fetched into the local
# Maven repository on first use; it samples native frames too, which JFR does not. Needs a build
# (mvn -B -q -o -DskipTests package) and Linux (perf_events, or its timer fallback).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version=4.1
[ $# -gt 0 ] || set -- --epochs 1
[ -d "$root/spark-job/target/lib" ] || { echo "profile: build first: mvn -B -q -o -DskipTests package" >&2; exit 2; }
case "$(uname -m)" in
  x86_64) arch=linux-x64 ;;
  aarch64) arch=linux-arm64 ;;
  *) echo "profile: async-profiler has no library for $(uname -s) $(uname -m)" >&2; exit 2 ;;
esac
out="$(mktemp -d /tmp/kindling-profile.XXXXXX)"
artifact="tools.profiler:async-profiler:$version"
# outside the project, so that Maven copies it once rather than once per module
(cd "$out" && { mvn -B -q -o dependency:copy -Dartifact="$artifact" -DoutputDirectory=. >/dev/null 2>&1 ||
  mvn -B -q dependency:copy -Dartifact="$artifact" -DoutputDirectory=. >&2; } &&
  jar xf "async-profiler-$version.jar" "$arch/libasyncProfiler.so")
lib="$out/$arch/libasyncProfiler.so"
[ -f "$lib" ] || { echo "profile: $lib not found in $artifact" >&2; exit 2; }
echo "profile: bin/kindling train $* under async-profiler $version; output in $out" >&2
# JAVA_TOOL_OPTIONS adds the agent to the launcher's own JVM options (KINDLING_JAVA_OPTS would
# replace them)
JAVA_TOOL_OPTIONS="-agentpath:$lib=start,event=cpu,interval=1ms,threads,collapsed,file=$out/profile.collapsed" \
  "$root/bin/kindling" train --output "$out/model.kindling" "$@" 2>&1 | tee "$out/train.log"
/usr/bin/python3 "$root/bench/profile_sites.py" "$out/profile.collapsed" "$out/train.log" | tee "$out/SITES.md"
