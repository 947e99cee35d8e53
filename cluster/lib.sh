# Sourced by the scripts in cluster/: paths, the Java 17 flags Spark needs, one-line errors.
# Not executable on its own.

KINDLING_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KINDLING_CLUSTER="$KINDLING_ROOT/cluster"
# Where spark-home.sh builds SPARK_HOME when none is given (ignored by git: */target/).
KINDLING_DEFAULT_SPARK_HOME="$KINDLING_CLUSTER/target/spark-home"
# State of the local standalone cluster: pid files, logs, worker dirs, generated secret.
KINDLING_STATE="${KINDLING_CLUSTER_STATE:-$KINDLING_CLUSTER/target/local-cluster}"

die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

need() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is not on PATH; $2"
}

# The --add-opens list from the project's pom.xml (property spark.java17.opens), as bin/kindling reads it.
kindling_opens() {
  local opens
  opens="$(sed -n 's:.*<spark.java17.opens>\(.*\)</spark.java17.opens>.*:\1:p' "$KINDLING_ROOT/pom.xml")"
  [ -n "$opens" ] || die "no <spark.java17.opens> property found in $KINDLING_ROOT/pom.xml"
  echo "$opens"
}

# Sets SPARK_HOME: the caller's if set (it must have jars/), else the Maven-built one, built if missing.
resolve_spark_home() {
  if [ -n "${SPARK_HOME:-}" ]; then
    [ -d "$SPARK_HOME/jars" ] || die "SPARK_HOME=$SPARK_HOME has no jars/ folder; unset it to use cluster/spark-home.sh's"
  else
    SPARK_HOME="$KINDLING_DEFAULT_SPARK_HOME"
    if [ ! -f "$SPARK_HOME/jars/.kindling-complete" ]; then
      "$KINDLING_CLUSTER/spark-home.sh" "$SPARK_HOME" >&2
    fi
  fi
  export SPARK_HOME
  # Without it Spark's launcher looks for a Spark source build to learn the Scala version.
  export SPARK_SCALA_VERSION="${SPARK_SCALA_VERSION:-2.12}"
}

# True if something listens on 127.0.0.1:$1.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pid_alive() {
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null
}
