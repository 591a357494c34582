#!/usr/bin/env python3
"""Checks past/future readings of bare Dutch weekdays against the tense in UD gold.

Every bare weekday ("dinsdag", no vorige/volgende/jl./a.s. beside it, no day number after
it) in the Dutch UD treebanks whose head verb's tense the gold features tell (past form,
perfect with a present auxiliary = past; present form, "zullen", present passive or
present modal = ahead) is tagged by `kroniek time --jsonl` with publication date
2019-02-13 (a Wednesday). A value before that date is a past reading, after it a future
one, the date itself neither.

usage: python3 testdata/timex/ud_weekday_tense.py [KRONIEK] [UD_DIR...] [--list]
       (defaults: target/release/kroniek, ../shared/corpora/ud_nl_alpino and ud_nl_lassysmall)
Prints counts of (gold, read) pairs: gold -1 past / +1 ahead; read -1, 0, +1.
"""
import collections
import glob
import gzip
import json
import os
import subprocess
import sys

WEEKDAYS = {"maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"}
DIRECTION = {"vorige", "volgende", "afgelopen", "komende", "aanstaande", "jl", "jl.", "a.s.",
             "jongstleden", "vorig", "eerstvolgende", "elke", "iedere"}
DCT = "2019-02-13"


def sentences(files):
    for f in files:
        opener = gzip.open if f.endswith(".gz") else open
        text, rows = "", []
        with opener(f, "rt", encoding="utf-8") as fh:
            for line in fh:
                line = line.rstrip("\n")
                if line.startswith("# text"):
                    text = line.split("=", 1)[1].strip()
                elif not line:
                    if rows:
                        yield text, rows
                    rows = []
                elif not line.startswith("#"):
                    cols = line.split("\t")
                    if "-" not in cols[0] and "." not in cols[0]:
                        rows.append(cols)


def gold_tense(rows, head):
    """-1 past, +1 ahead, None unknown, from the head verb's XPOS and its auxiliaries."""
    aux = [r for r in rows if r[6] == head[0] and r[7].startswith("aux")]
    xpos = head[4]
    if xpos.startswith("WW|pv|verl"):
        return -1
    if xpos.startswith("WW|pv|tgw"):
        return 1
    past_aux = any(a[4].startswith("WW|pv|verl") for a in aux)
    present_aux = any(a[4].startswith("WW|pv|tgw") for a in aux)
    if xpos.startswith("WW|vd"):
        if past_aux:
            return -1
        if any(a[2] == "zullen" for a in aux):
            return 1
        if any(a[7] == "aux:pass" and a[2] == "worden" and a[4].startswith("WW|pv|tgw") for a in aux):
            return 1
        return -1 if present_aux else None
    if xpos.startswith("WW|inf"):
        if past_aux:
            return -1
        return 1 if present_aux else None
    return None


def main():
    args = [a for a in sys.argv[1:] if a != "--list"]
    listing = "--list" in sys.argv
    binary = args[0] if args else "target/release/kroniek"
    dirs = args[1:] or ["../shared/corpora/ud_nl_alpino", "../shared/corpora/ud_nl_lassysmall"]
    files = sorted(f for d in dirs for f in glob.glob(os.path.join(d, "*.conllu*")))
    if not files:
        sys.exit(f"no .conllu files under {dirs}")
    cases = []
    for text, rows in sentences(files):
        for i, r in enumerate(rows):
            if r[2].lower() not in WEEKDAYS or r[1].lower() != r[2].lower():
                continue
            if i > 0 and rows[i - 1][1].lower() in DIRECTION:
                continue
            if i + 1 < len(rows) and (rows[i + 1][1].lower() in DIRECTION or rows[i + 1][1].isdigit()):
                continue
            h = int(r[6])
            if h == 0:
                continue
            gold = gold_tense(rows, rows[h - 1])
            if gold is not None:
                cases.append({"id": f"s{len(cases)}", "dct": DCT, "lang": "nl", "text": text,
                              "weekday": r[1].lower(), "gold": gold})
    docs = "\n".join(json.dumps({k: c[k] for k in ("id", "dct", "lang", "text")}) for c in cases)
    out = subprocess.run([binary, "time", "--jsonl"], input=docs, capture_output=True, text=True,
                         check=True).stdout
    found = collections.defaultdict(list)
    for line in out.splitlines():
        t = json.loads(line)
        found[t["id"]].append(t)
    counts = collections.Counter()
    for c in cases:
        hits = [t for t in found[c["id"]] if t["text"].lower() == c["weekday"]]
        if not hits:
            counts["untagged"] += 1
            continue
        v = hits[0]["value"]
        read = 1 if v > DCT else -1 if v < DCT else 0
        counts[(c["gold"], read)] += 1
        if listing and read != c["gold"]:
            print(c["gold"], read, v, "|", c["text"])
    print(f"{len(cases)} bare weekdays with a gold tense; publication date {DCT}")
    for gold in (-1, 1):
        row = {read: counts[(gold, read)] for read in (-1, 0, 1)}
        total = sum(row.values())
        right = row[gold]
        print(f"gold {'past ' if gold < 0 else 'ahead'}: {total} tagged, read right {right}"
              f" (read past {row[-1]}, publication day {row[0]}, ahead {row[1]})")
    print(f"untagged: {counts['untagged']}")


if __name__ == "__main__":
    main()
