"""CPU seconds (``time.process_time``) of a one-process ``check`` run, phase by phase and rule by rule.

Usage (from a project directory, with the venv whose backend-lint you want to measure)::

    python /path/to/bench/phases.py OUT.json -- check --no-cache -j 1 --exit-zero -q .
    PYTHONPATH=/frozen/copy/src python bench/phases.py OUT.json -- check --no-cache -j 1 --select BKL6 .

Each phase's time is exclusive of the other wrapped ones: the index build, the text prefilters, the ``ast``
screens (with their ``ast.parse``), libcst's parse, the traversal, positions, noqa, and per rule its
``may_fire``/``may_fire_for``, its screen and its visitor methods (a memo derived inside one is charged to the
first that asks). Inherited visitor methods (families 1-2's ``IdentityStack``) stay in "walk + rules".
Measurement only: it wraps backend-lint's own functions in this process and changes no result. It also runs
on the layout of b5f8a1f (run 12), for before/after tables (bench/RESULTS.md, run 25).
"""
import importlib, json, sys, time, collections
out = sys.argv[1]; args = sys.argv[3:]
clock = time.process_time
acc = collections.defaultdict(float); calls = collections.Counter()
stack = []

def wrap(owner, attr, key, kind="plain"):
    f = owner.__dict__[attr] if isinstance(owner, type) else getattr(owner, attr)
    raw = f.__func__ if isinstance(f, (classmethod, staticmethod)) else f
    def w(*a, **k):
        t = clock(); stack.append(0.0)
        try:
            return raw(*a, **k)
        finally:
            d = clock() - t; inner = stack.pop()
            acc[key] += d - inner; calls[key] += 1   # exclusive of other wrapped phases
            if stack: stack[-1] += d
    if isinstance(f, classmethod): w = classmethod(w)
    elif isinstance(f, staticmethod): w = staticmethod(w)
    setattr(owner, attr, w)

def mod(*names):
    for n in names:
        try: return importlib.import_module(n)
        except ImportError: pass
    raise ImportError(names)

api = mod("backend_lint.engine.api", "backend_lint.engine")
parsing = mod("backend_lint.engine.parsing", "backend_lint.parsing")
walker = mod("backend_lint.engine.walker", "backend_lint.walker")
index = mod("backend_lint.knowledge.index", "backend_lint.index")
E = api.Engine
wrap(index.ProjectIndex, "build", "index build")
wrap(E, "_active_rules", "text prefilters")
wrap(E, "_screen_with_tree", "ast screens (+ast.parse)")
wrap(parsing, "parse_module", "libcst parse")
wrap(walker.Walker, "run", "walk + rules")
wrap(E, "_resolve", "positions")
wrap(E, "_finish", "finish (noqa)")
wrap(E, "lint_project", "project rules")
wrap(E, "lint_source", "lint_source other")
# per-rule screens / prefilters / visitors, wrapped when the rules load
orig_load = E._load_rules
def load(self):
    first = self._loaded is None
    r = orig_load(self)
    if first:
        for cls in r[0]:
            if cls.may_fire_tree is not None:
                wrap(cls, "may_fire_tree", f"screen {cls.code}")
            if "may_fire_for" in cls.__dict__:
                wrap(cls, "may_fire_for", f"may_fire_for {cls.code}")
            elif "may_fire" in cls.__dict__:
                wrap(cls, "may_fire", f"may_fire {cls.code}")
            for a in list(cls.__dict__):
                if a.startswith(("visit_", "leave_")):
                    wrap(cls, a, f"visitors {cls.code}")
        for cls in r[1]:
            wrap(cls, "check_project", f"project {cls.code}")
    return r
E._load_rules = load
# parse_module is imported by name inside lint_source (from .parsing import parse_module): patched on the module
try:
    from backend_lint.faces.cli import main
except ImportError:
    from backend_lint.cli import main
t0 = clock()
try:
    main(args, standalone_mode=False)
except SystemExit:
    pass
total = clock() - t0
rows = {k: [round(v, 3), calls[k]] for k, v in sorted(acc.items(), key=lambda kv: -kv[1])}
rows["TOTAL (main())"] = [round(total, 3), 1]
json.dump(rows, open(out, "w"), indent=1)
for k, v in list(rows.items())[:40]:
    print(f"{v[0]:8.3f} {v[1]:6d}  {k}", file=sys.stderr)
