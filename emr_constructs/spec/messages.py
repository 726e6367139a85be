"""Pydantic's validation errors in the library's own words: field path, value, what is allowed, the fix.

Each message is one ``Finding``: the dotted field path (``clusters[0].instance_fleets.core``) and the line shown
to the user. Unknown keys suggest the closest valid key of the model they appear in.
"""

from __future__ import annotations

import re
import types
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from emr_constructs.spec.aws_data import closest
from emr_constructs.spec.problems import SpecProblems


@dataclass(frozen=True)
class Finding:
    """One problem: where (a dotted path, "" for the top level) and the full line to show."""

    path: str
    text: str


#: Keys that are valid somewhere else: (model, key) -> (what is wrong, the fix).
MISPLACED: dict[tuple[str, str], tuple[str, str]] = {
    ("InstanceFleetSpec", "auto_scaling"): (
        "custom auto-scaling policies apply to instance groups only; instance fleets scale with managed scaling",
        "remove auto_scaling and set the cluster's managed_scaling, or describe the cluster with instance_groups",
    ),
    ("InstanceFleetSpec", "instance_type"): (
        "a fleet lists its types under instance_types",
        "write instance_types: [{instance_type: ...}]",
    ),
    ("InstanceFleetSpec", "instance_count"): (
        "a fleet has target capacities, not an instance count",
        "set target_on_demand and/or target_spot",
    ),
    ("InstanceGroupSpec", "instance_types"): (
        "an instance group has one instance type",
        "set instance_type, or use instance_fleets for several types",
    ),
    ("ClusterSpec", "schedule"): (
        "a schedule belongs to a job flow, not to a cluster",
        "move the cluster under job_flows: [{schedule: ..., cluster: {...}}]",
    ),
}

#: Human descriptions of the spec's patterns: pattern -> (what it is, an example).
FORMS: dict[str, tuple[str, str]] = {
    r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$": (
        "a KMS key ARN (an alias is not accepted)",
        "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    ),
    r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:\S+$": (
        "a Secrets Manager secret ARN",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:kdc-admin-AbCdEf",
    ),
    r"^arn:aws[a-z-]*:iam::\d{12}:role/\S+$": ("an IAM role ARN", "arn:aws:iam::123456789012:role/analysts"),
    r"^ami-[0-9a-f]{8,17}$": ("an AMI id", "ami-0123456789abcdef0"),
    r"^\d{12}$": ("a 12-digit AWS account id, quoted in YAML", '"123456789012"'),
    r"^vpc-[0-9a-f]{8,17}$": ("a VPC id", "vpc-0123456789abcdef0"),
    r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$": ("an S3 bucket name", "my-data-bucket"),
    r"^\d+[smhd]$": ("a duration: a number with s, m, h or d", "1h"),
    r"^([A-Za-z0-9!_.*'()-]+/)*$": ("an S3 key prefix ending in '/' (or empty for the whole bucket)", "sales/2024/"),
    r"^[a-z][a-z0-9-]{0,19}$": ("lower-case letters, digits and hyphens, starting with a letter, 1-20", "dev"),
    r"^[a-z0-9][a-z0-9-]{0,19}$": ("lower-case letters, digits and hyphens, 1-20", "raw"),
    r"^[a-z0-9_]{1,255}$": ("lower-case letters, digits and underscores", "curated"),
    r"^[A-Z0-9.-]+$": ("upper-case letters, digits, dots and hyphens", "EC2.INTERNAL"),
}

_TYPE_NOUNS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of settings",
    "model_attributes_type": "a mapping of settings",
    "dataclass_type": "a mapping of settings",
    "list_type": "a list",
    "tuple_type": "a list",
    "set_type": "a list",
}


def format_path(location: tuple[int | str, ...]) -> str:
    """``('clusters', 0, 'name')`` -> ``clusters[0].name``; pydantic's validator and union tags are dropped."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not _is_tag(part):
            text += f".{part}" if text else part
    return text


_BUILTIN_TAGS = frozenset({"str", "int", "float", "bool", "list", "dict", "tuple", "none", "is-instance"})


def _model_names() -> set[str]:
    names: set[str] = set()
    pending: list[type[Any]] = [BaseModel]
    while pending:
        cls = pending.pop()
        for sub in type.__subclasses__(cls):
            if sub.__name__ not in names:
                names.add(sub.__name__)
                pending.append(sub)
    return names


def _is_tag(part: str) -> bool:
    """True for the parts of a pydantic location that name a validator or a union member, not a field."""
    if "[" in part or part.startswith(("function-", "json-or-python", "lax-or-strict")):
        return True
    return part in _BUILTIN_TAGS or (part[:1].isupper() and part in _model_names())


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "...'"


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = get_origin(annotation)
        if origin in (Union, types.UnionType):
            options = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(options) != 1:
                return annotation
            annotation = options[0]
        elif origin is not None and str(origin).endswith("Annotated"):
            annotation = get_args(annotation)[0]
        else:
            return annotation


def model_at(root: type[BaseModel], location: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class that holds the fields at ``location`` (a path into data validated as ``root``)."""
    current: Any = root
    for part in location:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            if isinstance(part, str) and part in current.model_fields:
                current = current.model_fields[part].annotation
            elif isinstance(part, str) and _is_tag(part):
                continue
            else:
                return None
        elif get_origin(current) in (tuple, list) and isinstance(part, int):
            current = get_args(current)[0]
        elif get_origin(current) is dict and isinstance(part, str):
            current = get_args(current)[1]
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def field_required(root: type[BaseModel], location: tuple[int | str, ...]) -> bool:
    """True when the field at ``location`` has no default (removing it would make its model invalid)."""
    parts = tuple(p for p in location if not (isinstance(p, str) and _is_tag(p)))
    if not parts or not isinstance(parts[-1], str):
        return False
    holder = model_at(root, parts[:-1])
    field = holder.model_fields.get(parts[-1]) if holder is not None else None
    return field is not None and field.is_required()


def _unknown_key(root: type[BaseModel] | None, location: tuple[int | str, ...], path: str) -> str:
    key = location[-1]
    holder = model_at(root, location[:-1]) if root is not None else None
    if holder is not None:
        misplaced = MISPLACED.get((holder.__name__, str(key)))
        if misplaced is not None:
            return f"{path}: {misplaced[0]}. Fix: {misplaced[1]}"
        fields = sorted(holder.model_fields)
        snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", str(key)).lower().replace("-", "_")
        near = [snake] if snake in fields else closest(str(key), fields, count=2) or closest(snake, fields, count=2)
        if near:
            guess = " or ".join(repr(name) for name in near)
            return f"{path}: unknown field. Fix: did you mean {guess}? (valid here: {', '.join(fields)})"
        return f"{path}: unknown field. Fix: remove it or use one of {', '.join(fields)}"
    return f"{path}: unknown field. Fix: remove it or check its spelling (fields are snake_case)"


def _allowed(error: dict[str, Any]) -> tuple[str, str]:
    """(what is allowed, the fix) for pydantic's built-in constraint errors."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in _TYPE_NOUNS:
        noun = _TYPE_NOUNS[kind]
        return f"must be {noun}", f"write {noun} here"
    if kind in ("literal_error", "enum"):
        return f"must be {ctx.get('expected', '')}", "use one of these values (they are case-sensitive)"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        words = {"greater_than_equal": "at least", "greater_than": "more than"}
        words |= {"less_than_equal": "at most", "less_than": "less than"}
        bound = next(iter(ctx.values()), "")
        bound = int(bound) if isinstance(bound, float) and bound.is_integer() else bound
        return f"must be {words[kind]} {bound}", f"use a value {words[kind]} {bound}"
    if kind in ("too_short", "string_too_short"):
        least = ctx.get("min_length", 1)
        unit = "characters" if kind.startswith("string") else "items"
        return f"must have at least {least} {unit}", f"give at least {least} {unit}"
    if kind in ("too_long", "string_too_long"):
        most = ctx.get("max_length", "")
        unit = "characters" if kind.startswith("string") else "items"
        actual = f", not {ctx['actual_length']}" if ctx.get("actual_length") is not None else ""
        return f"must have at most {most} {unit}{actual}", f"shorten it to at most {most} {unit}"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        form = FORMS.get(pattern)
        if form is not None:
            return f"does not match the required form: {form[0]}", f"write it like {form[1]}"
        return f"does not match the required form {pattern}", "correct the value's format"
    if kind == "multiple_of":
        return f"must be a multiple of {ctx.get('multiple_of', '')}", "use a multiple of it"
    return error["msg"].removeprefix("Value error, ").rstrip("."), "change the value to satisfy the rule"


def describe(error: dict[str, Any], root: type[BaseModel] | None = None) -> list[Finding]:
    """The findings of one pydantic error item."""
    location = tuple(error["loc"])
    path = format_path(location)
    where = path or "(top level)"
    inner = (error.get("ctx") or {}).get("error")
    if isinstance(inner, SpecProblems):
        return [
            Finding(".".join(p for p in (path, problem.path) if p), problem.describe(path))
            for problem in inner.problems
        ]
    kind = error["type"]
    if kind == "extra_forbidden":
        return [Finding(path, _unknown_key(root, location, where))]
    if kind == "missing":
        return [Finding(path, f"{where}: required field is missing. Fix: add {path.rsplit('.', 1)[-1]}")]
    value = error.get("input")
    if kind == "value_error":
        message, _, fix = error["msg"].removeprefix("Value error, ").partition(". Fix: ")
        named = isinstance(value, dict | list | tuple) or repr(value) in message
        got = "" if named else f" (got {_shown(value)})"
        return [Finding(path, f"{where}: {message}{got}. Fix: {fix or 'correct the value'}")]
    allowed, fix = _allowed(error)
    return [Finding(path, f"{where}: {allowed} (got {_shown(value)}). Fix: {fix}")]


def without_echoes(items: Sequence[Any]) -> list[Any]:
    """The error items less the echoes that only mislead: a list whose items failed also reports itself as too
    short."""
    seen = [tuple(item["loc"]) for item in items]
    return [
        item
        for item in items
        if not (
            item["type"] == "too_short"
            and any(other != tuple(item["loc"]) and other[: len(item["loc"])] == tuple(item["loc"]) for other in seen)
        )
    ]


def findings(error: ValidationError, root: type[BaseModel] | None = None) -> list[Finding]:
    """Every finding of a validation error."""
    return [finding for item in without_echoes(error.errors()) for finding in describe(item, root)]


def validation_messages(error: ValidationError, root: type[BaseModel] | None = None) -> list[str]:
    """One line per problem, naming the field path, the value and the fix."""
    return [finding.text for finding in findings(error, root)]
