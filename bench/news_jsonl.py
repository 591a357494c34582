#!/usr/bin/env python3
"""Real news for the pipeline bench: the TimeBank + AQUAINT articles of
../shared/corpora/tempeval3_tbaq as JSONL (text of <TEXT>, tags removed, DCT as date).
256 articles, 0.53 MB; read once (--mb 0.5) the word caches see new text, unlike the
demo corpus repeated. Usage: python3 news_jsonl.py [--repeat N] [TBAQ_DIR] > /tmp/tbaq.jsonl
--repeat N writes the articles N times (ids prefixed with the round: 3.2 MB for N = 6), for
end-to-end runs of `kroniek annotate` or `kroniek ingest` long enough that loading the
models counts little."""
import glob, html, json, re, sys

args = sys.argv[1:]
repeat = 1
if args[:1] == ["--repeat"]:
    repeat, args = int(args[1]), args[2:]
root = args[0] if args else "../../shared/corpora/tempeval3_tbaq"
files = sorted(glob.glob(f"{root}/*/*.tml"))
if not files:
    sys.exit(f"no .tml files under {root}")
docs = []
for f in files:
    s = open(f, encoding="utf-8").read()
    text = re.search(r"<TEXT>(.*)</TEXT>", s, re.S)
    if not text:
        continue
    dct = re.search(r'<TIMEX3[^>]*functionInDocument="CREATION_TIME"[^>]*>', s)
    value = re.search(r'value="(\d{4}(?:-\d\d(?:-\d\d)?)?)', dct.group(0)) if dct else None
    docs.append({
        "id": f.rsplit("/", 1)[-1],
        "date": value.group(1) if value else "1998",
        "lang": "en",
        "text": html.unescape(re.sub(r"<[^>]*>", "", text.group(1))).strip(),
    })
for r in range(repeat):
    for doc in docs:
        print(json.dumps(doc if repeat == 1 else {**doc, "id": f"{r}-{doc['id']}"}))
