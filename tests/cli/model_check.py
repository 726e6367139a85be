"""Stubbed responses checked against botocore's model beyond what the Stubber checks (required members and types):
string lengths, patterns and enums, number ranges and unknown members, so a stub cannot answer what AWS never would.

AWS model patterns are unanchored; a stubbed value must match one whole (``re.fullmatch``), which is stricter."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from botocore.model import Shape
from botocore.stub import Stubber


def problems(shape: Shape, value: Any, path: str = "response") -> list[str]:
    """What in ``value`` does not fit ``shape`` (empty when it fits)."""
    found: list[str] = []
    kind, meta = shape.type_name, shape.metadata
    if kind == "structure":
        required = set(shape.required_members)
        members = shape.members  # type: ignore[attr-defined]
        found += [f"{path}.{name}: required" for name in sorted(required - set(value))]
        for name, item in value.items():
            if name == "ResponseMetadata":
                continue
            if name not in members:
                found.append(f"{path}.{name}: not in the model")
            else:
                found += problems(members[name], item, f"{path}.{name}")
    elif kind == "list":
        found += _sized(meta, len(value), path)
        for index, item in enumerate(value):
            found += problems(shape.member, item, f"{path}[{index}]")  # type: ignore[attr-defined]
    elif kind == "map":
        for key, item in value.items():
            found += problems(shape.key, key, f"{path} key") + problems(shape.value, item, f"{path}[{key}]")  # type: ignore[attr-defined]
    elif kind == "string":
        found += _sized(meta, len(value), path)
        if "pattern" in meta and not re.fullmatch(meta["pattern"], value):
            found.append(f"{path}: {value!r} does not match {meta['pattern']}")
        enum = getattr(shape, "enum", None)
        if enum and value not in enum:
            found.append(f"{path}: {value!r} is not one of {enum}")
    elif kind in ("integer", "long"):
        if not meta.get("min", value) <= value <= meta.get("max", value):
            found.append(f"{path}: {value} is out of range")
    elif kind == "timestamp" and not isinstance(value, datetime):
        found.append(f"{path}: not a datetime")
    return found


def _sized(meta: dict[str, Any], size: int, path: str) -> list[str]:
    if not meta.get("min", 0) <= size <= meta.get("max", size):
        return [f"{path}: length {size} is out of {meta.get('min', 0)}..{meta.get('max')}"]
    return []


class ModelStubber(Stubber):
    """A Stubber whose responses must fit the model's output shapes as described above."""

    def add_response(self, method: str, service_response: Any, expected_params: Any = None) -> None:
        operation = self.client.meta.method_to_api_mapping[method]
        output = self.client.meta.service_model.operation_model(operation).output_shape
        found = problems(output, service_response) if output is not None else []
        assert found == [], f"{operation} stub does not fit botocore's model: {found}"
        super().add_response(method, service_response, expected_params)
