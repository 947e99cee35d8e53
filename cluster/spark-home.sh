#!/usr/bin/env bash
# Builds a SPARK_HOME whose jars/ holds Spark 3.5.9's runtime jars (spark-core, spark-sql, spark-mllib for
# Scala 2.12 and everything they need, ~170 jars, ~250 MB), resolved by Maven from cluster/spark-runtime/pom.xml.
# No Spark download is needed. Idempotent: does nothing if DIR is already built from the same pom.
#
# Usage: cluster/spark-home.sh [DIR]      (default: cluster/target/spark-home)
# Then:  export SPARK_HOME=DIR SPARK_SCALA_VERSION=2.12
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -le 1 ] || die "usage: spark-home.sh [DIR]"
dir="${1:-$KINDLING_DEFAULT_SPARK_HOME}"
pom="$KINDLING_CLUSTER/spark-runtime/pom.xml"
need mvn "Maven resolves Spark's jars"
need sha256sum "coreutils is needed"

stamp="$(sha256sum "$pom" | cut -d' ' -f1)"
if [ -f "$dir/jars/.kindling-complete" ] && [ "$(cat "$dir/jars/.kindling-complete")" = "$stamp" ]; then
  echo "SPARK_HOME $dir is up to date ($(ls "$dir"/jars/*.jar | wc -l) jars)"
  exit 0
fi

mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
tmp="$dir/jars.partial"
rm -rf "$tmp"
echo "Resolving Spark's runtime jars into $dir/jars (first time: downloads ~250 MB)..."
mvn -B -q -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" \
  || die "Maven could not resolve Spark's jars from $pom (see the output above)"
ls "$tmp"/spark-core_2.12-*.jar >/dev/null 2>&1 || die "no spark-core_2.12 jar in $tmp after copy-dependencies"
count="$(ls "$tmp"/*.jar | wc -l)"
[ "$count" -ge 100 ] || die "only $count jars resolved into $tmp; expected ~170"

rm -rf "$dir/jars"
mv "$tmp" "$dir/jars"
echo "$stamp" > "$dir/jars/.kindling-complete"
spark_version="$(sed -n 's:.*<spark.version>\(.*\)</spark.version>.*:\1:p' "$pom")"
cat > "$dir/RELEASE" <<END
Spark $spark_version (Scala 2.12) runtime jars resolved by Maven from $pom
by cluster/spark-home.sh; no bin/ or sbin/ scripts: use cluster/spark-submit and cluster/start-cluster.sh.
END
echo "SPARK_HOME $dir ready: $count jars, $(du -sh "$dir/jars" | cut -f1)"
