"""Helpers shared by the template tests: asset-hash normalisation and cfn-lint."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from cfnlint.config import ConfigMixIn
from cfnlint.decode.decode import decode_str
from cfnlint.runner import Runner

_ASSET_HASH = re.compile(r"\b[0-9a-f]{64}\b")


def normalise(template: dict[str, Any]) -> dict[str, Any]:
    """Replace asset hashes so that a snapshot changes only when an asset's content does: the content hash
    is kept as a short stable digest of itself, the bootstrap/version noise is dropped."""
    text = json.dumps(template, sort_keys=True)
    text = _ASSET_HASH.sub(lambda m: f"<asset:{m.group(0)[:12]}>", text)
    data: dict[str, Any] = json.loads(text)
    data.get("Parameters", {}).pop("BootstrapVersion", None)
    data.get("Rules", {}).pop("CheckBootstrapVersion", None)
    return data


@cache
def _runner(region: str) -> Runner:
    """cfn-lint's runner with its default rules for ``region``, made once (what ``cfnlint.api.lint`` makes per call);
    its command line reuses one runner for every template in the same way."""
    return Runner(ConfigMixIn(regions=[region]))


@cache
def _lint(text: str, region: str) -> tuple[str, ...]:
    template, errors = decode_str(text)
    matches = errors or list(_runner(region).validate_template(template))
    return tuple(f"{m.rule.id} {m.message} ({'/'.join(str(p) for p in m.path)})" for m in matches)


def cfn_lint(template: dict[str, Any], region: str = "eu-west-1") -> list[str]:
    """Every cfn-lint error, warning and informational match for ``template``, as text (a template linted before in
    this process is not linted again)."""
    return list(_lint(json.dumps(template), region))
