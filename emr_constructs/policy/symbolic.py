"""Template values as symbolic strings, and tri-state matching of IAM patterns against them (``True``, ``False``,
or ``None`` when it depends on a value the template set cannot know). Used by ``deliveries``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from emr_constructs.policy.templates import UNRESOLVED, Attr, Ref, TemplateSet

#: True, False, or None when the answer depends on a value the template set cannot know.
Tri = bool | None
_PSEUDO = ("AWS::Partition", "AWS::Region", "AWS::AccountId", "AWS::URLSuffix", "AWS::StackName", "AWS::StackId")

# -- rendering template values to symbolic strings ------------------------------------------------------------------

#: A symbol: a value the template set cannot know (a pseudo parameter, a resource's ``Ref`` or attribute). In a
#: rendered string it is one character of Unicode's private use area, so that it is atomic in matching.
_SYMBOL_BASE = 0xF0000


@dataclass
class _Symbols:
    names: dict[str, str]
    by_symbol: dict[str, str]

    def of(self, name: str) -> str:
        if name not in self.names:
            self.names[name] = chr(_SYMBOL_BASE + len(self.names))
            self.by_symbol[self.names[name]] = name
        return self.names[name]

    def name(self, char: str) -> str | None:
        return self.by_symbol.get(char)


_SYMBOLS = _Symbols({}, {})


def _is_symbol(char: str) -> bool:
    return ord(char) >= _SYMBOL_BASE


def literal(text: str) -> bool:
    """Whether rendered ``text`` holds no symbol: every character of it is known."""
    return not any(_is_symbol(c) for c in text)


def symbol(name: str) -> str:
    """The symbol for ``name``: ``AWS::AccountId``, ``ref:<template>/<logical id>``, ``att:<template>/<id>.<attr>``."""
    return _SYMBOLS.of(name)


def _resource_symbol(value: Ref | Attr) -> str:
    if isinstance(value, Ref):
        return symbol(f"ref:{value.resource.template}/{value.resource.logical_id}")
    return symbol(f"att:{value.resource.template}/{value.resource.logical_id}.{value.attribute}")


_SUB = re.compile(r"\$\{([^}]*)\}")


def render(templates: TemplateSet, template: str, value: Any) -> str | None:
    """``value`` as a string in which what the set cannot know is a symbol; None when it cannot be rendered (a
    parameter, a condition, an import from outside the set)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, Ref | Attr):
        return _resource_symbol(value)
    if not isinstance(value, dict) or len(value) != 1:
        return None
    ((key, argument),) = value.items()
    resources = templates.templates[template].resources if template in templates.templates else {}
    if key == "Ref" and isinstance(argument, str):
        if argument in _PSEUDO:
            return symbol(argument)
        if argument in resources:
            return _resource_symbol(Ref(templates.resource(template, argument)))
        return None
    if key == "Fn::GetAtt":
        parts = argument.split(".", 1) if isinstance(argument, str) else argument
        if isinstance(parts, list) and len(parts) == 2 and parts[0] in resources and isinstance(parts[1], str):
            return _resource_symbol(Attr(templates.resource(template, parts[0]), parts[1]))
        return None
    if key == "Fn::Join":
        if not (isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str)):
            return None
        items = argument[1]
        if not isinstance(items, list):
            return None
        rendered = [render(templates, template, item) for item in items]
        return None if any(part is None for part in rendered) else argument[0].join(str(p) for p in rendered)
    if key == "Fn::Sub":
        if isinstance(argument, str):
            return _render_sub(templates, template, argument, {})
        if isinstance(argument, list) and len(argument) == 2:
            text, variables = argument
            if isinstance(text, str) and isinstance(variables, dict):
                return _render_sub(templates, template, text, variables)
        return None
    if key in ("Fn::ImportValue", "Fn::GetStackOutput", "Fn::Select"):
        resolved = templates.resolve(template, value)
        if resolved is UNRESOLVED or isinstance(resolved, dict | list):
            return None
        return render(templates, template, resolved)
    return None


def _render_sub(templates: TemplateSet, template: str, text: str, variables: dict[str, Any]) -> str | None:
    out: list[str] = []
    position = 0
    for match in _SUB.finditer(text):
        out.append(text[position : match.start()])
        position = match.end()
        name = match.group(1)
        if name.startswith("!"):
            out.append("${" + name[1:] + "}")
            continue
        if name in variables:
            part = render(templates, template, variables[name])
        elif "." in name:
            logical_id, attribute = name.split(".", 1)
            part = render(templates, template, {"Fn::GetAtt": [logical_id, attribute]})
        else:
            part = render(templates, template, {"Ref": name})
        if part is None:
            return None
        out.append(part)
    out.append(text[position:])
    return "".join(out)


# -- matching (tri-state) -------------------------------------------------------------------------------------------

_ANY, _ONE = "\x00*", "\x00?"


def _items(text: str, *, glob: bool) -> tuple[str, ...]:
    """``text`` as match items: literal characters, symbols (any one unknown string: ``_ANY`` when deciding whether
    a match is possible), and, for glob patterns, ``*`` and ``?``."""
    return tuple((_ANY if c == "*" else _ONE if c == "?" else c) if glob else c for c in text)


@lru_cache(maxsize=4096)
def _intersects(left: tuple[str, ...], right: tuple[str, ...]) -> bool:
    """Whether some string matches both item sequences (``_ANY``: any sequence, ``_ONE``: any one character)."""

    @cache
    def go(i: int, j: int) -> bool:
        if i == len(left) and j == len(right):
            return True
        if i < len(left) and left[i] == _ANY:
            return go(i + 1, j) or (j < len(right) and go(i, j + 1))
        if j < len(right) and right[j] == _ANY:
            return go(i, j + 1) or (i < len(left) and go(i + 1, j))
        if i == len(left) or j == len(right):
            return False
        a, b = left[i], right[j]
        # "?" is one character; a symbol stands for a string of unknown length, so only "*" surely covers it.
        one = _ONE in (a, b) and not (len(a) == 1 and _is_symbol(a)) and not (len(b) == 1 and _is_symbol(b))
        return (a == b or one) and go(i + 1, j + 1)

    return go(0, 0)


def _unknowns_as_any(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_ANY if len(item) == 1 and _is_symbol(item) else item for item in items)


def _ci(text: str, fold: bool) -> str:
    return "".join(c if _is_symbol(c) else c.lower() for c in text) if fold else text


def _identity(text: str) -> str | None:
    """The resource whose ARN ``text`` is, when it is exactly one ``Fn::GetAtt`` ARN symbol."""
    name = _SYMBOLS.name(text) if len(text) == 1 else None
    if name is None or not name.startswith("att:") or not name.endswith(("Arn", ".TopicArn")):
        return None
    return name.removeprefix("att:").rsplit(".", 1)[0]


def _arn_parts(text: str) -> list[str] | None:
    parts = text.split(":", 5)
    return parts if len(parts) == 6 and parts[0] == "arn" else None


def arn_match(pattern: str, value: str, *, glob: bool) -> Tri:
    """``ArnEquals``/``ArnLike``: each of the six colon-separated parts of an ARN is matched on its own (IAM User
    Guide, "Amazon Resource Name (ARN) condition operators")."""
    patterns, values = _arn_parts(pattern), _arn_parts(value)
    if patterns is None or values is None:
        return match(pattern, value, glob=glob)
    return all_of([match(p, v, glob=glob) for p, v in zip(patterns, values, strict=True)])


def match(pattern: str, value: str, *, glob: bool, fold_case: bool = False) -> Tri:
    """Whether ``value`` matches ``pattern`` (a glob when ``glob``): True whatever the symbols stand for, False
    for no value of them, None when it depends. The ARNs of two resources of the set always differ."""
    pattern, value = _ci(pattern, fold_case), _ci(value, fold_case)
    mine, theirs = _identity(pattern), _identity(value)
    if mine is not None and theirs is not None:
        return mine == theirs
    exact_pattern, exact_value = _items(pattern, glob=glob), _items(value, glob=False)
    # Symbols as themselves: a symbol matches only itself (or a wildcard), so a match holds for any value.
    if _intersects(exact_pattern, exact_value):
        return True
    if _intersects(_unknowns_as_any(exact_pattern), _unknowns_as_any(exact_value)):
        return None
    return False


def any_of(results: Sequence[Tri]) -> Tri:
    if any(r is True for r in results):
        return True
    return False if all(r is False for r in results) else None


def all_of(results: Sequence[Tri]) -> Tri:
    if any(r is False for r in results):
        return False
    return True if all(r is True for r in results) else None


def same_value(results: Sequence[Tri]) -> Tri:
    """The result for one value from the results for its equivalent renderings: any that is sure decides."""
    if any(r is True for r in results):
        return True
    return False if any(r is False for r in results) else None


def negate(result: Tri) -> Tri:
    return None if result is None else not result
