"""The base of every spec model: frozen, unknown keys rejected."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class SpecModel(BaseModel):
    """Frozen pydantic model that forbids unknown fields (a typo in YAML is an error, not a silent no-op)."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)
