#!/usr/bin/env python3
"""What separates a true BKL201 from a false one (session 30, H231): the data table and the trade of evidence features.

usage: bkl201_evidence.py [--today DIR] [--runs DIR ...] [--rows FILE.tsv]

Rows: every BKL201 finding of `--today` (default /work/lead29/m1, main c206ff0e's output on h14-h34) and of the
earlier runs given with `--runs` (outputs on every set, `<run>/hNN/<app>.txt`, or a blind run's `<dir>/<app>.txt`
given as `hNN=DIR`), each judged like `score_holdout.py` does (an audit `report` row within 3 lines, else the
hold-out's verdicts-main.tsv), plus every BKL201 row of each verdicts-main.tsv no run reproduces (no message: only
the source features are known). A finding is counted once (set, app, path, line).

Printed: (1) per set, BKL201 true/false in the blind first run (main-*.score or the README's count) and today;
(2) per feature, how many true and false findings have it, today and over every row (the trade of a gate that
silences the findings without it).
Features are computed from the message and the app's source, outside the linter (a cheap approximation of what
the analysis could know): `key` the message names a route value followed into a helper or the client-key wording;
`default_col` the owner column is one of the default identity fields; `scoped_elsewhere` the project compares
`Model.column` in a query predicate outside the finding's line; `stmt_key` the statement at the finding's line
compares, gets or filters by a name (not a listing or aggregate); `helper_chain` the depth of the chain.
"""
from __future__ import annotations

import argparse
import csv
import re
import runpy
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORE = runpy.run_path(str(HERE / "score_holdout.py"))
SETS = range(14, 35)
DEFAULT_FIELDS = {"user_id", "owner_id", "author_id", "creator_id", "created_by_id", "tenant_id", "organization_id",
                  "organisation_id", "org_id", "account_id", "workspace_id"}
# the blind first run's BKL201 (true, false) where no main-*.score was saved (README "blind" sections)
BLIND_README = {15: (10, 32), 16: (4, 30), 17: (5, 41), 18: (4, 0), 19: (4, 4), 20: (2, 177), 21: (18, 70)}
MSG_MODEL = re.compile(r"^Query on (?:owned model )?`([\w.]+)`")
MSG_COLUMN = re.compile(r"no predicate on `(\w+)`|compares `(\w+)` only|filter on `(\w+)`")


def holdout(n: int) -> Path:
    return HERE / f"holdout{n}"


def load_verdicts(n: int) -> dict:
    out = {}
    for v in csv.DictReader((holdout(n) / "verdicts-main.tsv").open(), delimiter="\t"):
        out[(v["app"], v["path"], int(v["line"]), v["code"])] = (v["verdict"], v.get("note", ""))
    return out


def app_roots(n: int) -> dict[str, Path]:
    rows = csv.DictReader((holdout(n) / "apps.tsv").open(), delimiter="\t")
    return {r["app"]: Path(f"/work/holdout{n}") / r["root"] for r in rows}


def judge(n: int, app: str, f: dict, audit: list, verdicts: dict) -> tuple[str, str]:
    rows = [r for r in audit if r["app"] == app]
    hit = [r for r in rows if SCORE["matches"](f, r, 3)]
    v, note = verdicts.get((app, f["path"], f["line"], f["code"]), (None, ""))
    if any(r["verdict"] == "report" for r in hit) or v == "true":
        return "true", note or next(r["note"] for r in hit if r["verdict"] == "report")
    if v == "false":
        return "false", note
    if hit:
        return "unsure", hit[0]["note"]
    return v or "unread", note


def run_findings(outdir: Path) -> dict[str, list[dict]]:
    return {p.stem: [f for f in SCORE["read_findings"](outdir, p.stem) if f["code"] == "BKL201"]
            for p in sorted(outdir.glob("*.txt"))}


_SOURCES: dict[Path, str] = {}


def source(root: Path) -> str:
    if root not in _SOURCES:
        parts = []
        for p in root.rglob("*.py"):
            if ".venv" in p.parts or "node_modules" in p.parts:
                continue
            try:
                parts.append(p.read_text(errors="replace"))
            except OSError:
                pass
        _SOURCES[root] = "\n".join(parts)
    return _SOURCES[root]


def statement(root: Path, path: str, line: int) -> str:
    try:
        lines = (root / path).read_text(errors="replace").splitlines()
    except OSError:
        return ""
    text, depth = "", 0
    for raw in lines[line - 1: line + 12]:
        text += raw + "\n"
        depth += raw.count("(") + raw.count("[") - raw.count(")") - raw.count("]")
        if depth <= 0:
            break
    return text


FACTS_OWNED = re.compile(r"^  [\w.]*?(\w+): scoped by `(\w+)`", re.M)
_OWNED: dict[tuple, dict[str, str]] = {}


def owned_models(facts: Path) -> dict[str, str]:
    """Model name -> scoping column, from a run's `facts` output (today's, for rows with no message)."""
    if facts not in _OWNED:
        text = facts.read_text(errors="replace") if facts.exists() else ""
        _OWNED[facts] = {m: c for m, c in FACTS_OWNED.findall(text)}
    return _OWNED[facts]


def model_and_column(msg: str, stmt: str, owned: dict[str, str]) -> tuple[str, str]:
    m, c = MSG_MODEL.search(msg or ""), MSG_COLUMN.search(msg or "")
    model = m.group(1).split(".")[-1] if m else ""
    column = next((g for g in c.groups() if g), "") if c else ""
    if not model:  # no message (a verdict row no run reproduces): the first owned class the statement names
        model = next((w for w in re.findall(r"\b([A-Z]\w+)\b", stmt) if w in owned), "")
    if model and not column:
        column = owned.get(model, "")
    return model, column


_EVIDENCE: dict[tuple, tuple[int, bool]] = {}


def column_evidence(root: Path, model: str, column: str) -> tuple[int, bool]:
    """How often the project compares `Model.column` in a predicate, and whether it compares `.column` at all."""
    key = (root, model, column)
    if key not in _EVIDENCE:
        src = source(root)
        uses = len(re.findall(rf"\b{model}\.{column}\b\s*(?:==|!=|\.in_\(|\.is_\()|==\s*{model}\.{column}\b|"
                              rf"filter_by\([^)]*\b{column}\s*=", src))
        compared = bool(re.search(rf"\.{column}\s*(?:!=|==)\s*\w|(?:!=|==)\s*\w+\.{column}\b", src))
        _EVIDENCE[key] = (uses, compared)
    return _EVIDENCE[key]


def features(row: dict, root: Path, owned: dict[str, str]) -> dict:
    msg, stmt = row.get("msg", ""), statement(root, row["path"], row["line"])
    model, column = model_and_column(msg, stmt, owned)
    f = {"has_msg": bool(msg)}
    f["key"] = "reached with this route's" in msg or "only with a key the client chose" in msg or "by a client key" in msg
    f["untied"] = "not tied to" in msg
    f["default_col"] = column in DEFAULT_FIELDS if column else None
    f["helper_chain"] = msg.count("->") + (1 if " through `" in msg else 0)
    f["stmt_key"] = bool(re.search(r"==|\.get\(|filter_by\(\s*\w+\s*=|\.in_\(|get_by|get_or_404|first_or_404", stmt))
    f["aggregate"] = bool(re.search(r"func\.(count|sum|max|min|avg)|\.count\(\)", stmt))
    if model and column:
        uses, compared = column_evidence(root, model, column)
        f["scoped_elsewhere"] = uses > (1 if column in stmt else 0)
        f["col_compared"] = compared
    else:
        f["scoped_elsewhere"] = f["col_compared"] = None
    f["model"], f["column"] = model, column
    return f


def collect(today: Path, runs: list[str]) -> list[dict]:
    rows: dict[tuple, dict] = {}
    for n in SETS:
        audit = list(csv.DictReader((holdout(n) / "audit.tsv").open(), delimiter="\t"))
        verdicts = load_verdicts(n)
        dirs = [("today", today / f"h{n}")]
        for run in runs:
            name, _, d = run.rpartition("=")
            if name and name != f"h{n}":
                continue
            dirs.append(("earlier", Path(d) if name else Path(d) / f"h{n}"))
        for origin, d in dirs:
            if not d.is_dir():
                continue
            for app, found in run_findings(d).items():
                for f in found:
                    key = (n, app, f["path"], f["line"])
                    if key in rows:
                        rows[key]["today"] |= origin == "today"
                        continue
                    verdict, note = judge(n, app, f, audit, verdicts)
                    rows[key] = dict(set=n, app=app, path=f["path"], line=f["line"], msg=f["msg"], verdict=verdict,
                                     note=note, today=origin == "today")
        for (app, path, line, code), (verdict, note) in verdicts.items():
            if code == "BKL201" and (n, app, path, line) not in rows and verdict in ("true", "false"):
                rows[(n, app, path, line)] = dict(set=n, app=app, path=path, line=line, msg="", verdict=verdict,
                                                  note=note, today=False)
    out = list(rows.values())
    roots = {n: app_roots(n) for n in SETS}
    for r in out:
        owned = owned_models(today / f"h{r['set']}" / f"{r['app']}.facts")
        r.update(features(r, roots[r["set"]].get(r["app"], Path("/nonexistent")), owned))
    return out


def blind_counts(n: int) -> tuple:
    for p in sorted(holdout(n).glob("main-*.score")):
        if ".default." in p.name or ".blind-audit." in p.name:
            continue
        m = re.search(r"BKL201: (\d+) true, (\d+) false", p.read_text())
        if m:
            return int(m[1]), int(m[2])
    return BLIND_README.get(n, ("?", "?"))


def table(rows: list[dict]) -> None:
    print("| set | blind BKL201 true/false | today true/false (unsure, unread) | false ever judged (verdicts + runs) |")
    print("| --- | --- | --- | --- |")
    for n in SETS:
        t = Counter(r["verdict"] for r in rows if r["set"] == n and r["today"])
        ever = sum(1 for r in rows if r["set"] == n and r["verdict"] == "false")
        bt, bf = blind_counts(n)
        print(f"| h{n} | {bt}/{bf} | {t['true']}/{t['false']} ({t['unsure']}, {t['unread']}) | {ever} |")


def trade(rows: list[dict], name: str) -> str:
    def cnt(sel):
        c = Counter((r[name], r["verdict"]) for r in sel if r[name] is not None and r["verdict"] in ("true", "false"))
        return c
    today, every = cnt([r for r in rows if r["today"]]), cnt(rows)
    vals = sorted({k[0] for k in every} | {k[0] for k in today}, key=str)
    cells = []
    for v in vals:
        cells.append(f"{name}={v}: today {today[(v, 'true')]}T/{today[(v, 'false')]}F, all {every[(v, 'true')]}T/{every[(v, 'false')]}F")
    return "; ".join(cells)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--today", type=Path, default=Path("/work/lead29/m1"))
    ap.add_argument("--runs", nargs="*", default=[])
    ap.add_argument("--rows", type=Path, default=None, help="write every row with its features here")
    ap.add_argument("--per-set", nargs="*", default=["key", "scoped_elsewhere", "default_col"],
                    help="features whose trade is also printed per set")
    args = ap.parse_args()
    rows = collect(args.today, args.runs)
    table(rows)
    print()
    for name in ("has_msg", "key", "untied", "default_col", "helper_chain", "stmt_key", "aggregate", "scoped_elsewhere",
                 "col_compared"):
        print(f"- {trade(rows, name)}")
    for name in args.per_set:
        print(f"\nper set, {name}:")
        for n in SETS:
            print(f"  h{n}: {trade([r for r in rows if r['set'] == n], name)}")
    if args.rows:
        keys = ["set", "app", "path", "line", "verdict", "today", "key", "untied", "default_col", "helper_chain",
                "stmt_key", "aggregate", "scoped_elsewhere", "col_compared", "model", "column", "msg", "note"]
        with args.rows.open("w") as fh:
            w = csv.DictWriter(fh, keys, delimiter="\t", extrasaction="ignore")
            w.writeheader()
            w.writerows(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
