"""emr_constructs.access: CDK's data grants to EMR roles, their wildcards acknowledged per finding at synthesis
(roles chosen by kind, never by construct id), other wildcards left as findings; MSK read grants."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from emr_constructs.access import (
    acknowledge_data_grants,
    data_grant_acknowledgments,
    grant_msk_read,
    msk_resource_arns,
)
from emr_constructs.iam import EmrRoles
from tests.nag import Finding, nag_app, synth_findings

ENV = cdk.Environment(account="111111111111", region="eu-west-1")
DATA = "arn:aws:s3:::data"
MSK = "arn:aws:kafka:eu-west-1:111111111111:cluster/events/0a1b2c3d-4e5f"
IAM5 = "AwsSolutions-IAM5"
INLINE = ("HIPAA.Security-IAMNoInlinePolicy", "NIST.800.53.R5-IAMNoInlinePolicy")


@dataclass(frozen=True)
class Built:
    template: dict[str, Any]
    findings: list[Finding]
    roles: EmrRoles
    analyst: iam.Role
    unrelated: iam.Role


def _path(construct: iam.Role) -> str:
    return f"{construct.node.path}/DefaultPolicy/Resource"


@pytest.fixture(scope="module")
def built() -> Built:
    """One stack with the three nag packs: EmrRoles with a runtime role, a plain role named like nothing EMR, and
    a role whose wildcard lies outside the granted data; synthesised once."""
    app = nag_app()
    stack = cdk.Stack(app, "Access", env=ENV)
    key = kms.Key(stack, "DataKey", enable_key_rotation=True)
    bucket = s3.Bucket.from_bucket_attributes(stack, "Data", bucket_name="data", encryption_key=key)
    stream = kinesis.Stream.from_stream_arn(stack, "Stream", "arn:aws:kinesis:eu-west-1:111111111111:stream/clicks")
    roles = EmrRoles(stack, "Roles")
    jobs = roles.add_runtime_role("jobs")
    # A role of the runtime kind whose construct id says nothing about it.
    analyst = iam.Role(stack, "Analyst", assumed_by=iam.AccountPrincipal("111111111111"))
    unrelated = iam.Role(stack, "Unrelated", assumed_by=iam.AccountPrincipal("111111111111"))
    bucket.grant_read(roles.instance_role, "shared/*")
    for role in (jobs, analyst):
        bucket.grant_read_write(role, "raw/*")
        stream.grant_read(role)
        grant_msk_read(role, MSK)
    bucket.grant_read(unrelated, "raw/*")
    unrelated.add_to_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=["arn:aws:s3:::other/*"]))
    data = [bucket.bucket_arn, key.key_arn, stream.stream_arn, *msk_resource_arns(MSK)]
    acknowledge_data_grants([roles.instance_role, unrelated], data)
    acknowledge_data_grants([*roles.runtime_roles.values(), analyst], data, inline=True)
    findings = synth_findings(app)
    template = json.loads((Path(app.outdir) / stack.template_file).read_text())
    return Built(template, findings, roles, analyst, unrelated)


def _rules_at(built: Built, path: str) -> list[str]:
    return sorted(f.rule for f in built.findings if f.path == path)


def _statements(built: Built, role: iam.Role) -> list[dict[str, Any]]:
    stack = cdk.Stack.of(role)
    role_id = stack.resolve(role.role_name)["Ref"]
    (policy,) = [
        r
        for r in built.template["Resources"].values()
        if r["Type"] == "AWS::IAM::Policy" and r["Properties"]["Roles"] == [{"Ref": role_id}]
    ]
    statements: list[dict[str, Any]] = policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def test_the_templates_carry_the_wildcards_that_are_acknowledged(built: Built) -> None:
    actions = {
        a
        for s in _statements(built, built.analyst)
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert {"s3:GetObject*", "s3:DeleteObject*", "kms:ReEncrypt*", "kafka-cluster:ReadData"} <= actions
    resources = json.dumps(_statements(built, built.analyst))
    assert "/raw/*" in resources and ":topic/events/0a1b2c3d-4e5f/*" in resources


def test_runtime_roles_data_grants_pass_every_pack(built: Built) -> None:
    (jobs,) = built.roles.runtime_roles.values()
    assert _rules_at(built, _path(jobs)) == []


def test_roles_are_chosen_by_kind_not_by_construct_id(built: Built) -> None:
    assert "RuntimeRole" not in built.analyst.node.id
    assert _rules_at(built, _path(built.analyst)) == []


def test_instance_role_data_grants_are_acknowledged(built: Built) -> None:
    # EmrRoles acknowledges the instance role's inline policy itself; its data-grant wildcards are acknowledged here.
    assert _rules_at(built, _path(built.roles.instance_role)) == []


def test_fails_on_a_wildcard_outside_the_granted_data(built: Built) -> None:
    rules = _rules_at(built, _path(built.unrelated))
    # arn:aws:s3:::other/* is no granted data; the grant of raw/* to the same role is acknowledged.
    assert [r for r in rules if IAM5 in r] == [f"{IAM5}[Resource::arn:aws:s3:::other/*]"]
    assert set(INLINE) <= set(rules)  # inline stays a finding where not asked for


def test_only_statements_within_the_data_are_acknowledged() -> None:
    document = {
        "Statement": [
            {"Action": ["s3:GetObject*"], "Resource": [f"{DATA}/raw/*", DATA]},
            {"Action": "s3:List*", "Resource": "arn:aws:s3:::data-other/*"},
            {"Action": "s3:Put*", "Resource": [f"{DATA}/raw/*", "arn:aws:s3:::other"]},
        ]
    }
    assert [rule for rule, _ in data_grant_acknowledgments(document, [DATA])] == [
        f"AwsSolutions::{IAM5}[Action::s3:GetObject*]",
        f"AwsSolutions::{IAM5}[Resource::{DATA}/raw/*]",
    ]


def test_msk_read_names_the_cluster_its_topics_and_groups() -> None:
    stack = cdk.Stack(cdk.App(), "Msk")
    role = iam.Role(stack, "Reader", assumed_by=iam.AccountPrincipal("111111111111"))
    grants = grant_msk_read(role, MSK)
    assert len(grants) == 3 and all(g.success for g in grants)
    assert msk_resource_arns(MSK) == [
        MSK,
        MSK.replace(":cluster/", ":topic/"),
        MSK.replace(":cluster/", ":group/"),
    ]


def test_fails_on_an_msk_arn_that_is_no_cluster() -> None:
    stack = cdk.Stack(cdk.App(), "Msk")
    role = iam.Role(stack, "Reader", assumed_by=iam.AccountPrincipal("111111111111"))
    with pytest.raises(ValueError, match=r"is no MSK cluster ARN\. Fix: pass arn:"):
        grant_msk_read(role, "arn:aws:kafka:eu-west-1:111111111111:topic/events/x/t")
