#!/usr/bin/env bash
# Ingest throughput and peak memory on a generated corpus.
#   bench/ingest.sh [MB]   (default 100)
# Prints kroniek's own summary (MB/s, documents/s) and the peak resident set size.
set -euo pipefail
cd "$(dirname "$0")/.."
MB="${1:-100}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
python3 bench/gen_corpus.py --mb "$MB" --out "$WORK/corpus.jsonl"
cargo build --release -q -p kroniek-cli
echo "cores: $(nproc)"
/usr/bin/time -f "peak RSS: %M KB; wall: %e s; user: %U s; sys: %S s" \
  target/release/kroniek ingest --quiet --db "$WORK/bench.db" "$WORK/corpus.jsonl"
ls -l "$WORK/bench.db" | awk '{printf "store size: %.1f MB\n", $5/1e6}'
