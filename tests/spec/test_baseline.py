"""The account baseline spec: EMR block public access, its defaults, port ranges and the request it renders."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from emr_constructs.spec.app_config import validation_messages
from emr_constructs.spec.baseline import (
    AccountBaselineSpec,
    PortRangeSpec,
    emr_default_block_public_access_configuration,
)


def _messages(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        AccountBaselineSpec.model_validate(data)
    return validation_messages(caught.value)


def _rejects(data: dict[str, Any], pattern: str) -> list[str]:
    lines = _messages(data)
    assert any(re.search(pattern, line) for line in lines), lines
    return lines


# -- defaults ------------------------------------------------------------------------------------------------


def test_default_is_disabled_and_matches_emr_default() -> None:
    spec = AccountBaselineSpec()
    assert spec.enabled is False
    assert spec.block_public_security_group_rules is True
    assert spec.permitted_public_port_ranges == (PortRangeSpec(min=22, max=22),)
    assert spec.block_public_access_configuration() == emr_default_block_public_access_configuration()


def test_emr_default_is_blocking_with_port_22_only() -> None:
    assert emr_default_block_public_access_configuration() == {
        "BlockPublicSecurityGroupRules": True,
        "PermittedPublicSecurityGroupRuleRanges": [{"MinRange": 22, "MaxRange": 22}],
    }


def test_emr_default_is_a_fresh_dict_each_time() -> None:
    first = emr_default_block_public_access_configuration()
    first["PermittedPublicSecurityGroupRuleRanges"].clear()
    assert emr_default_block_public_access_configuration()["PermittedPublicSecurityGroupRuleRanges"] != []


def test_an_empty_mapping_is_the_default() -> None:
    assert AccountBaselineSpec.model_validate({}) == AccountBaselineSpec()


# -- rendering -----------------------------------------------------------------------------------------------


def test_ranges_render_in_the_api_shape_in_the_given_order() -> None:
    spec = AccountBaselineSpec.model_validate(
        {"enabled": True, "permitted_public_port_ranges": [{"min": 8443, "max": 8444}, {"min": 22}]}
    )
    assert spec.block_public_access_configuration() == {
        "BlockPublicSecurityGroupRules": True,
        "PermittedPublicSecurityGroupRuleRanges": [
            {"MinRange": 8443, "MaxRange": 8444},
            {"MinRange": 22, "MaxRange": 22},
        ],
    }


def test_no_permitted_port_renders_an_empty_list() -> None:
    spec = AccountBaselineSpec.model_validate({"enabled": True, "permitted_public_port_ranges": []})
    assert spec.effective_port_ranges == ()
    assert spec.block_public_access_configuration() == {
        "BlockPublicSecurityGroupRules": True,
        "PermittedPublicSecurityGroupRuleRanges": [],
    }


def test_blocking_off_ignores_the_default_ranges() -> None:
    spec = AccountBaselineSpec.model_validate({"enabled": True, "block_public_security_group_rules": False})
    assert spec.effective_port_ranges == ()
    assert spec.block_public_access_configuration() == {"BlockPublicSecurityGroupRules": False}


def test_blocking_off_accepts_an_explicit_empty_list() -> None:
    spec = AccountBaselineSpec.model_validate(
        {"block_public_security_group_rules": False, "permitted_public_port_ranges": []}
    )
    assert spec.block_public_access_configuration() == {"BlockPublicSecurityGroupRules": False}


# -- port ranges ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "rendered"),
    [
        ({"min": 0}, {"MinRange": 0, "MaxRange": 0}),
        ({"min": 65535}, {"MinRange": 65535, "MaxRange": 65535}),
        ({"min": 0, "max": 65535}, {"MinRange": 0, "MaxRange": 65535}),
        ({"min": 443, "max": 443}, {"MinRange": 443, "MaxRange": 443}),
    ],
)
def test_port_ranges_at_their_bounds_are_accepted(data: dict[str, int], rendered: dict[str, int]) -> None:
    assert PortRangeSpec.model_validate(data).to_port_range() == rendered


def test_fails_port_range_min_above_max() -> None:
    _rejects(
        {"permitted_public_port_ranges": [{"min": 8444, "max": 8443}]},
        r"^permitted_public_port_ranges\[0\]\.min: min exceeds max \(8443\) \(got 8444\)\. Fix: make min at most "
        r"max, or leave max out for a single port$",
    )


@pytest.mark.parametrize(("field", "value", "rule"), [("min", -1, "at least"), ("max", 65536, "at most")])
def test_fails_port_outside_0_to_65535(field: str, value: int, rule: str) -> None:
    port_range = {"min": 22, field: value}
    _rejects(
        {"permitted_public_port_ranges": [port_range]},
        rf"^permitted_public_port_ranges\[0\]\.{field}: must be {rule} "
        rf"{0 if rule == 'at least' else 65535} \(got {value}\)",
    )


def test_fails_port_range_without_min() -> None:
    _rejects(
        {"permitted_public_port_ranges": [{"max": 22}]},
        r"^permitted_public_port_ranges\[0\]\.min: required field is missing",
    )


def test_fails_unknown_port_range_field() -> None:
    _rejects(
        {"permitted_public_port_ranges": [{"MinRange": 22}]},
        r"^permitted_public_port_ranges\[0\]\.MinRange: unknown field",
    )


# -- cross-field checks --------------------------------------------------------------------------------------


@pytest.mark.parametrize("ranges", [[{"min": 22, "max": 22}], [{"min": 443}]])
def test_fails_ranges_while_blocking_is_off(ranges: list[dict[str, int]]) -> None:
    shown = [f"{r['min']}" for r in ranges]
    _rejects(
        {"block_public_security_group_rules": False, "permitted_public_port_ranges": ranges},
        rf"^permitted_public_port_ranges: permitted public port ranges are exceptions to blocking, which is off "
        rf"\(block_public_security_group_rules: false\) \(got {re.escape(repr(shown))}\)\. Fix: remove "
        r"permitted_public_port_ranges, or set block_public_security_group_rules: true$",
    )


@pytest.mark.parametrize(
    ("ranges", "index", "other", "shown", "other_shown"),
    [
        ([{"min": 22}, {"min": 22}], 1, 0, "22", "22"),
        ([{"min": 8000, "max": 8100}, {"min": 8100, "max": 8200}], 1, 0, "8100-8200", "8000-8100"),
        ([{"min": 8443}, {"min": 8000, "max": 9000}], 1, 0, "8000-9000", "8443"),
        # The third overlaps the first though not the second, which the first already covers.
        ([{"min": 1, "max": 100}, {"min": 10, "max": 20}, {"min": 30, "max": 40}], 2, 0, "30-40", "1-100"),
    ],
)
def test_fails_overlapping_ranges(
    ranges: list[dict[str, int]], index: int, other: int, shown: str, other_shown: str
) -> None:
    lines = _rejects(
        {"permitted_public_port_ranges": ranges},
        rf"^permitted_public_port_ranges\[{index}\]: overlaps permitted_public_port_ranges\[{other}\] "
        rf"\({other_shown}\) \(got '{shown}'\)\. Fix: list each port once: merge the two ranges or make them "
        r"disjoint$",
    )
    assert len(lines) == len(ranges) - 1


def test_adjacent_ranges_do_not_overlap() -> None:
    spec = AccountBaselineSpec.model_validate(
        {"permitted_public_port_ranges": [{"min": 22}, {"min": 23, "max": 25}, {"min": 26}]}
    )
    assert [r.describe() for r in spec.effective_port_ranges] == ["22", "23-25", "26"]


def test_fails_unknown_field() -> None:
    _rejects({"enable": True}, r"^enable: unknown field")


def test_all_problems_are_reported_together() -> None:
    lines = _messages(
        {
            "block_public_security_group_rules": False,
            "permitted_public_port_ranges": [{"min": 22}, {"min": 20, "max": 30}],
        }
    )
    assert [line.split(":")[0] for line in lines] == [
        "permitted_public_port_ranges",
        "permitted_public_port_ranges[1]",
    ]
