#!/usr/bin/env bash
# The local engine and jlens-spark side by side on this machine: `jlens batch` of N IOI prompts (default 128) on the
# tiny test model, then the same command line through spark-submit in local[2] (one JVM), then on a standalone
# cluster of a master and two one-core workers on 127.0.0.1 and 127.0.0.2 (separate processes from the build's Spark
# jars, stopped at the end). Prints each one's wall time and the peak memory of its JVM (for the cluster, the
# driver's; the executors are the workers' children). Run it on an idle machine, after
#   ./mvn-jdk25 -f all-modules.xml -DskipTests package
# Usage: scripts/spark-vs-local.sh [N]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$here/scripts/find-jdk25.sh"
jlens_find_jdk25
java="$JAVA_HOME/bin/java"
n=${1:-128}
jar="$here/jlens-spark/target/jlens-spark.jar"
[ -f "$jar" ] && [ -f "$here/jlens-spark/target/spark-classpath.txt" ] || { echo "spark-vs-local: build first: ./mvn-jdk25 -f all-modules.xml -DskipTests package" >&2; exit 1; }
cp=$(cat "$here/jlens-spark/target/spark-classpath.txt")
# The JVM flags of jlens and of Spark on Java 25, as jlens-spark/pom.xml gives them to the tests' JVMs.
flags="$(sed -n 's:.*<jvm.flags>\([^$].*\)</jvm.flags>.*:\1:p' "$here/jlens-spark/pom.xml" | head -1) $(sed -n 's:.*<spark.jvm.flags>\([^$].*\)</spark.jvm.flags>.*:\1:p' "$here/jlens-spark/pom.xml" | head -1)"
model="$here/src/test/resources/fixtures/tiny-gpt2-a"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

"$here/jlens" dataset ioi --n "$n" --out "$work/ioi.jsonl" >/dev/null
timed() {  # LABEL COMMAND...: runs it, prints its wall time and peak memory
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/$label.out" 2>"$work/$label.err" || { echo "$label failed:" >&2; tail -5 "$work/$label.err" >&2; exit 1; }
  read -r secs kb <"$work/time"
  printf '%-22s %8s s  %6d MB\n' "$label" "$secs" $((kb / 1024))
}
# spark-submit (Spark's own main class, from the build's Spark jars) of the same batch job; --master and --out follow.
read -ra flagv <<<"$flags"
submit=("$java" "${flagv[@]}" -Xmx1g -cp "$cp" org.apache.spark.deploy.SparkSubmit --class dev.jlens.spark.JlensSparkJob
  --conf spark.ui.enabled=false --conf spark.driver.host=127.0.0.1 --conf spark.executor.memory=512m)
job=("$jar" batch --model "$model" --dataset "$work/ioi.jsonl")

echo "jlens batch of $n IOI prompts on the tiny model (wall time, peak memory of the JVM):"
timed local-engine "$here/jlens" batch --model "$model" --dataset "$work/ioi.jsonl" --out "$work/local.parquet" --threads 2
timed spark-local2 "${submit[@]}" --master 'local[2]' "${job[@]}" --out "$work/local2.parquet"

# A standalone cluster: a Spark home made of the build's jars, a master, two workers on two loopback hosts.
mkdir -p "$work/home/jars" "$work/logs"
echo "Spark (the jars of jlens-spark's build)" >"$work/home/RELEASE"
IFS=: read -ra entries <<<"$cp"
for j in "${entries[@]}"; do ln -sf "$j" "$work/home/jars/"; done
export SPARK_HOME="$work/home" SPARK_SCALA_VERSION=2.13 SPARK_LOG_DIR="$work/logs"
port=$((20000 + RANDOM % 20000)); ui=$((port + 1))
SPARK_LOCAL_IP=127.0.0.1 "$java" "${flagv[@]}" -Xmx512m -cp "$cp" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" --webui-port "$ui" \
  >"$work/logs/master.log" 2>&1 & pids+=($!)
for w in 1 2; do
  mkdir -p "$work/worker-$w"
  SPARK_LOCAL_IP=127.0.0.$w "$java" "${flagv[@]}" -Xmx512m -cp "$cp" org.apache.spark.deploy.worker.Worker --host 127.0.0.$w --cores 1 --memory 1g \
    --webui-port $((ui + w)) --work-dir "$work/worker-$w" "spark://127.0.0.1:$port" >"$work/logs/worker-$w.log" 2>&1 & pids+=($!)
done
for _ in $(seq 1 120); do
  if curl -s "http://127.0.0.1:$ui/json/" 2>/dev/null | grep -q '"aliveworkers" *: *2'; then break; fi
  sleep 1
done
SPARK_LOCAL_IP=127.0.0.1 timed spark-standalone-2x1 "${submit[@]}" --master "spark://127.0.0.1:$port" "${job[@]}" --out "$work/standalone.parquet"
