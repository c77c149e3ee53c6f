"""``backend-lint facts [PATHS]``: what the project index believes (import roots, unresolved imports, auth
dependencies, principal classes, authorisation helpers, owned models and their scoping column, migration
trees), so that "why did it not fire?" has a one-command answer. The data comes from
``knowledge.index.report.project_facts``; this module only prints it."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Optional

import click

EXIT_ERROR = 2


@click.command("facts")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", help="How to print the facts.")
@click.option("--config", "config", type=click.Path(), help="A pyproject.toml or backend-lint.toml to use.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the cache.")
@click.option("--cache-dir", type=click.Path(), help="Where the cache lives (default: .backend_lint_cache in the project root).")
def facts(paths: tuple[str, ...], output_format: str, config: Optional[str], no_cache: bool, cache_dir: Optional[str]) -> None:
    """Show what the project index believes: import roots, unresolved imports, auth dependencies, owned models."""
    # (the engine, the index and the rules load only for this command: --help and --version stay fast)
    from ..engine.selection import resolve_settings
    from ..engine.workspace import Workspace
    from ..ground.cache import DEFAULT_CACHE_DIR
    from ..ground.config import ConfigError
    from ..ground.discovery import iter_python_files
    from ..knowledge.index.report import project_facts

    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        click.echo(f"error: {missing[0]}: no such file or directory", err=True)
        sys.exit(EXIT_ERROR)
    try:
        settings = resolve_settings(paths, config)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    named = list(iter_python_files(list(paths) or ["."], settings))
    cache = None if no_cache else (cache_dir or os.path.join(settings.root, DEFAULT_CACHE_DIR))
    workspace = Workspace(settings, named, codes=[], cache_dir=cache)
    data = project_facts(workspace.index, settings)
    if output_format == "json":
        click.echo(json.dumps(data, indent=2, sort_keys=False))
    else:
        click.echo(render_text(data))


def _first(rows: list[str], most: int) -> list[str]:
    """The first ``most`` lines of ``rows`` and, when there are more, a line that counts the rest."""
    if len(rows) <= most:
        return rows
    return [*rows[:most], f"  ... and {len(rows) - most} more (--output-format json lists them all)"]


def _count(items: list, word: str) -> str:
    return f"{word} ({len(items)})"


def render_text(data: dict[str, Any]) -> str:
    lines = [f"Project root: {data['root']}", "", "Import roots:"]
    for r in data["roots"]:
        lines.append(f"  {r['path']}: {r['why']}")
    renamed = data["renamed_modules"]
    lines.append(f"Modules: {len(data['modules'])}" + (f" ({len(renamed)} named from an inferred or configured root)" if renamed else ""))
    for relative in (False, True):
        unresolved = [u for u in data["unresolved_imports"] if bool(u.get("relative")) == relative]
        if relative and not unresolved:
            break  # (the relative imports are shown when some resolve to nothing)
        lines.append(f"Relative imports: {data.get('relative_imports', 0)}, resolving to no module of the project: {len(unresolved)}"
                     if relative else f"Absolute imports of the project's own modules: {data['own_imports']}, unresolved: {len(unresolved)}")
        lines += _first([f"  `{u['module']}` in {u['path']}" + (f" (`{u['resolves_to']}`)" if relative else "") for u in unresolved], 20)
    if data["unparsed_modules"]:
        lines.append(f"Modules Python could not parse (no facts): {', '.join(data['unparsed_modules'][:10])}"
                     + (" ..." if len(data["unparsed_modules"]) > 10 else ""))
    newer = data.get("newer_syntax_modules") or []
    if newer:
        lines.append(f"  of which use syntax newer than Python {sys.version_info[0]}.{sys.version_info[1]}, which runs backend-lint "
                     f"(run it under the project's Python): {', '.join(newer[:10])}" + (" ..." if len(newer) > 10 else ""))
    for key, title in (("auth_dependencies", "Auth dependencies"), ("admin_dependencies", "Admin dependencies")):
        rows = data[key]
        lines += ["", _count(rows, title) + ":"]
        for d in rows:
            principal = f" -> {d['principal']}" if d.get("principal") and not d.get("credentials_only") else ""
            lines.append(f"  {d['module']}.{d['name']}{principal}: {d['why']}")
    rows = data.get("tenant_logins") or []
    if rows:
        lines += ["", _count(rows, "Named like admin gates, the tenant's own login") + ":"]
        lines += [f"  {d['module']}.{d['name']}" + (f" -> {d['principal']}" if d.get("principal") else "") + f": {d['why']}" for d in rows]
    lines += ["", "Principal classes: " + (", ".join(data["principal_classes"]) or "(none)")]
    rows = data["authorization_helpers"]
    lines += ["", _count(rows, "Authorisation helpers") + ":"]
    lines += [f"  {h['module']}.{h['name']}: {h['why']}" for h in rows]
    rows = data.get("caller_decoders") or []
    if rows:
        lines += ["", _count(rows, "Functions that decode the caller from a credential they are handed") + ":"]
        lines += _first([f"  {f['module']}.{f['name']}: {f['why']}" for f in rows], 30)
    rows = data.get("caller_decorators") or []
    if rows:
        lines += ["", _count(rows, "Decorators that hand the view the caller (Flask-style views)") + ":"]
        for d in rows:
            gates = ", ".join(f"`{g}`" for g in d.get("gates") or ())
            gate = f"; a privileged value for {gates} makes the view admin-only" if gates else ""
            lines.append(f"  {d['name']}: {d['why']}{gate}")
    rows = data.get("kwargs_decorators") or []
    if rows:
        lines += ["", _count(rows, "Decorators that check the view's keyword arguments (a route's parameter of that name is verified when the route's principal is among those handed with it)") + ":"]
        for d in rows:
            keys = "; ".join(
                f"`{k}` with the Flask view's caller (`current_user`)" if others == ["<caller>"] else f"`{k}` with {', '.join(f'`{o}`' for o in others)}"
                for k, others in d["keys"].items()
            )
            lines.append(f"  {d['name']}: hands {keys} to a check that denies")
    rows = data.get("flask_callers") or []
    if rows:
        lines += ["", _count(rows, "Flask authentication the views use (an authenticated view's caller is the library's `current_user`)") + ":"]
        lines += [f"  {r['name']}: imported by {r['modules']} module{'s' if r['modules'] != 1 else ''}" for r in rows]
    rows = data.get("flask_dispatch") or []
    if rows:
        lines += ["", _count(rows, "Flask view classes that authenticate every request in `dispatch_request` (their subclasses' methods are authenticated views)") + ":"]
        lines += [f"  {r['name']}: {r['why']}; {r['views']} view class{'es' if r['views'] != 1 else ''} derive from it" for r in rows]
    rows = data.get("caller_getters") or []
    if rows:
        lines += ["", _count(rows, "Functions returning the authenticated caller (a Flask view's local bound to their call holds it)") + ":"]
        what = {"identity": "the caller's id (the token's identity)", "principal": "the caller's object"}
        lines += [f"  {r['name']}: returns {what.get(r['kind'], r['kind'])}" for r in rows]
    rows = data["owned_models"]
    lines += ["", _count(rows, "Owned models") + ":"]
    lines += [
        f"  {m['module']}.{m['name']}: " + (m["why"] if m.get("through_parent") else f"checked after the load; {m['why']}" if m.get("checked_only") else f"scoped by `{m['scoping_column']}`; {m['why']}")
        for m in rows
    ]
    rows = data.get("route_wrappers") or []
    if rows:
        lines += ["", _count(rows, "Route wrappers (decorators handed a router's method)") + ":"]
        for w in rows:
            lines.append(f"  {w['module']}.{w['name']} ({w['handlers']} handlers): {w['why']}")
            if w.get("principal"):
                lines.append(f"    {w['principal']}")
    rows = data.get("configured_routes") or []
    if rows:
        lines += ["", _count(rows, "Routes registered from configuration lists (by module and route class)") + ":"]
        lines += [f"  {r['module']} ({r['endpoints']} endpoints): {r['why']}" for r in rows]
    if data.get("family2_silent"):
        lines += ["", "Family 2 (BKL2xx) makes no claim here:"]
        lines += [f"  {w}" for w in data["family2_silent"]]
    rows = data.get("no_claim_functions") or []
    if rows:
        lines += ["", _count(rows, "Functions taking an identity that make no claim (families 1-2)") + ":"]
        lines += _first([f"  {f['module']}.{f['name']}: {f['why']}" for f in rows], 30)
    rows = data.get("unincluded_routers") or []
    if rows:
        lines += ["", _count(rows, "FastAPI routers never included (their routes make no claim)") + ":"]
        lines += [f"  {q}" for q in rows]
    rows = data["migration_trees"]
    if rows:
        lines += ["", "Migration trees:"]
        for t in rows:
            lines.append(f"  {t['directory']}: {t['revisions']} revisions, heads {', '.join(t['heads']) or '(none)'}")
    return "\n".join(lines)
