#!/usr/bin/env python3
"""Findings that differ between two measure.sh output directories.

usage: compare.py OLD NEW [--full]
Per set (labelled apps, hold-outs, corpus packages): findings only in OLD (-) and only in NEW (+), as
`code path:line`, and the score lines of both. Messages are compared too, so a finding whose message changed
shows as - and + on the same line. --full prints every changed finding, not only the counts per file."""
import json
import re
import sys
from collections import Counter
from pathlib import Path

FINDING = re.compile(r"^(?P<path>[^:\s][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<code>BKL\d{3}) (?P<msg>.*)$")


def load(root: Path) -> dict[str, Counter]:
    sets: dict[str, Counter] = {}
    for js in sorted(root.glob("labelled/json/*.json")) + sorted(root.glob("corpus/*.json")):
        c = Counter()
        try:
            data = json.loads(js.read_text() or "[]")
        except json.JSONDecodeError:
            data = [{"code": "ERR", "filename": js.name, "location": {"row": 0}, "message": js.read_text()[:200]}]
        for f in data:
            c[(f["code"], f["filename"], f["location"]["row"], f.get("message", ""))] += 1
        sets[f"{js.parent.name}/{js.stem}"] = c
    for txt in sorted(root.glob("h[0-9]*/*.txt")):
        c = Counter()
        for line in txt.read_text().splitlines():
            m = FINDING.match(line.strip())
            if m:
                c[(m["code"], m["path"], int(m["line"]), m["msg"])] += 1
        sets[f"{txt.parent.name}/{txt.stem}"] = c
    return sets


def main() -> int:
    old, new = Path(sys.argv[1]), Path(sys.argv[2])
    full = "--full" in sys.argv
    a, b = load(old), load(new)
    changed = 0
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key, Counter()), b.get(key, Counter())
        gone, came = x - y, y - x
        if not gone and not came:
            continue
        changed += sum(gone.values()) + sum(came.values())
        print(f"{key}: -{sum(gone.values())} +{sum(came.values())}")
        if full:
            for sign, c in (("-", gone), ("+", came)):
                for (code, path, row, msg), n in sorted(c.items(), key=lambda t: (t[0][1], t[0][2])):
                    print(f"  {sign} {code} {path}:{row} {msg[:110]}" + (f" x{n}" if n > 1 else ""))
    print(f"changed findings: {changed}")
    for s in sorted(old.glob("*.score")):
        t = new / s.name
        if t.exists():
            for f, tag in ((s, "old"), (t, "new")):
                lines = [l for l in f.read_text().splitlines() if l.startswith(("recall", "precision"))]
                print(f"{s.stem:16} {tag}: " + " | ".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
