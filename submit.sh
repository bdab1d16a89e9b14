#!/usr/bin/env bash
# mixem launcher.
#   ./submit.sh SUBCOMMAND [options]                 local[*], Spark from the Maven classpath (no install)
#   ./submit.sh --master URL SUBCOMMAND [options]    through $SPARK_HOME/bin/spark-submit if SPARK_HOME is
#                                                    set, else through SparkSubmit on the Maven classpath
# Spark's own options (--conf, --executor-memory, --num-executors, ...) may stand anywhere; they go to
# spark-submit, everything else goes to mixem. Exit codes: 0 ok, 2 usage error, 1 failure.
#
# Native BLAS: mixem's linear algebra goes through dev.ludovic.netlib, which loads the system's BLAS
# (libblas.so.3) when there is one. On Debian/Ubuntu nodes: `apt-get install libopenblas0` on the driver and
# every executor host. OpenBLAS is kept single-threaded (OPENBLAS_NUM_THREADS=1 here and in
# conf/spark-defaults.conf). Without it mixem uses its own JDK Vector API kernels. The log line after loading
# names the BLAS and kernels in use.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="$HERE/target/mixem.jar"
CP_FILE="$HERE/target/classpath.txt"
MAIN=dev.mixem.cli.Main

die() { echo "submit.sh: $*" >&2; exit 1; }

# Build the jar when it is missing or older than the sources.
if [[ ! -f "$JAR" || ! -f "$CP_FILE" ]] \
   || [[ -n "$(find "$HERE/pom.xml" "$HERE/src/main" -newer "$JAR" -print -quit 2>/dev/null)" ]]; then
  command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed to build mixem; install it or build the jar elsewhere"
  echo "submit.sh: building mixem (mvn package, tests skipped)..." >&2
  (cd "$HERE" && mvn -q -B -DskipTests package >&2) || die "the build failed"
fi

spark_args=()
app_args=()
master=""
driver_memory=""
driver_java_options=""
while (($#)); do
  case "$1" in
    --master) [[ $# -ge 2 ]] || die "--master needs a URL"; master="$2"; shift 2 ;;
    --master=*) master="${1#--master=}"; shift ;;
    --driver-memory) [[ $# -ge 2 ]] || die "$1 needs a value"; driver_memory="$2"; shift 2 ;;
    --driver-java-options) [[ $# -ge 2 ]] || die "$1 needs a value"; driver_java_options="$2"; shift 2 ;;
    --deploy-mode|--conf|-c|--executor-memory|--executor-cores|--num-executors|--total-executor-cores|\
    --driver-cores|--driver-class-path|--driver-library-path|--queue|--jars|--packages|--exclude-packages|\
    --repositories|--files|--archives|--name|--properties-file|--principal|--keytab|--proxy-user)
      [[ $# -ge 2 ]] || die "$1 needs a value"; spark_args+=("$1" "$2"); shift 2 ;;
    --verbose|--supervise) spark_args+=("$1"); shift ;;
    *) app_args+=("$1"); shift ;;
  esac
done

# mixem's Spark defaults, as --conf pairs placed before the user's (the later one wins).
defaults=()
while read -r key value; do
  [[ -z "${key:-}" || "$key" == \#* ]] && continue
  defaults+=(--conf "$key=$value")
done < "$HERE/conf/spark-defaults.conf"

log_conf="-Dlog4j2.configurationFile=file:$HERE/conf/log4j2.properties"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
# Debian's OpenBLAS 0.3.21 does not recognise some recent CPUs and falls back to generic kernels, which
# ran DGEMM 4-5x slower here and gave fits that differed in the last bits from run to run. Unless
# OPENBLAS_CORETYPE is set, submit.sh names the core type from this machine's /proc/cpuinfo:
# - local mode (no --master, or local[...]): SkylakeX when the CPU has AVX-512 F, DQ, BW and VL (the driver
#   is the executor, so the CPU is known), else Haswell when it has AVX2 and FMA. On this project's AVX-512
#   Xeon, single-threaded DGEMM ran 1.4-2.3x faster with SkylakeX's kernels than with Haswell's;
# - a cluster master: Haswell when this CPU has AVX2 and FMA: right for every x86 CPU since 2013, so safe on
#   executors whose CPUs this script cannot see, and the same kernels on every executor.
# The choice reaches the executors through spark.executorEnv. Set OPENBLAS_CORETYPE to choose otherwise
# (e.g. SkylakeX on a cluster known to be AVX-512 throughout).
if [[ -z "${OPENBLAS_CORETYPE:-}" && -r /proc/cpuinfo ]]; then
  cpu_flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
  coretype=""
  if [[ "$cpu_flags" == *" avx2 "* && "$cpu_flags" == *" fma "* ]]; then
    coretype=Haswell
    if [[ ( -z "$master" || "$master" == local* ) && "$cpu_flags" == *" avx512f "* && "$cpu_flags" == *" avx512dq "* \
          && "$cpu_flags" == *" avx512bw "* && "$cpu_flags" == *" avx512vl "* ]]; then
      coretype=SkylakeX
    fi
  fi
  if [[ -n "$coretype" ]]; then
    export OPENBLAS_CORETYPE="$coretype"
    defaults+=(--conf "spark.executorEnv.OPENBLAS_CORETYPE=$coretype")
  fi
fi

if [[ -n "${SPARK_HOME:-}" && -x "${SPARK_HOME}/bin/spark-submit" ]]; then
  # A real Spark installation: its spark-submit, its jars, its cluster configuration.
  exec "$SPARK_HOME/bin/spark-submit" ${master:+--master "$master"} \
    ${driver_memory:+--driver-memory "$driver_memory"} \
    --driver-java-options "$log_conf ${driver_java_options}" \
    "${defaults[@]}" "${spark_args[@]+"${spark_args[@]}"}" \
    --class "$MAIN" "$JAR" "${app_args[@]+"${app_args[@]}"}"
fi

[[ -n "$master" ]] || master="local[*]"
if [[ "$master" == local* ]]; then
  # Local mode binds to loopback only.
  export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
fi

# No installation: run SparkSubmit itself from the Maven classpath (client mode), with the module flags
# Spark's launcher would add on Java 17+.
java_opens=(
  -XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true
)
export SPARK_SCALA_VERSION="${SPARK_SCALA_VERSION:-2.13}"
# shellcheck disable=SC2086
exec java ${driver_memory:+-Xmx$driver_memory} "${java_opens[@]}" "$log_conf" ${driver_java_options} \
  -cp "$JAR:$(cat "$CP_FILE")" org.apache.spark.deploy.SparkSubmit \
  --master "$master" "${defaults[@]}" \
  --conf "spark.driver.extraJavaOptions=$log_conf" \
  "${spark_args[@]+"${spark_args[@]}"}" \
  --class "$MAIN" "$JAR" "${app_args[@]+"${app_args[@]}"}"
