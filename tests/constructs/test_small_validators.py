"""Construct-level validators that the larger construct tests do not reach."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3

from emr_constructs import EmrRoles
from emr_constructs.lint_suppressions import ignore_cfn_lint


def test_fails_runtime_role_with_a_repeated_name() -> None:
    roles = EmrRoles(cdk.Stack(cdk.App(), "S"), "Roles")
    roles.add_runtime_role("etl")
    with pytest.raises(ValueError, match="runtime role 'etl' exists already"):
        roles.add_runtime_role("etl")


def test_fails_runtime_role_name_over_the_iam_limit() -> None:
    roles = EmrRoles(cdk.Stack(cdk.App(), "S"), "Roles", role_name_prefix="p" * 30)
    with pytest.raises(ValueError, match="over IAM's limit of 64"):
        roles.add_runtime_role("a-runtime-role-with-a-long-name")


def test_fails_cfn_lint_suppression_without_a_reason() -> None:
    bucket = s3.CfnBucket(cdk.Stack(cdk.App(), "S"), "B")
    with pytest.raises(ValueError, match="a reason is required"):
        ignore_cfn_lint(bucket, "W3010", "  ")


def test_cfn_lint_suppressions_accumulate_on_one_resource() -> None:
    stack = cdk.Stack(cdk.App(), "S")
    bucket = s3.CfnBucket(stack, "B")
    ignore_cfn_lint(bucket, "W3010", "first reason")
    ignore_cfn_lint(bucket, "W3005", "second reason")
    ignore_cfn_lint(bucket, "W3010", "repeated")
    assert bucket.get_metadata("cfn-lint") == {"config": {"ignore_checks": ["W3010", "W3005"]}}
