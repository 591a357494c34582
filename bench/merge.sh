#!/usr/bin/env bash
# Incremental merging: does one more article cost more as the archive grows?
#   bench/merge.sh [ARTICLES] [CHUNK]   (defaults 100000 and 10000)
# Generates ARTICLES news-like articles (bench/gen_corpus.py: all retell one storyline,
# so the same entities and event types recur everywhere, the worst case for merging),
# ingests them into one store CHUNK at a time, and prints the throughput of each chunk
# next to the archive size before it. Flat documents/s = merging cost independent of
# the archive. After each chunk it also times ingesting one more article on its own
# (process start included: the entity merger is rebuilt from the store then) and an
# entity lookup alone, to separate start-up from merging. Then times an entity
# timeline, a topic timeline and the conflicts query on the full store.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
CHUNK="${2:-10000}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# About 2.9 KB per generated article.
python3 bench/gen_corpus.py --mb "$(python3 -c "print($N * 3.2 / 1000)")" --out "$WORK/all.jsonl"
head -n "$N" "$WORK/all.jsonl" > "$WORK/corpus.jsonl"
split -l "$CHUNK" -d -a 4 "$WORK/corpus.jsonl" "$WORK/chunk-"
cargo build --release -q -p kroniek-cli
K=target/release/kroniek
DB="$WORK/bench.db"
echo "cores: $(nproc); articles: $(wc -l < "$WORK/corpus.jsonl"); chunk: $CHUNK"
printf "%-12s %-10s %-10s %-12s %-16s %-18s %s\n" "archive" "chunk" "seconds" "docs/s" "events in store" "one more article" "entity lookup"
sed -n 1p "$WORK/all.jsonl" | python3 -c "import json,sys; r=json.loads(sys.stdin.read()); r['text']+=' (one more)'; r['title']+=' (one more)'; print(json.dumps(r, ensure_ascii=False))" > "$WORK/one.jsonl"
stored=0
for f in "$WORK"/chunk-*; do
  n=$(wc -l < "$f")
  t0=$(date +%s.%N)
  "$K" ingest --quiet --db "$DB" "$f" > /dev/null
  t1=$(date +%s.%N)
  events=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from events').fetchone()[0])" "$DB")
  # One more article (a fresh copy each time, so that it is new), and a lookup alone.
  sed "s/(one more)/(one more $stored)/g" "$WORK/one.jsonl" > "$WORK/one-now.jsonl"
  t2=$(date +%s.%N); "$K" ingest --quiet --db "$DB" "$WORK/one-now.jsonl" > /dev/null; t3=$(date +%s.%N)
  "$K" entity --db "$DB" Nordstern > /dev/null; t4=$(date +%s.%N)
  python3 -c "import sys; s,n,a,b,e,c,d,f=sys.argv[1:]; x=float(b)-float(a); print(f'{s:<12} {n:<10} {x:<10.1f} {int(n)/x:<12.0f} {e:<16} {float(d)-float(c):<18.2f} {float(f)-float(d):.2f}')" "$stored" "$n" "$t0" "$t1" "$events" "$t2" "$t3" "$t4"
  stored=$((stored + n))
done
/usr/bin/time -f "entity timeline (Nordstern): %e s, peak RSS %M KB" "$K" timeline --db "$DB" --entity Nordstern --limit 50 > /dev/null
/usr/bin/time -f "topic timeline (query Nordstern, 10 dates): %e s, peak RSS %M KB" "$K" timeline --db "$DB" --query "Nordstern" --max-dates 10 --sentences-per-date 2 > /dev/null
/usr/bin/time -f "claims --conflicts: %e s, peak RSS %M KB" "$K" claims --db "$DB" --conflicts --limit 20 > /dev/null
ls -l "$DB" | awk '{printf "store size: %.1f MB\n", $5/1e6}'
