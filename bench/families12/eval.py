#!/usr/bin/env python3
"""Score backend-lint families 1-2 against hand-made labels (stdlib only).

Usage: python3 eval.py labels.tsv JSON_DIR [--codes BKL101,BKL102,BKL201,BKL202]

labels.tsv columns: app repo commit path line code expected linter pattern note
  expected is `finding` or `no-finding`; path is relative to the linted app root.
JSON_DIR holds one `<app>.json` per app: the linter's `--output-format json` output (a list of
objects with `code`, `filename`, `location.row`).

A linter finding matches a label when the code is equal, the finding's file ends with the label's
path (file names in the JSON are absolute) and the lines differ by at most 1.

Printed per app, overall and per code:
  exp      labels expecting a finding          tp  of those, reported
  recall   tp / exp
  neg      labels expecting no finding         fp  of those, reported (false reports)
  fp/neg   fp / neg (false-positive rate on labelled negatives)
  rep      linter findings of the selected codes in the JSON (labelled or not)
  unl      reported findings that match no label (listed at the end; they should be labelled)
  prec     tp / (tp + fp), on labelled findings only
Then BKL201 precision, and the rows whose `linter` column disagrees with the JSON.
"""
import json
import os
import sys
from collections import defaultdict


def load_labels(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for ln in f:
            if not ln.strip():
                continue
            rec = dict(zip(header, ln.rstrip("\n").split("\t")))
            rec["line"] = int(rec["line"])
            rows.append(rec)
    return rows


def load_findings(json_dir, app, codes):
    p = os.path.join(json_dir, app + ".json")
    if not os.path.exists(p):
        return None
    with open(p, encoding="utf-8") as f:
        data = json.load(f)
    return [d for d in data if d["code"] in codes]


def matches(finding, label):
    fn = finding["filename"].replace("\\", "/")
    lp = label["path"].lstrip("./")
    return (finding["code"] == label["code"]
            and (fn == lp or fn.endswith("/" + lp))
            and abs(finding["location"]["row"] - label["line"]) <= 1)


def pct(a, b):
    return "   -  " if b == 0 else f"{100.0 * a / b:5.1f}%"


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    codes = ["BKL101", "BKL102", "BKL201", "BKL202"]
    if "--codes" in argv:
        codes = argv[argv.index("--codes") + 1].split(",")
    labels = [r for r in load_labels(argv[1]) if r["code"] in codes]
    json_dir = argv[2]

    apps = sorted({r["app"] for r in labels})
    stats = defaultdict(lambda: defaultdict(int))  # key (app|ALL, code|ALL) -> counters
    unlabelled, disagreements, missing_json = [], [], []

    for app in apps:
        findings = load_findings(json_dir, app, set(codes))
        if findings is None:
            missing_json.append(app)
            findings = []
        used = set()
        for lab in (r for r in labels if r["app"] == app):
            hit = [i for i, f in enumerate(findings) if matches(f, lab)]
            used.update(hit)
            reported = bool(hit)
            exp = lab["expected"] == "finding"
            observed = ("found" if reported else "missed") if exp else ("false" if reported else "quiet")
            if lab.get("linter") and lab["linter"] != observed:
                disagreements.append((app, lab["path"], lab["line"], lab["code"], lab["linter"], observed))
            for key in ((app, lab["code"]), (app, "ALL"), ("ALL", lab["code"]), ("ALL", "ALL")):
                s = stats[key]
                if exp:
                    s["exp"] += 1
                    s["tp"] += reported
                else:
                    s["neg"] += 1
                    s["fp"] += reported
        for i, f in enumerate(findings):
            for key in ((app, f["code"]), (app, "ALL"), ("ALL", f["code"]), ("ALL", "ALL")):
                stats[key]["rep"] += 1
                if i not in used:
                    stats[key]["unl"] += 1
            if i not in used:
                unlabelled.append((app, f["filename"], f["location"]["row"], f["code"]))

    def line(name, code, s):
        return (f"{name:<22}{code:<8}{s['exp']:>4}{s['tp']:>4} {pct(s['tp'], s['exp'])}"
                f"{s['neg']:>5}{s['fp']:>4} {pct(s['fp'], s['neg'])}{s['rep']:>5}{s['unl']:>5} "
                f"{pct(s['tp'], s['tp'] + s['fp'])}")

    head = f"{'app':<22}{'code':<8}{'exp':>4}{'tp':>4} {'recall':>6}{'neg':>5}{'fp':>4} {'fp/neg':>6}{'rep':>5}{'unl':>5} {'prec':>6}"
    print("Per app (BKL1 + BKL2)")
    print(head)
    for app in apps + ["ALL"]:
        print(line(app, "ALL", stats[(app, "ALL")]))
    print()
    print("Per code (all apps)")
    print(head)
    for code in codes:
        print(line("ALL", code, stats[("ALL", code)]))
    print()
    s = stats[("ALL", "BKL201")]
    print(f"BKL201 precision (labelled reports): {s['tp']}/{s['tp'] + s['fp']} = {pct(s['tp'], s['tp'] + s['fp']).strip()}"
          f"; BKL201 reports in the JSON: {s['rep']} ({s['unl']} unlabelled)")
    if missing_json:
        print("\nNo JSON for:", ", ".join(missing_json))
    if unlabelled:
        print("\nReported but unlabelled:")
        for u in unlabelled:
            print("  %s %s:%d %s" % u)
    if disagreements:
        print("\nLabel rows whose `linter` column disagrees with the JSON (app path line code column observed):")
        for d in disagreements:
            print("  %s %s:%d %s %s -> %s" % d)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
