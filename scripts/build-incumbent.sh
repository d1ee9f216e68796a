#!/usr/bin/env bash
# Builds the incumbent Kafka extension (Tools for Apache Kafka, jlandersen/vscode-kafka) at tag
# v0.20.0 for the benchmarks that compare against it, outside this repository: its own npm ci, its
# webpack production build (npm run package), then an installable .vsix. Run by hand, once; never
# by the tests or CI. The benchmarks find it in $HDINSIGHT_BENCH_INCUMBENT (a folder or a .vsix),
# else in ~/.cache/hdinsight-streaming-bench/vscode-kafka-0.20.0.
#   scripts/build-incumbent.sh [git URL or path of a vscode-kafka clone]
set -euo pipefail

TAG=v0.20.0
DIR="${HDINSIGHT_BENCH_INCUMBENT:-$HOME/.cache/hdinsight-streaming-bench/vscode-kafka-0.20.0}"
SOURCE="${1:-https://github.com/jlandersen/vscode-kafka.git}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

if [ ! -f "$DIR/package.json" ]; then
  mkdir -p "$(dirname "$DIR")"
  git clone --quiet --depth 1 --branch "$TAG" "$SOURCE" "$DIR"
fi
cd "$DIR"
npm ci --no-audit --no-fund
# This repository's vsce, which first runs the extension's vscode:prepublish: its webpack
# production build (npm run package).
node "$ROOT/node_modules/@vscode/vsce/vsce" package --out "$DIR/vscode-kafka-0.20.0.vsix"
echo "incumbent: $DIR/vscode-kafka-0.20.0.vsix"
