"""Raw CloudFormation, as another team would write it without this library: one compliant cluster template that
each test changes in one place."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest

from emr_constructs.cli import main
from emr_constructs.policy.rules_deploy import RESOURCE_RULES, ResourceRule, judge_resources
from emr_constructs.policy.templates import Template, TemplateSet

SECURITY_DOCUMENT: dict[str, Any] = {
    "EncryptionConfiguration": {
        "EnableInTransitEncryption": True,
        "EnableAtRestEncryption": True,
        "InTransitEncryptionConfiguration": {
            "TLSCertificateConfiguration": {"CertificateProviderType": "PEM", "S3Object": "s3://certs/certs.zip"}
        },
        "AtRestEncryptionConfiguration": {
            "S3EncryptionConfiguration": {
                "EncryptionMode": "SSE-KMS",
                "AwsKmsKey": "arn:aws:kms:eu-west-1:111111111111:key/a",
            },
            "LocalDiskEncryptionConfiguration": {
                "EncryptionKeyProviderType": "AwsKms",
                "AwsKmsKey": "arn:aws:kms:eu-west-1:111111111111:key/b",
                "EnableEbsEncryption": True,
            },
        },
    },
    "AuthorizationConfiguration": {"IAMConfiguration": {"EnableApplicationScopedIAMRole": True}},
    "InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": 2, "HttpPutResponseHopLimit": 1},
}

_TEMPLATE: dict[str, Any] = {
    "Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "Private": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24", "MapPublicIpOnLaunch": False},
        },
        "Security": {
            "Type": "AWS::EMR::SecurityConfiguration",
            "Properties": {"SecurityConfiguration": SECURITY_DOCUMENT},
        },
        "InstanceRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {"Statement": []},
                "Policies": [
                    {
                        "PolicyName": "data",
                        "PolicyDocument": {
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Action": ["s3:PutObject"],
                                    "Resource": "arn:aws:s3:::data-bucket/*",
                                }
                            ]
                        },
                    }
                ],
            },
        },
        "InstanceProfile": {"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": [{"Ref": "InstanceRole"}]}},
        "ServiceRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {"Statement": []},
                "ManagedPolicyArns": [
                    {
                        "Fn::Join": [
                            "",
                            [
                                "arn:",
                                {"Ref": "AWS::Partition"},
                                ":iam::aws:policy/service-role/AmazonEMRServicePolicy_v2",
                            ],
                        ]
                    }
                ],
            },
        },
        "Cluster": {
            "Type": "AWS::EMR::Cluster",
            "Properties": {
                "Name": "raw",
                "ReleaseLabel": "emr-7.12.0",
                "JobFlowRole": {"Ref": "InstanceProfile"},
                "ServiceRole": {"Fn::GetAtt": ["ServiceRole", "Arn"]},
                "SecurityConfiguration": {"Ref": "Security"},
                "LogUri": "s3://logs-bucket/emr/",
                "LogEncryptionKmsKeyId": "arn:aws:kms:eu-west-1:111111111111:key/c",
                "AutoTerminationPolicy": {"IdleTimeout": 3600},
                "ManagedScalingPolicy": {
                    "ComputeLimits": {
                        "UnitType": "InstanceFleetUnits",
                        "MinimumCapacityUnits": 2,
                        "MaximumCapacityUnits": 10,
                    }
                },
                "Tags": [{"Key": "emr-constructs:multi-tenant", "Value": "true"}],
                "Instances": {
                    "Ec2SubnetIds": [{"Ref": "Private"}],
                    "EmrManagedMasterSecurityGroup": "sg-1",
                    "EmrManagedSlaveSecurityGroup": "sg-2",
                    "ServiceAccessSecurityGroup": "sg-3",
                    "UnhealthyNodeReplacement": True,
                    "MasterInstanceFleet": {
                        "TargetOnDemandCapacity": 1,
                        "InstanceTypeConfigs": [{"InstanceType": "m7g.xlarge"}],
                    },
                    "CoreInstanceFleet": {
                        "TargetOnDemandCapacity": 2,
                        "InstanceTypeConfigs": [{"InstanceType": "m7g.2xlarge"}],
                    },
                    "TaskInstanceFleets": [
                        {
                            "TargetSpotCapacity": 4,
                            "InstanceTypeConfigs": [{"InstanceType": "m7g.2xlarge"}, {"InstanceType": "r7g.2xlarge"}],
                            "LaunchSpecifications": {
                                "SpotSpecification": {
                                    "AllocationStrategy": "price-capacity-optimized",
                                    "TimeoutAction": "SWITCH_TO_ON_DEMAND",
                                    "TimeoutDurationMinutes": 30,
                                }
                            },
                        }
                    ],
                },
            },
        },
    }
}


def template() -> dict[str, Any]:
    """A deep copy of the compliant template."""
    return copy.deepcopy(_TEMPLATE)


def cluster(body: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = body["Resources"]["Cluster"]["Properties"]
    return properties


def as_json(body: dict[str, Any]) -> str:
    return json.dumps(body, indent=1)


def template_set(*bodies: dict[str, Any]) -> TemplateSet:
    """The bodies as templates ``t0``, ``t1``, ... of one set."""
    templates = TemplateSet()
    for index, body in enumerate(bodies):
        name = f"t{index}"
        templates.add(Template(name, f"{name}.json", body, name))
    return templates


def rule_outcomes(
    *bodies: dict[str, Any], rules: Iterable[ResourceRule] = RESOURCE_RULES
) -> dict[str, dict[str, tuple[str, str]]]:
    """Rule id -> logical id -> (status, message) of ``rules`` over the bodies."""
    chosen = tuple(rules)
    found: dict[str, dict[str, tuple[str, str]]] = {rule.id: {} for rule in chosen}
    for rule, resource, outcome in judge_resources(template_set(*bodies), None, chosen):
        found[rule.id][resource.logical_id] = (outcome.status, outcome.message)
    return found


def check_command_text(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    compliant: dict[str, Any],
    insecure: dict[str, Any],
    expected: Sequence[tuple[str, str, str]],
) -> str:
    """Run ``emr-constructs check`` (no cfn-lint) on ``compliant.json`` (exit 0) and ``insecure.json`` (exit 1, with
    exactly the ``expected`` (rule id, logical id, level) findings in its JSON report); the text report of the
    insecure one."""
    compliant_path, insecure_path = tmp_path / "compliant.json", tmp_path / "insecure.json"
    compliant_path.write_text(json.dumps(compliant))
    insecure_path.write_text(json.dumps(insecure))
    assert main(["check", str(compliant_path), "--no-cfn-lint"]) == 0
    capsys.readouterr()
    assert main(["check", str(insecure_path), "--no-cfn-lint", "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert sorted((f["rule"], f["logicalId"]) for f in findings) == [
        (f"EmrChecks-{rule_id}", logical_id) for rule_id, logical_id, _ in expected
    ]
    assert main(["check", str(insecure_path), "--no-cfn-lint"]) == 1
    return capsys.readouterr().out
