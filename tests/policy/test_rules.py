"""Every rule on raw templates: the compliant template, one change that breaks the rule, and a token or import the
template set cannot resolve (never a crash, never a guessed failure)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from emr_constructs.policy.clusters import cluster_views
from emr_constructs.policy.docs import render
from emr_constructs.policy.rules import BY_ID, RULES, Options
from emr_constructs.policy.templates import Template, TemplateSet
from emr_constructs.spec.release import ReleaseLabel
from tests.policy.fixtures import cluster, template

Change = Callable[[dict[str, Any]], None]


def _outcomes(body: dict[str, Any], options: Options | None = None) -> dict[str, tuple[str, str]]:
    templates = TemplateSet()
    templates.add(Template("raw", "raw.json", body))
    (view,) = cluster_views(templates)
    return {rule.id: (o.status, o.message) for rule in RULES for o in [rule.check(view, options or Options())]}


def _doc(body: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = body["Resources"]["Security"]["Properties"]["SecurityConfiguration"]
    return document


def _disk(body: dict[str, Any]) -> dict[str, Any]:
    at_rest = _doc(body)["EncryptionConfiguration"]["AtRestEncryptionConfiguration"]
    disk: dict[str, Any] = at_rest["LocalDiskEncryptionConfiguration"]
    return disk


def _instances(body: dict[str, Any]) -> dict[str, Any]:
    instances: dict[str, Any] = cluster(body)["Instances"]
    return instances


def _task(body: dict[str, Any]) -> dict[str, Any]:
    task: dict[str, Any] = _instances(body)["TaskInstanceFleets"][0]
    return task


def _route_to_internet(body: dict[str, Any]) -> None:
    body["Resources"].update(
        {
            "Igw": {"Type": "AWS::EC2::InternetGateway"},
            "Table": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}},
            "Assoc": {
                "Type": "AWS::EC2::SubnetRouteTableAssociation",
                "Properties": {"SubnetId": {"Ref": "Private"}, "RouteTableId": {"Ref": "Table"}},
            },
            "Default": {
                "Type": "AWS::EC2::Route",
                "Properties": {
                    "RouteTableId": {"Ref": "Table"},
                    "DestinationCidrBlock": "0.0.0.0/0",
                    "GatewayId": {"Ref": "Igw"},
                },
            },
        }
    )


def _add_statement(role: str, statement: dict[str, Any]) -> Change:
    def change(body: dict[str, Any]) -> None:
        body["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"].append(statement)

    return change


def _managed(role: str, arn: str) -> Change:
    def change(body: dict[str, Any]) -> None:
        body["Resources"][role]["Properties"]["ManagedPolicyArns"] = [arn]

    return change


def _set(getter: Callable[[dict[str, Any]], dict[str, Any]], key: str, value: Any) -> Change:
    def change(body: dict[str, Any]) -> None:
        getter(body)[key] = value

    return change


def _drop(getter: Callable[[dict[str, Any]], dict[str, Any]], key: str) -> Change:
    def change(body: dict[str, Any]) -> None:
        getter(body).pop(key)

    return change


def _security_at_top_level(body: dict[str, Any]) -> None:
    # Where cdk-nag 3.0.2's EMR4 looks (one level too high): EMR ignores it there.
    document = _doc(body)
    encryption = document.pop("EncryptionConfiguration")
    document["EnableAtRestEncryption"] = True
    document["S3EncryptionConfiguration"] = encryption["AtRestEncryptionConfiguration"]["S3EncryptionConfiguration"]


def _subnet(body: dict[str, Any]) -> dict[str, Any]:
    subnet: dict[str, Any] = body["Resources"]["Private"]["Properties"]
    return subnet


# rule id -> (the change that breaks it, the expected message fragment)
BREAKS: dict[str, list[tuple[Change, str]]] = {
    "EMR-SEC1": [(_drop(cluster, "SecurityConfiguration"), "names no security configuration")],
    "EMR-SEC2": [
        (lambda b: _doc(b)["EncryptionConfiguration"].update(EnableAtRestEncryption=False), "EnableAtRestEncryption"),
        (_security_at_top_level, "EnableAtRestEncryption is not true"),
    ],
    "EMR-SEC3": [
        (
            lambda b: _doc(b)["EncryptionConfiguration"]["AtRestEncryptionConfiguration"].pop(
                "LocalDiskEncryptionConfiguration"
            ),
            "is missing",
        ),
    ],
    "EMR-SEC4": [(_set(_disk, "EnableEbsEncryption", False), "EnableEbsEncryption is not true")],
    "EMR-SEC5": [
        (
            lambda b: _doc(b)["EncryptionConfiguration"].update(EnableInTransitEncryption=False),
            "EnableInTransitEncryption",
        )
    ],
    "EMR-SEC6": [
        (
            lambda b: _doc(b)["InstanceMetadataServiceConfiguration"].update(MinimumInstanceMetadataServiceVersion=1),
            "is 1, not 2",
        ),
        (lambda b: _doc(b).pop("InstanceMetadataServiceConfiguration"), "is None, not 2"),
    ],
    "EMR-NET1": [
        (_set(_subnet, "MapPublicIpOnLaunch", True), "assigns public IP addresses"),
        (_route_to_internet, "routes to an internet gateway"),
        (_drop(_instances, "Ec2SubnetIds"), "no subnet"),
    ],
    "EMR-NET2": [(_drop(_instances, "ServiceAccessSecurityGroup"), "ServiceAccessSecurityGroup is not set")],
    "EMR-LOG1": [(_drop(cluster, "LogUri"), "LogUri is not set")],
    "EMR-LOG2": [(_drop(cluster, "LogEncryptionKmsKeyId"), "LogEncryptionKmsKeyId is not set")],
    "EMR-OPS1": [(_drop(cluster, "AutoTerminationPolicy"), "neither AutoTerminationPolicy")],
    "EMR-OPS2": [
        (
            lambda b: _task(b)["LaunchSpecifications"]["SpotSpecification"].update(TimeoutAction="TERMINATE_CLUSTER"),
            "does not switch to On-Demand",
        ),
        (
            lambda b: _task(b)["LaunchSpecifications"]["SpotSpecification"].pop("AllocationStrategy"),
            "without an allocation strategy",
        ),
    ],
    "EMR-OPS3": [(_drop(cluster, "ManagedScalingPolicy"), "no ManagedScalingPolicy")],
    "EMR-OPS4": [(_set(_instances, "UnhealthyNodeReplacement", False), "UnhealthyNodeReplacement is not true")],
    "EMR-REL1": [(_set(cluster, "ReleaseLabel", "emr-7.0.0.1"), "is not an EMR release label")],
    "EMR-IAM1": [
        (
            _managed("InstanceRole", "arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceforEC2Role"),
            "AmazonElasticMapReduceforEC2Role",
        )
    ],
    "EMR-IAM2": [
        (
            _managed("ServiceRole", "arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceRole"),
            "v1 AmazonElasticMapReduceRole",
        )
    ],
    "EMR-IAM3": [
        (
            _add_statement("InstanceRole", {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}),
            "s3:PutObject on *",
        ),
        (
            _add_statement("InstanceRole", {"Effect": "Allow", "Action": ["s3:*"], "Resource": ["arn:aws:s3:::*"]}),
            "s3:* on arn:aws:s3:::*",
        ),
    ],
    "EMR-AUTH1": [(lambda b: _doc(b).pop("AuthorizationConfiguration"), "without Kerberos or runtime roles")],
}

# rule id -> (a change to a value the set cannot resolve, the expected status)
TOKENS: dict[str, tuple[Change, str]] = {
    "EMR-SEC1": (_set(cluster, "SecurityConfiguration", {"Ref": "SecurityConfigurationName"}), "COMPLIANT"),
    "EMR-SEC2": (_set(cluster, "SecurityConfiguration", {"Fn::ImportValue": "shared-security"}), "NOT_APPLICABLE"),
    "EMR-SEC3": (_set(cluster, "SecurityConfiguration", {"Ref": "SecurityConfigurationName"}), "NOT_APPLICABLE"),
    "EMR-SEC4": (_set(cluster, "SecurityConfiguration", "shared-security-configuration"), "NOT_APPLICABLE"),
    "EMR-SEC5": (
        lambda b: b["Resources"]["Security"]["Properties"].update(SecurityConfiguration={"Fn::Sub": "${Doc}"}),
        "NOT_APPLICABLE",
    ),
    "EMR-SEC6": (_set(cluster, "SecurityConfiguration", {"Fn::ImportValue": "shared-security"}), "NOT_APPLICABLE"),
    "EMR-NET1": (_set(_instances, "Ec2SubnetIds", [{"Fn::ImportValue": "shared-private-subnet"}]), "NOT_APPLICABLE"),
    "EMR-NET2": (_set(_instances, "ServiceAccessSecurityGroup", {"Ref": "ServiceAccessGroup"}), "COMPLIANT"),
    "EMR-LOG1": (_set(cluster, "LogUri", {"Fn::Sub": "s3://logs-${AWS::AccountId}/emr/"}), "COMPLIANT"),
    "EMR-LOG2": (_set(cluster, "LogEncryptionKmsKeyId", {"Fn::ImportValue": "logs-key"}), "COMPLIANT"),
    "EMR-OPS1": (
        _set(cluster, "AutoTerminationPolicy", {"Fn::If": ["Transient", {"IdleTimeout": 60}, {"Ref": "AWS::NoValue"}]}),
        "NOT_APPLICABLE",
    ),
    "EMR-OPS2": (_set(_task, "TargetSpotCapacity", {"Ref": "SpotUnits"}), "NOT_APPLICABLE"),
    "EMR-OPS3": (lambda b: _instances(b).pop("TaskInstanceFleets"), "NOT_APPLICABLE"),
    "EMR-OPS4": (_set(_instances, "UnhealthyNodeReplacement", {"Ref": "ReplaceNodes"}), "NOT_APPLICABLE"),
    "EMR-REL1": (_set(cluster, "ReleaseLabel", {"Ref": "Release"}), "NOT_APPLICABLE"),
    "EMR-IAM1": (_set(cluster, "JobFlowRole", "EMR_EC2_DefaultRole"), "NOT_APPLICABLE"),
    "EMR-IAM2": (_set(cluster, "ServiceRole", {"Fn::ImportValue": "emr-service-role"}), "NOT_APPLICABLE"),
    "EMR-IAM3": (_set(cluster, "JobFlowRole", {"Fn::ImportValue": "emr-instance-profile"}), "NOT_APPLICABLE"),
    "EMR-AUTH1": (_set(cluster, "SecurityConfiguration", {"Ref": "SecurityConfigurationName"}), "NOT_APPLICABLE"),
}


def test_every_rule_has_cases() -> None:
    assert set(BREAKS) == set(TOKENS) == {rule.id for rule in RULES}


def test_the_fixture_complies_with_every_rule() -> None:
    outcomes = _outcomes(template())
    assert {rule: status for rule, (status, _) in outcomes.items()} == {rule.id: "COMPLIANT" for rule in RULES}


@pytest.mark.parametrize(
    ("rule_id", "change", "message"),
    [(rule_id, change, message) for rule_id, cases in BREAKS.items() for change, message in cases],
)
def test_fails_when_the_rule_is_broken(rule_id: str, change: Change, message: str) -> None:
    body = template()
    change(body)
    status, text = _outcomes(body)[rule_id]
    assert status == "NON_COMPLIANT" and message in text, text


@pytest.mark.parametrize(("rule_id", "case"), list(TOKENS.items()))
def test_unresolvable_values_never_fail(rule_id: str, case: tuple[Change, str]) -> None:
    change, expected = case
    body = template()
    change(body)
    assert _outcomes(body)[rule_id][0] == expected


def test_release_support_is_judged_at_the_table_date_unless_told() -> None:
    body = template()
    cluster(body)["ReleaseLabel"] = "emr-6.5.0"
    assert _outcomes(body)["EMR-REL1"][0] == "COMPLIANT", "supported until 2026-09-01, the table is as of 2026-08-01"
    status, message = _outcomes(body, Options(as_of=date(2026, 11, 22)))["EMR-REL1"]
    assert status == "NON_COMPLIANT" and "left EMR standard support on 2026-09-01" in message
    floor = Options(release_floor=ReleaseLabel.of("emr-7.0.0"))
    assert _outcomes(body, floor)["EMR-REL1"] == ("NON_COMPLIANT", "emr-6.5.0 is below the release floor emr-7.0.0")


def test_termination_protection_satisfies_the_lifecycle_rule() -> None:
    body = template()
    del cluster(body)["AutoTerminationPolicy"]
    _instances(body)["TerminationProtected"] = True
    assert _outcomes(body)["EMR-OPS1"][0] == "COMPLIANT"


def test_untagged_clusters_need_no_kerberos() -> None:
    body = template()
    del cluster(body)["Tags"]
    _doc(body).pop("AuthorizationConfiguration")
    assert _outcomes(body)["EMR-AUTH1"][0] == "NOT_APPLICABLE"


def test_instance_groups_task_configs_count_as_scalable() -> None:
    body = template()
    instances = _instances(body)
    for key in ("MasterInstanceFleet", "CoreInstanceFleet", "TaskInstanceFleets"):
        instances.pop(key)
    instances["MasterInstanceGroup"] = {"InstanceCount": 1, "InstanceType": "m5.xlarge"}
    instances["CoreInstanceGroup"] = {"InstanceCount": 2, "InstanceType": "m5.xlarge"}
    del cluster(body)["ManagedScalingPolicy"]
    body["Resources"]["Tasks"] = {
        "Type": "AWS::EMR::InstanceGroupConfig",
        "Properties": {
            "JobFlowId": {"Ref": "Cluster"},
            "InstanceRole": "TASK",
            "InstanceCount": 2,
            "InstanceType": "m5.xlarge",
        },
    }
    assert _outcomes(body)["EMR-OPS3"][0] == "NON_COMPLIANT"
    body["Resources"]["Tasks"]["Properties"]["AutoScalingPolicy"] = {
        "Constraints": {"MinCapacity": 0, "MaxCapacity": 4}
    }
    assert _outcomes(body)["EMR-OPS3"][0] == "COMPLIANT"


def test_every_rule_is_documented() -> None:
    page = Path("docs/policy-rules.md").read_text()
    assert page == render(), "regenerate: python -m emr_constructs.policy.docs > docs/policy-rules.md"
    for rule in BY_ID.values():
        assert f"### {rule.id}" in page, rule.id
        assert rule.fix in " ".join(page.split()), rule.id
