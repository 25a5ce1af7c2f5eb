"""Support policies: the model, the file format (TOML) and the library of known policies."""

from ._durations import Duration, TargetDuration
from ._groups import GROUP_USES, group_uses, groups_named
from ._holiday_kinds import BUILTIN_HOLIDAY_KINDS, HolidayRuleSpec
from ._load import PolicyError, PolicyLibrary, key_path_problem, load_policy, validate_policy
from ._locations import Location, LocationMatch
from ._model import (
    METRICS,
    HolidaySet,
    Metric,
    Plan,
    Policy,
    ResolvedTarget,
    Schedule,
    Severity,
)

__all__ = [
    "BUILTIN_HOLIDAY_KINDS",
    "GROUP_USES",
    "METRICS",
    "Duration",
    "HolidayRuleSpec",
    "HolidaySet",
    "Location",
    "LocationMatch",
    "Metric",
    "Plan",
    "Policy",
    "PolicyError",
    "PolicyLibrary",
    "ResolvedTarget",
    "Schedule",
    "Severity",
    "TargetDuration",
    "group_uses",
    "groups_named",
    "key_path_problem",
    "load_policy",
    "validate_policy",
]
