"""EMR configuration classifications and the one place where they are merged.

Every source of configuration (the user's YAML, and later presets, table formats, the catalog and security
needs) contributes a list of ``ConfigurationSpec`` under a source name. ``merge_configurations`` combines
them deterministically: classifications keep the order in which they first appear, properties and nested
configurations merge recursively, and two sources that set the same key to different values raise
``ConfigurationConflict`` naming both, never a silent overwrite.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import Field, field_validator

from emr_constructs.spec.base import SpecModel


def as_emr_string(value: Any) -> str:
    """EMR takes every property value as a string; YAML booleans become 'true'/'false'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise ValueError(f"property values must be strings, numbers or booleans, got {type(value).__name__}")


class ConfigurationSpec(SpecModel):
    """One classification (``spark-defaults``, ``spark-env`` with a nested ``export``, ...)."""

    classification: str = Field(min_length=1, max_length=256, pattern=r"^[A-Za-z0-9._-]+$")
    properties: dict[str, str] = Field(default_factory=dict)
    configurations: tuple[ConfigurationSpec, ...] = ()

    @field_validator("properties", mode="before")
    @classmethod
    def _stringify(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {str(k): as_emr_string(v) for k, v in value.items()}
        return value


class ConfigurationConflict(ValueError):
    """Two sources set the same configuration key to different values; ``values`` maps source to value."""

    def __init__(self, summary: str, values: dict[str, str]) -> None:
        self.summary = summary
        self.values = values
        super().__init__(f"{summary}. Fix: set it in one place only, or make both values agree")


SourcedConfigurations = tuple[str, Iterable[ConfigurationSpec]]


class _Node:
    def __init__(self, classification: str) -> None:
        self.classification = classification
        self.properties: dict[str, tuple[str, str]] = {}  # key -> (value, source)
        self.children: dict[str, _Node] = {}

    def absorb(self, spec: ConfigurationSpec, source: str, path: str) -> None:
        for key, value in spec.properties.items():
            if key in self.properties and self.properties[key][0] != value:
                earlier_value, earlier_source = self.properties[key]
                raise ConfigurationConflict(
                    f"configuration conflict in {path} property {key!r}: {earlier_source} sets "
                    f"{earlier_value!r} but {source} sets {value!r}",
                    {earlier_source: earlier_value, source: value},
                )
            self.properties.setdefault(key, (value, source))
        for child in spec.configurations:
            node = self.children.setdefault(child.classification, _Node(child.classification))
            node.absorb(child, source, f"{path}/{child.classification}")

    def build(self) -> ConfigurationSpec:
        return ConfigurationSpec(
            classification=self.classification,
            properties={key: value for key, (value, _) in self.properties.items()},
            configurations=tuple(child.build() for child in self.children.values()),
        )


def merge_configurations(*sources: SourcedConfigurations) -> tuple[ConfigurationSpec, ...]:
    """Merge configurations from named sources; raises ``ConfigurationConflict`` on disagreeing values."""
    roots: dict[str, _Node] = {}
    for source, configurations in sources:
        for spec in configurations:
            node = roots.setdefault(spec.classification, _Node(spec.classification))
            node.absorb(spec, source, spec.classification)
    return tuple(node.build() for node in roots.values())
