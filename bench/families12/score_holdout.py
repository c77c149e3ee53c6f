#!/usr/bin/env python3
"""Score a directory of concise backend-lint outputs against a hold-out's hand audit (holdout14/, holdout15/).

usage: score_holdout.py OUTDIR --audit HOLDOUT/audit.tsv [--verdicts HOLDOUT/verdicts-main.tsv] [--default-only]
(each hold-out's own score.py passes its files)

OUTDIR holds one `<app>.txt` per app (`check . --select BKL1,BKL2 --output-format concise`, run from the
app's linted root, so paths are relative to it). audit.tsv rows are `app path line code verdict note`;
verdict `report` rows are the expected findings, `unsure` rows are shown but not counted in recall. A note
may name other acceptable locations as `alt=path:line` (a finding inside a helper may be reported at the
route's call or at the helper's call; both are accepted).

Printed: recall (exact line, and within 3 lines) per app and in total, per code; the audit rows missed;
the findings matching no audit row (to read), with the verdict of a verdicts file when it has that row.

From hold-out 15 on: a note starting with `nondefault:` marks a location whose owner column is not one of the default
identity fields (household_id, case/customer ids, owner_email/team_id, init_org_id, ...): a careful reviewer reports
it, a first run without configuration cannot. `--default-only` drops those rows from recall (they still match
findings, so they are not counted as unaudited).
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import defaultdict
from pathlib import Path

FINDING = re.compile(r"^(?P<path>[^:\s][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<code>BKL\d{3}) (?P<msg>.*)$")
ALT = re.compile(r"alt=([^\s;,]+):(\d+)")


def read_findings(outdir: Path, app: str) -> list[dict]:
    path = outdir / f"{app}.txt"
    if not path.exists():
        return []
    rows = []
    for line in path.read_text().splitlines():
        m = FINDING.match(line.strip())
        if m and m["code"].startswith(("BKL1", "BKL2")):
            rows.append({"path": m["path"].removeprefix("./"), "line": int(m["line"]), "code": m["code"], "msg": m["msg"]})
    return rows


def locations(row: dict) -> list[tuple[str, int]]:
    locs = [(row["path"], int(row["line"]))]
    locs += [(p, int(n)) for p, n in ALT.findall(row.get("note", ""))]
    return locs


def matches(finding: dict, row: dict, slack: int) -> bool:
    if finding["code"] != row["code"]:
        return False
    return any(finding["path"] == p and abs(finding["line"] - n) <= slack for p, n in locations(row))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--audit", type=Path, required=True)
    ap.add_argument("--verdicts", type=Path, default=None)
    ap.add_argument("--default-only", action="store_true", help="recall over rows with a default identity field only")
    args = ap.parse_args()

    audit = list(csv.DictReader(args.audit.open(), delimiter="\t"))
    if args.default_only:
        for r in audit:
            if r["note"].startswith("nondefault:") and r["verdict"] == "report":
                r["verdict"] = "unsure"
    verdicts: dict[tuple[str, str, int, str], str] = {}
    if args.verdicts is not None and args.verdicts.exists():
        for v in csv.DictReader(args.verdicts.open(), delimiter="\t"):
            verdicts[(v["app"], v["path"], int(v["line"]), v["code"])] = v["verdict"]
    apps = sorted({r["app"] for r in audit} | {p.stem for p in args.outdir.glob("*.txt")})

    tot = defaultdict(int)
    by_code = defaultdict(lambda: [0, 0, 0])  # expected, exact, within3
    missed, unaudited, unsure_hits = [], [], []
    print(f"{'app':12} {'expected':>8} {'exact':>6} {'+-3':>5} {'reported':>8} {'in audit':>8}")
    for app in apps:
        rows = [r for r in audit if r["app"] == app]
        expected = [r for r in rows if r["verdict"] == "report"]
        found = read_findings(args.outdir, app)
        exact = sum(any(matches(f, r, 0) for f in found) for r in expected)
        near = sum(any(matches(f, r, 3) for f in found) for r in expected)
        for r in expected:
            bc = by_code[r["code"]]
            bc[0] += 1
            bc[1] += any(matches(f, r, 0) for f in found)
            bc[2] += any(matches(f, r, 3) for f in found)
            if not any(matches(f, r, 3) for f in found):
                missed.append((app, r))
        in_audit = 0
        for f in found:
            hit = [r for r in rows if matches(f, r, 3)]
            if hit:
                in_audit += 1
                if all(r["verdict"] == "unsure" for r in hit):
                    unsure_hits.append((app, f))
            else:
                unaudited.append((app, f))
        print(f"{app:12} {len(expected):8} {exact:6} {near:5} {len(found):8} {in_audit:8}")
        tot["expected"] += len(expected)
        tot["exact"] += exact
        tot["near"] += near
        tot["found"] += len(found)
        tot["in_audit"] += in_audit
    e = tot["expected"] or 1
    print(f"{'TOTAL':12} {tot['expected']:8} {tot['exact']:6} {tot['near']:5} {tot['found']:8} {tot['in_audit']:8}")
    print(f"recall exact {tot['exact']}/{tot['expected']} ({tot['exact'] / e:.2f}), within 3 lines {tot['near']}/{tot['expected']} ({tot['near'] / e:.2f})")
    for code in sorted(by_code):
        n, x, w = by_code[code]
        print(f"  {code}: {x}/{n} exact, {w}/{n} within 3")

    # precision over findings that have a decision (audit row `report`, or a verdicts row true/false)
    decided_true = decided_false = 0
    per_code = defaultdict(lambda: [0, 0])
    for app in apps:
        rows = [r for r in audit if r["app"] == app]
        for f in read_findings(args.outdir, app):
            hit = [r for r in rows if matches(f, r, 3)]
            v = verdicts.get((app, f["path"], f["line"], f["code"]))
            if any(r["verdict"] == "report" for r in hit) or v == "true":
                decided_true += 1
                per_code[f["code"]][0] += 1
            elif v == "false":
                decided_false += 1
                per_code[f["code"]][1] += 1
    d = decided_true + decided_false
    print(f"precision (decided) {decided_true}/{d}" + (f" ({decided_true / d:.2f})" if d else ""))
    for code in sorted(per_code):
        t, fa = per_code[code]
        print(f"  {code}: {t} true, {fa} false")

    if missed:
        print("\nmissed (not within 3 lines):")
        for app, r in missed:
            print(f"  {app} {r['path']}:{r['line']} {r['code']}  {r['note'][:100]}")
    if unsure_hits:
        print("\nfindings on `unsure` audit rows:")
        for app, f in unsure_hits:
            print(f"  {app} {f['path']}:{f['line']} {f['code']}")
    if unaudited:
        print("\nfindings not in the audit (read them; verdicts file says):")
        for app, f in unaudited:
            v = verdicts.get((app, f["path"], f["line"], f["code"]), "unread")
            print(f"  {app} {f['path']}:{f['line']} {f['code']} [{v}] {f['msg'][:90]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
