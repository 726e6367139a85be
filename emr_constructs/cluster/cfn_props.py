"""Hand rendered CloudFormation properties to ``CfnCluster`` so that its typed attributes are set.

jsii passes a Python dict for a struct straight to JavaScript, which reads the struct's camelCase names; the
renderers produce CloudFormation's PascalCase. This module maps one onto the other with the name mappings
that aws-cdk-lib itself publishes for ``CfnCluster``'s structs, so every name is exactly the library's.
"""

from __future__ import annotations

import inspect
from functools import cache
from typing import Any

from aws_cdk import aws_emr as emr

# Maps whose keys are user data (Hadoop property names), never struct fields.
_OPAQUE_MAPS = frozenset({"ConfigurationProperties", "AdditionalInfo"})


@cache
def _struct_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for _, member in inspect.getmembers(emr.CfnCluster, inspect.isclass):
        for camel in getattr(member, "__jsii_name_mapping__", {}).values():
            names[camel.lower()] = camel
    return names


@cache
def _top_level_names() -> dict[str, str]:
    mapping: dict[str, str] = emr.CfnClusterProps.__jsii_name_mapping__  # type: ignore[attr-defined]
    return {camel.lower(): snake for snake, camel in mapping.items()}


def _rename(names: dict[str, str], properties: dict[str, Any]) -> dict[str, Any]:
    """Rename each key through ``names`` (keyed by lower case) and convert its value, opaque maps aside."""
    renamed = {}
    for key, item in properties.items():
        name = names.get(key.lower())
        if name is None:
            raise KeyError(f"CfnCluster has no property {key!r}")
        renamed[name] = item if key in _OPAQUE_MAPS else _convert(item)
    return renamed


def _convert(value: Any) -> Any:
    if isinstance(value, list):
        return [_convert(item) for item in value]
    if isinstance(value, dict):
        return _rename(_struct_names(), value)
    return value


def cfn_cluster_kwargs(properties: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for ``CfnCluster(...)`` from rendered ``AWS::EMR::Cluster`` properties."""
    return _rename(_top_level_names(), properties)
