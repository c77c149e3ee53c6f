"""Family 6 findings of two runs (JSON per app or package), per code, and the BKL601-605 findings that
differ: python bench/family6/summary.py BASE_DIR NEW_DIR [--list]"""
import collections
import glob
import json
import os
import sys


def load(d):
    out = {}
    for f in sorted(glob.glob(os.path.join(d, "*.json"))):
        try:
            rows = json.load(open(f))
        except ValueError:
            continue
        out[os.path.basename(f)[:-5]] = [
            (r["code"], r["filename"], r["location"]["row"], r["message"]) for r in rows if r["code"].startswith("BKL6")
        ]
    return out


base, new = load(sys.argv[1]), load(sys.argv[2])
total_b, total_n = collections.Counter(), collections.Counter()
for name in sorted(set(base) | set(new)):
    b = collections.Counter(c for c, *_ in base.get(name, ()))
    n = collections.Counter(c for c, *_ in new.get(name, ()))
    total_b.update(b)
    total_n.update(n)
    if b != n:
        print(f"{name}: " + ", ".join(f"{c} {b[c]}->{n[c]}" for c in sorted(set(b) | set(n)) if b[c] != n[c]))
print("total:", ", ".join(f"{c} {total_b[c]}->{total_n[c]}" for c in sorted(set(total_b) | set(total_n))))
if "--list" in sys.argv:
    for name in sorted(set(base) | set(new)):
        b, n = set(base.get(name, ())), set(new.get(name, ()))
        for tag, rows in (("-", b - n), ("+", n - b), ("=", b & n)):
            for row in sorted(rows):
                if row[0] <= "BKL605":
                    print(tag, name, *row)
