"""Hand rendered CloudFormation properties to ``CfnCluster`` so that its typed attributes are set.

The renderers produce CloudFormation's PascalCase (``Instances``, ``OSReleaseLabel``); ``CfnCluster`` and its
property classes take snake_case keyword arguments (``instances``, ``os_release_label``). Each PascalCase name is
matched against the keyword arguments that the public constructor actually declares (``inspect.signature``),
compared without case and underscores; a name matching none, or more than one, fails loudly. Each nested object
is built with the public constructor of the property class that the argument's type hint names
(``typing.get_type_hints``: ``CfnCluster.JobFlowInstancesConfigProperty``, ``aws_cdk.CfnTag``...), so jsii
receives typed structs and renders them back to exactly the rendered properties.

Why not ``add_property_override``: the typed attributes (``cfn_cluster.instances``...) would stay empty, and
overrides are invisible to anything reading the construct rather than the written template. Why not the name
tables jsii generates (``__jsii_name_mapping__``): they are private to the jsii runtime.
"""

from __future__ import annotations

import inspect
import typing
from functools import cache
from typing import Any

from aws_cdk import aws_emr as emr


def _normalise(name: str) -> str:
    return name.replace("_", "").lower()


@cache
def _parameters(target: Any) -> tuple[dict[str, str], dict[str, Any]]:
    """``target``'s keyword arguments by normalised name, and their type hints."""
    names: dict[str, str] = {}
    for parameter in inspect.signature(target.__init__).parameters.values():
        if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            continue
        key = _normalise(parameter.name)
        if key in names:
            raise TypeError(f"{target.__qualname__}: {names[key]!r} and {parameter.name!r} differ only in case")
        names[key] = parameter.name
    return names, typing.get_type_hints(target.__init__)


@cache
def _is_struct(candidate: Any) -> bool:
    """A jsii struct class: its constructor takes keyword arguments only (interfaces and builtins do not)."""
    if not inspect.isclass(candidate) or candidate.__module__ == "builtins":
        return False
    parameters = list(inspect.signature(candidate.__init__).parameters.values())[1:]
    return bool(parameters) and all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters)


@cache
def _structs(hint: Any) -> frozenset[Any]:
    """Every struct class a type hint names, through ``Optional``, ``Union`` and ``Sequence`` (type hints are
    hashable: each is worked out once)."""
    found = {hint} if _is_struct(hint) else set()
    for argument in typing.get_args(hint):
        found |= _structs(argument)
    return frozenset(found)


def _convert(owner: str, name: str, hint: Any, value: Any) -> Any:
    """``value`` for the argument ``name``: objects become the struct its hint names; maps of user data stay."""
    if isinstance(value, list):
        return [_convert(owner, name, hint, item) for item in value]
    if not isinstance(value, dict):
        return value
    structs = _structs(hint)
    if not structs:  # a map of user data (ConfigurationProperties, AdditionalInfo): keys are not fields
        return value
    if len(structs) > 1:
        raise TypeError(f"{owner}.{name} accepts several structs: {sorted(s.__qualname__ for s in structs)}")
    (struct,) = structs
    return struct(**_keyword_arguments(struct, value))


def _keyword_arguments(target: Any, properties: dict[str, Any]) -> dict[str, Any]:
    names, hints = _parameters(target)
    arguments: dict[str, Any] = {}
    for key, value in properties.items():
        name = names.get(_normalise(key))
        if name is None:
            raise KeyError(f"CfnCluster has no property {key!r} (in {target.__qualname__})")
        arguments[name] = _convert(target.__qualname__, name, hints[name], value)
    return arguments


def cfn_cluster_kwargs(properties: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for ``CfnCluster(...)`` from rendered ``AWS::EMR::Cluster`` properties.

    Nested objects become ``CfnCluster.*Property`` (and ``CfnTag``) instances; a name ``CfnCluster`` does not
    declare raises ``KeyError``.
    """
    return _keyword_arguments(emr.CfnCluster, properties)
