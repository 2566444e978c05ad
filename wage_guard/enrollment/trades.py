"""The trades (工种) offered at enrolment; stored by key, shown translated."""

from wage_guard.i18n import _l

TRADES = {
    "general": _l("General labourer"),
    "rebar": _l("Steel fixer"),
    "carpenter": _l("Formwork carpenter"),
    "mason": _l("Bricklayer"),
    "concrete": _l("Concrete worker"),
    "scaffolder": _l("Scaffolder"),
    "electrician": _l("Electrician"),
    "welder": _l("Welder"),
    "plumber": _l("Plumber"),
    "painter": _l("Painter and decorator"),
    "machine": _l("Machine operator"),
    "other": _l("Other"),
}
