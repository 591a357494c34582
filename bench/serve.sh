#!/usr/bin/env bash
# Times every API request the web UI's pages make, over a given store.
#   bench/serve.sh [DB]        (default: a store of 100,000 generated articles, built once
#                               at /tmp/kroniek-bench-100k.db; building it takes minutes)
# Environment: KRONIEK (the binary; default target/release/kroniek, built if absent),
#   COMMON (a very common word, default "schip"), RARE (a rare word, default "31337"),
#   RUNS (warm runs per request, default 3; the table shows the first (cold) run and the
#   best warm one).
# Starts `kroniek serve --no-upload` on a random loopback port, asks each request once
# cold and RUNS times warm, and prints: request, cold ms, warm ms, response bytes, HTTP status.
set -euo pipefail
cd "$(dirname "$0")/.."
DB="${1:-/tmp/kroniek-bench-100k.db}"
KRONIEK="${KRONIEK:-target/release/kroniek}"
COMMON="${COMMON:-schip}"
RARE="${RARE:-31337}"
RUNS="${RUNS:-3}"
if [ ! -x "$KRONIEK" ]; then
  cargo build --release -q -p kroniek-cli
fi
if [ ! -e "$DB" ]; then
  corpus="$(mktemp /tmp/kroniek-bench-XXXXXX.jsonl)"
  # ~1.9 KB per article: 188 MB is 100,000 articles (the first 100,000 lines are kept).
  python3 bench/gen_corpus.py --mb 200 --out "$corpus"
  head -n 100000 "$corpus" > "$corpus.100k" && mv "$corpus.100k" "$corpus"
  "$KRONIEK" ingest --quiet --db "$DB" "$corpus"
  rm -f "$corpus"
fi

log="$(mktemp /tmp/kroniek-serve-XXXXXX.log)"
"$KRONIEK" serve --no-upload --db "$DB" --addr 127.0.0.1:0 > "$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
base=""
for _ in $(seq 1 6000); do  # opening may migrate a large store first
  base="$(grep -o 'http://[0-9.:]*' "$log" | head -n 1 || true)"
  [ -n "$base" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.1
done
[ -n "$base" ] || { echo "kroniek serve did not start"; cat "$log"; exit 1; }

get() { curl -s --max-time 120 "$base$1"; }
# Ids the pages would use: the most mentioned entity, an event of its timeline, its
# newest article, and the event with the most mentions among the first timeline page.
entity="$(get '/api/entities?limit=1' | jq -r '.entities[0].id')"
doc="$(get '/api/documents?sort=-date&limit=1' | jq -r '.documents[0].id')"
event="$(get "/api/timeline?entity_id=$entity&limit=300" | jq -r '[.events[]] | max_by(.mention_count) | .id')"
docs="$(get '/api/stats' | jq -r '.documents')"
echo "store: $DB ($docs documents); entity $entity, event $event, document $doc"
echo "common word: $COMMON, rare word: $RARE"

printf '%-70s %9s %9s %10s %4s\n' request cold_ms warm_ms bytes http
time_one() {
  # prints "ms bytes status"
  curl -s -o /dev/null --max-time 300 -w '%{time_total} %{size_download} %{http_code}\n' "$base$1" |
    awk '{printf "%.0f %d %s\n", $1 * 1000, $2, $3}'
}
row() {
  local path="$1" cold warm best bytes code
  read -r cold bytes code < <(time_one "$path")
  best=""
  for _ in $(seq 1 "$RUNS"); do
    read -r warm _ _ < <(time_one "$path")
    if [ -z "$best" ] || [ "$warm" -lt "$best" ]; then best="$warm"; fi
  done
  printf '%-70s %9s %9s %10s %4s\n' "$path" "$cold" "$best" "$bytes" "$code"
}

# Search page: article list, full-text search with and without filters.
row "/api/stats"
row "/api/documents?sort=-date&limit=20"
row "/api/documents?lang=nl&sort=-date&limit=20"
row "/api/search?q=$COMMON&limit=20"
row "/api/search?q=$COMMON&lang=en&from=2016&to=2018&limit=20"
row "/api/search?q=$COMMON&limit=20&offset=200"
row "/api/search?q=$RARE&limit=20"
row "/api/search?q=$COMMON&entity_id=$entity&limit=20"
# Document page.
row "/api/documents/$doc"
# Entities: list, search, entity page (profile + articles), its timeline.
row "/api/entities?limit=20"
row "/api/entities?q=kessel&limit=20"
row "/api/entities/$entity?limit=20"
row "/api/entities/$entity?limit=1"
row "/api/timeline?entity_id=$entity&limit=300"
row "/api/timeline/documents?entity_id=$entity&layer=timex&limit=200"
# Timeline page: events and articles, with common and rare words, filters.
row "/api/timeline?limit=300"
row "/api/timeline?q=$COMMON&limit=300"
row "/api/timeline?q=$RARE&limit=300"
row "/api/timeline?min_sources=3&limit=300"
row "/api/timeline?lang=nl&source=Global%20Wire&limit=300"
row "/api/timeline/documents?layer=timex&limit=200"
row "/api/timeline/documents?q=$COMMON&layer=timex&limit=200"
row "/api/timeline/documents?q=$RARE&layer=timex&limit=200"
row "/api/events/$event?limit=100"
# Conflicts page.
row "/api/claims?conflicts=true&limit=20"
row "/api/claims?limit=20"
row "/api/claims?limit=20&offset=100"
row "/api/claims?entity_id=$entity&conflicts=true&limit=20"
row "/api/claims?entity_id=$entity&limit=20"
# Topic timeline.
row "/api/topic?q=$COMMON&max_dates=10&sentences_per_date=2"
row "/api/topic?q=$RARE&max_dates=10&sentences_per_date=2"
# Layer page.
row "/api/layers/timex?limit=20"
