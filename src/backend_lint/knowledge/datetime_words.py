"""Family 3's call vocabulary, libcst-free: read by the rules' visitors (through ``knowledge.datetimes``) and
by their ``ast`` screens, so that the two never drift apart."""

from __future__ import annotations

from typing import Any, Iterable

DATETIME = "datetime.datetime"
MAPPED = frozenset({"sqlalchemy.orm.Mapped", "sqlalchemy.orm.base.Mapped", "sqlalchemy.orm.attributes.Mapped"})
NAIVE_PYDANTIC = frozenset({"pydantic.NaiveDatetime", "pydantic.types.NaiveDatetime"})

# stdlib calls on ruff's DTZ ground -> kind
CALL_KINDS = {
    "datetime.datetime.now": "now",
    "datetime.datetime.today": "today",
    "datetime.datetime.fromtimestamp": "fromtimestamp",
    "datetime.datetime.utcnow": "utcnow",
    "datetime.datetime.utcfromtimestamp": "utcfromtimestamp",
    "datetime.datetime.strptime": "strptime",
    "datetime.datetime": "constructor",
    "datetime.date.today": "date.today",
    "datetime.date.fromtimestamp": "date.fromtimestamp",
}
# callables that produce naive "now" when called without arguments (for uncalled defaults)
NAIVE_FACTORIES = {
    "datetime.datetime.now": "datetime.now",
    "datetime.datetime.utcnow": "datetime.utcnow",
    "datetime.datetime.today": "datetime.today",
    "datetime.date.today": "date.today",
}
# calls that read the clock (aware or not): evaluated once, they freeze the time (BKL304)
CLOCK_CALLS = frozenset(
    {
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "datetime.date.today",
        "django.utils.timezone.now",
        "pendulum.now",
        "pendulum.today",
        "arrow.now",
        "arrow.utcnow",
    }
)


def helper_requires(settings: Any) -> tuple[str, ...]:
    """Substrings for the prefilter: the last part of each configured naive helper."""
    return tuple(sorted({h.rsplit(".", 1)[-1] for h in getattr(settings, "naive_datetime_functions", ())}))


def tails(qualified: Iterable[str]) -> tuple[str, ...]:
    """The last segments of qualified names (``now`` for ``datetime.datetime.now``): what a screen looks for."""
    return tuple(sorted({q.rsplit(".", 1)[-1] for q in qualified}))


def receivers(qualified: Iterable[str]) -> tuple[str, ...]:
    """The segments before the last (``datetime`` for ``datetime.datetime.now``, ``date`` for
    ``datetime.date.today``, ``timezone`` for ``django.utils.timezone.now``): the names a screen lets stand
    for the object a method is called on."""
    return tuple(sorted({q.split(".")[-2] for q in qualified if "." in q}))
