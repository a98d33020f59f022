#!/usr/bin/env bash
# Builds the service and runs the benchmark harness against it; prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/alphora-sandbox.jar ] || mvn -q -B package -DskipTests
if [ "${1:-}" = cluster ]; then
  shift
  java bench/ClusterBench.java "$@"
elif [ "${1:-}" = stream ]; then
  shift
  java bench/StreamBench.java "$@"
elif [ $# -gt 0 ]; then
  java bench/Bench.java "$@"
else
  java bench/Bench.java bwrap
  java bench/Bench.java none
  if docker info >/dev/null 2>&1; then java bench/Bench.java docker; fi
fi
