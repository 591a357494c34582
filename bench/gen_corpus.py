#!/usr/bin/env python3
"""Generate a large news-like JSONL corpus for ingest benchmarks.

Articles are built from the sentences of kroniek's own demo corpus, shuffled and
re-combined with a fixed seed, with varied dates, sources and numbers so that every
article is distinct (distinct content hashes). Deterministic for a given --mb and --seed.

    python3 bench/gen_corpus.py --mb 100 --out /tmp/kroniek-100mb.jsonl
"""
import argparse, json, random, re, pathlib

HERE = pathlib.Path(__file__).resolve().parent
DEMO = HERE.parent / "crates" / "kroniek-cli" / "demo" / "corpus.jsonl"

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=100.0, help="approximate output size in MB")
    ap.add_argument("--out", required=True, help="output JSONL file")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    sentences = {"nl": [], "en": []}
    sources = set()
    for line in DEMO.read_text(encoding="utf-8").splitlines():
        a = json.loads(line)
        sources.add(a["source"])
        for s in re.split(r"(?<=[.!?”\"])\s+", a["text"].replace("\n\n", " ")):
            if len(s) > 20:
                sentences[a["lang"]].append(s)
    sources = sorted(sources)
    target = int(args.mb * 1e6)
    written = 0
    n = 0
    with open(args.out, "w", encoding="utf-8") as f:
        while written < target:
            lang = "nl" if n % 2 == 0 else "en"
            k = rng.randint(8, 30)
            body = []
            for i in range(k):
                s = rng.choice(sentences[lang])
                s = re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(0, 9)), s)
                body.append(s)
                if i % 4 == 3:
                    body.append("\n\n")
            text = " ".join(body).replace(" \n\n ", "\n\n")
            y, m, d = 2015 + n % 10, 1 + n % 12, 1 + n % 28
            date = f"{y}-{m:02d}" if n % 5 == 0 else f"{y}-{m:02d}-{d:02d}"
            rec = {"date": date, "title": f"{body[0][:60]} #{n}", "text": text, "source": sources[n % len(sources)], "lang": lang,
                   "url": f"https://example.org/a/{n}"}
            line = json.dumps(rec, ensure_ascii=False) + "\n"
            f.write(line)
            written += len(line.encode("utf-8"))
            n += 1
    print(f"wrote {n} articles, {written/1e6:.1f} MB to {args.out}")

if __name__ == "__main__":
    main()
