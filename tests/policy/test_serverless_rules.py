"""The EMR Serverless rules (EMR-SLS1 to EMR-SLS7) on raw templates: the compliant template, each way to break a
rule, values the template set cannot resolve (not applicable, never a guessed failure), and both adapters
(``emr-constructs check`` and the ``EmrChecks`` pack) reporting them on the application or the role."""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_emrserverless as emrserverless
from aws_cdk import aws_iam as iam

from emr_constructs.policy.engine import check_templates
from emr_constructs.policy.nag_pack import EmrChecks
from emr_constructs.policy.rules import BY_ID, JUDGED_RULES
from emr_constructs.policy.serverless_rules import SERVERLESS_RULES
from tests.nag import emr_checks_violations
from tests.policy.fixtures import check_command_text, rule_outcomes, template_set

Body = dict[str, Any]
SLS = [rule.id for rule in SERVERLESS_RULES]
KEY_ARN = {"Fn::GetAtt": ["Key", "Arn"]}
PARTITION = {"Ref": "AWS::Partition"}
TRUST = {
    "Effect": "Allow",
    "Principal": {"Service": "emr-serverless.amazonaws.com"},
    "Action": "sts:AssumeRole",
    "Condition": {
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
        "ArnLike": {"aws:SourceArn": {"Fn::GetAtt": ["Application", "Arn"]}},
    },
}
READ_DATA = {
    "Sid": "ReadData",
    "Effect": "Allow",
    "Action": ["s3:GetObject", "s3:ListBucket"],
    "Resource": [
        {"Fn::Join": ["", ["arn:", PARTITION, ":s3:::data-bucket"]]},
        {"Fn::Join": ["", ["arn:", PARTITION, ":s3:::data-bucket/*"]]},
    ],
}
_TEMPLATE: Body = {
    "Parameters": {"Elsewhere": {"Type": "String"}, "Subnets": {"Type": "List<AWS::EC2::Subnet::Id>"}},
    "Resources": {
        "Key": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": True, "KeyPolicy": {"Statement": []}}},
        "LogGroup": {"Type": "AWS::Logs::LogGroup", "Properties": {"KmsKeyId": KEY_ARN, "RetentionInDays": 365}},
        "Group": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "jobs", "VpcId": "vpc-1"}},
        "Application": {
            "Type": "AWS::EMRServerless::Application",
            "Properties": {
                "Name": "analytics",
                "ReleaseLabel": "emr-7.12.0",
                "Type": "SPARK",
                "NetworkConfiguration": {
                    "SubnetIds": ["subnet-0a", "subnet-0b"],
                    "SecurityGroupIds": [{"Fn::GetAtt": ["Group", "GroupId"]}],
                },
                "MaximumCapacity": {"Cpu": "64 vCPU", "Memory": "256 GB"},
                "AutoStopConfiguration": {"Enabled": True, "IdleTimeoutMinutes": 15},
                "MonitoringConfiguration": {
                    "S3MonitoringConfiguration": {"LogUri": "s3://logs-bucket/sls/", "EncryptionKeyArn": KEY_ARN},
                    "CloudWatchLoggingConfiguration": {
                        "Enabled": True,
                        "LogGroupName": {"Ref": "LogGroup"},
                        "EncryptionKeyArn": KEY_ARN,
                    },
                },
            },
        },
        "ExecutionRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [TRUST]},
                "Policies": [{"PolicyName": "data", "PolicyDocument": {"Statement": [READ_DATA]}}],
                "ManagedPolicyArns": [
                    {"Ref": "Catalog"},
                    {"Fn::Join": ["", ["arn:", PARTITION, ":iam::aws:policy/CloudWatchAgentServerPolicy"]]},
                ],
            },
        },
        "LogAccess": {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {
                "Roles": [{"Ref": "ExecutionRole"}],
                "PolicyDocument": {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["s3:PutObject", "s3:GetObject"],
                            "Resource": "arn:aws:s3:::logs-bucket/sls/*",
                        },
                        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": KEY_ARN},
                    ]
                },
            },
        },
        "Catalog": {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {
                "PolicyDocument": {
                    "Statement": [
                        {
                            "Sid": "Catalog",
                            "Effect": "Allow",
                            "Action": ["glue:GetTable", "glue:GetPartitions"],
                            "Resource": [
                                {"Fn::Sub": "arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:catalog"},
                                {"Fn::Sub": "arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:table/db/*"},
                            ],
                        }
                    ]
                }
            },
        },
        "Grants": {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "PolicyName": "grants",
                "Roles": [{"Ref": "ExecutionRole"}],
                "PolicyDocument": {
                    "Statement": [
                        # Actions without resource types: "*" is their only form, and none of them is a data action.
                        {"Effect": "Allow", "Action": "lakeformation:GetDataAccess", "Resource": "*"},
                        {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "arn:aws:s3:::*"},
                        {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"x": "y"}}},
                    ]
                },
            },
        },
        "FunctionRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ]
                },
                "Policies": [
                    {
                        "PolicyName": "wide",
                        "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]},
                    }
                ],
            },
        },
    },
}


def template() -> Body:
    return copy.deepcopy(_TEMPLATE)


def _outcomes(*bodies: Body) -> dict[str, dict[str, tuple[str, str]]]:
    """Rule id -> logical id -> (status, message)."""
    return rule_outcomes(*bodies, rules=SERVERLESS_RULES)


def _outcome(rule_id: str, body: Body, logical_id: str = "Application") -> tuple[str, str]:
    return _outcomes(body)[rule_id][logical_id]


def _changed(change: Callable[[Body], None]) -> Body:
    body = template()
    change(body)
    return body


def _application(body: Body) -> dict[str, Any]:
    properties: dict[str, Any] = body["Resources"]["Application"]["Properties"]
    return properties


def _monitoring(body: Body, part: str) -> dict[str, Any]:
    monitoring: dict[str, Any] = _application(body)["MonitoringConfiguration"][part]
    return monitoring


def _trust(body: Body) -> dict[str, Any]:
    statement: dict[str, Any] = body["Resources"]["ExecutionRole"]["Properties"]["AssumeRolePolicyDocument"][
        "Statement"
    ][0]
    return statement


def _inline(body: Body) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = body["Resources"]["ExecutionRole"]["Properties"]["Policies"][0][
        "PolicyDocument"
    ]["Statement"]
    return statements


# -- the compliant template and the rules' registration ------------------------------------------------------------


def test_the_compliant_template_passes_every_serverless_rule() -> None:
    outcomes = _outcomes(template())
    for rule_id in ("EMR-SLS1", "EMR-SLS2", "EMR-SLS3", "EMR-SLS4", "EMR-SLS5"):
        assert outcomes[rule_id] == {"Application": ("COMPLIANT", "")}, rule_id
    # Only the role that emr-serverless may assume is an execution role; the Lambda function's role is not judged.
    assert outcomes["EMR-SLS6"] == {"ExecutionRole": ("COMPLIANT", "")}
    assert outcomes["EMR-SLS7"] == {"ExecutionRole": ("COMPLIANT", "")}


def test_the_rules_are_registered_with_their_levels() -> None:
    levels = {rule.id: rule.level for rule in SERVERLESS_RULES}
    assert levels == {
        "EMR-SLS1": "error",
        "EMR-SLS2": "warning",
        "EMR-SLS3": "warning",
        "EMR-SLS4": "error",
        "EMR-SLS5": "error",
        "EMR-SLS6": "error",
        "EMR-SLS7": "error",
    }
    for rule in SERVERLESS_RULES:
        assert BY_ID[rule.id] is rule and rule in JUDGED_RULES and rule.title and rule.explanation and rule.fix


# -- EMR-SLS1: in a VPC --------------------------------------------------------------------------------------------


def test_fails_without_a_network_configuration() -> None:
    body = _changed(lambda b: _application(b).pop("NetworkConfiguration"))
    assert _outcome("EMR-SLS1", body) == ("NON_COMPLIANT", "no NetworkConfiguration: the workers run outside your VPC")


def test_fails_without_security_groups() -> None:
    body = _changed(lambda b: _application(b)["NetworkConfiguration"].update(SecurityGroupIds=[]))
    assert _outcome("EMR-SLS1", body) == ("NON_COMPLIANT", "NetworkConfiguration has no SecurityGroupIds")


def test_subnets_from_a_parameter_are_not_applicable() -> None:
    body = _changed(lambda b: _application(b)["NetworkConfiguration"].update(SubnetIds={"Ref": "Subnets"}))
    assert _outcome("EMR-SLS1", body) == ("NOT_APPLICABLE", "NetworkConfiguration.SubnetIds is not resolvable")


# -- EMR-SLS2: maximum capacity ------------------------------------------------------------------------------------


def test_fails_without_maximum_capacity() -> None:
    status, message = _outcome("EMR-SLS2", _changed(lambda b: _application(b).pop("MaximumCapacity")))
    assert status == "NON_COMPLIANT" and "no MaximumCapacity" in message


def test_fails_without_a_memory_limit() -> None:
    body = _changed(lambda b: _application(b)["MaximumCapacity"].pop("Memory"))
    assert _outcome("EMR-SLS2", body) == ("NON_COMPLIANT", "MaximumCapacity has no Memory")


def test_a_capacity_from_a_parameter_is_not_applicable() -> None:
    body = _changed(lambda b: _application(b)["MaximumCapacity"].update(Cpu={"Ref": "Elsewhere"}))
    assert _outcome("EMR-SLS2", body) == ("NOT_APPLICABLE", "MaximumCapacity.Cpu is not resolvable")


# -- EMR-SLS3: auto-stop -------------------------------------------------------------------------------------------


def test_auto_stop_is_on_by_default() -> None:
    body = _changed(lambda b: _application(b).pop("AutoStopConfiguration"))
    assert _outcome("EMR-SLS3", body) == ("COMPLIANT", "")


@pytest.mark.parametrize("off", [False, "false"])
def test_fails_when_auto_stop_is_off(off: Any) -> None:
    body = _changed(lambda b: _application(b)["AutoStopConfiguration"].update(Enabled=off))
    status, message = _outcome("EMR-SLS3", body)
    assert status == "NON_COMPLIANT" and message.startswith("AutoStopConfiguration.Enabled is false")


def test_auto_stop_from_a_parameter_is_not_applicable() -> None:
    body = _changed(lambda b: _application(b)["AutoStopConfiguration"].update(Enabled={"Ref": "Elsewhere"}))
    assert _outcome("EMR-SLS3", body)[0] == "NOT_APPLICABLE"


# -- EMR-SLS4: S3 logs with a customer managed key -----------------------------------------------------------------


def test_fails_without_s3_monitoring() -> None:
    body = _changed(lambda b: _application(b)["MonitoringConfiguration"].pop("S3MonitoringConfiguration"))
    status, message = _outcome("EMR-SLS4", body)
    assert status == "NON_COMPLIANT" and "no MonitoringConfiguration.S3MonitoringConfiguration" in message


def test_fails_without_an_s3_log_key() -> None:
    body = _changed(lambda b: _monitoring(b, "S3MonitoringConfiguration").pop("EncryptionKeyArn"))
    assert _outcome("EMR-SLS4", body) == ("NON_COMPLIANT", "S3MonitoringConfiguration.EncryptionKeyArn is not set")


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ({"Ref": "Key"}, "is the Ref of Key (AWS::KMS::Key), not a KMS key's ARN"),
        ({"Fn::GetAtt": ["LogGroup", "Arn"]}, "is the Fn::GetAtt Arn of LogGroup (AWS::Logs::LogGroup)"),
        ("arn:aws:kms:eu-west-1:111111111111:alias/aws/s3", "is not a KMS key ARN"),
    ],
)
def test_fails_on_something_other_than_a_key_arn(key: Any, expected: str) -> None:
    body = _changed(lambda b: _monitoring(b, "S3MonitoringConfiguration").update(EncryptionKeyArn=key))
    status, message = _outcome("EMR-SLS4", body)
    assert status == "NON_COMPLIANT" and expected in message


@pytest.mark.parametrize(
    "key",
    [
        "arn:aws:kms:eu-west-1:111111111111:key/0a1b",
        {"Fn::Join": ["", ["arn:", PARTITION, ":kms:eu-west-1:", {"Ref": "AWS::AccountId"}, ":key/0a1b"]]},
    ],
)
def test_a_key_arn_outside_the_template_passes(key: Any) -> None:
    body = _changed(lambda b: _monitoring(b, "S3MonitoringConfiguration").update(EncryptionKeyArn=key))
    assert _outcome("EMR-SLS4", body) == ("COMPLIANT", "")


def test_a_key_from_a_parameter_is_not_applicable() -> None:
    body = _changed(lambda b: _monitoring(b, "S3MonitoringConfiguration").update(EncryptionKeyArn={"Ref": "Elsewhere"}))
    assert _outcome("EMR-SLS4", body) == (
        "NOT_APPLICABLE",
        "S3MonitoringConfiguration.EncryptionKeyArn is not resolvable",
    )


def test_a_key_in_another_template_is_followed() -> None:
    keys: Body = {
        "Resources": {"Key": _TEMPLATE["Resources"]["Key"]},
        "Outputs": {"KeyArn": {"Value": KEY_ARN, "Export": {"Name": "log-key-arn"}}},
    }
    body = _changed(
        lambda b: _monitoring(b, "S3MonitoringConfiguration").update(
            EncryptionKeyArn={"Fn::ImportValue": "log-key-arn"}
        )
    )
    assert _outcomes(body, keys)["EMR-SLS4"]["Application"] == ("COMPLIANT", "")


# -- EMR-SLS5: CloudWatch logs encrypted ---------------------------------------------------------------------------


def test_cloudwatch_logging_off_is_not_applicable() -> None:
    body = _changed(lambda b: _monitoring(b, "CloudWatchLoggingConfiguration").update(Enabled=False))
    assert _outcome("EMR-SLS5", body) == ("NOT_APPLICABLE", "CloudWatch logging is off")


def test_fails_without_a_cloudwatch_key() -> None:
    body = _changed(lambda b: _monitoring(b, "CloudWatchLoggingConfiguration").pop("EncryptionKeyArn"))
    assert _outcome("EMR-SLS5", body) == (
        "NON_COMPLIANT",
        "CloudWatchLoggingConfiguration.EncryptionKeyArn is not set",
    )


def test_fails_on_an_unencrypted_log_group() -> None:
    body = _changed(lambda b: b["Resources"]["LogGroup"]["Properties"].pop("KmsKeyId"))
    assert _outcome("EMR-SLS5", body) == ("NON_COMPLIANT", "log group LogGroup has no KmsKeyId")


def test_fails_on_an_unencrypted_log_group_named_literally() -> None:
    def change(body: Body) -> None:
        body["Resources"]["LogGroup"]["Properties"] = {"LogGroupName": "/emr-serverless/analytics"}
        _monitoring(body, "CloudWatchLoggingConfiguration")["LogGroupName"] = "/emr-serverless/analytics"

    assert _outcome("EMR-SLS5", _changed(change)) == ("NON_COMPLIANT", "log group LogGroup has no KmsKeyId")


def test_a_log_group_outside_the_template_is_not_judged() -> None:
    body = _changed(lambda b: _monitoring(b, "CloudWatchLoggingConfiguration").update(LogGroupName="/elsewhere"))
    assert _outcome("EMR-SLS5", body) == ("COMPLIANT", "")


def test_a_log_group_name_from_a_parameter_is_not_applicable() -> None:
    body = _changed(
        lambda b: _monitoring(b, "CloudWatchLoggingConfiguration").update(LogGroupName={"Ref": "Elsewhere"})
    )
    assert _outcome("EMR-SLS5", body) == (
        "NOT_APPLICABLE",
        "CloudWatchLoggingConfiguration.LogGroupName is not resolvable",
    )


# -- EMR-SLS6: execution-role trust scoped -------------------------------------------------------------------------


def test_fails_without_trust_conditions() -> None:
    body = _changed(lambda b: _trust(b).pop("Condition"))
    assert _outcome("EMR-SLS6", body, "ExecutionRole") == (
        "NON_COMPLIANT",
        "trust statement 1 lets emr-serverless.amazonaws.com assume it without aws:SourceAccount or aws:SourceArn",
    )


def test_fails_without_a_source_arn() -> None:
    def change(body: Body) -> None:
        _trust(body)["Sid"] = "EmrServerless"
        del _trust(body)["Condition"]["ArnLike"]

    assert _outcome("EMR-SLS6", _changed(change), "ExecutionRole") == (
        "NON_COMPLIANT",
        "trust statement EmrServerless lets emr-serverless.amazonaws.com assume it without aws:SourceArn",
    )


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:SourceAccount": "*"}, "ArnLike": {"aws:SourceArn": "*"}},
        {"StringNotEquals": {"aws:SourceAccount": "111111111111"}, "ArnLike": {"aws:SourceArn": "arn:aws:x"}},
    ],
    ids=["wildcard values", "an operator that does not scope"],
)
def test_fails_on_conditions_that_scope_nothing(condition: dict[str, Any]) -> None:
    body = _changed(lambda b: _trust(b).update(Condition=condition))
    status, message = _outcome("EMR-SLS6", body, "ExecutionRole")
    assert status == "NON_COMPLIANT" and "without aws:SourceAccount" in message


def test_fails_on_a_service_list_with_an_unscoped_statement() -> None:
    def change(body: Body) -> None:
        statements = body["Resources"]["ExecutionRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        statements.append(
            {
                "Effect": "Allow",
                "Principal": {"Service": ["glue.amazonaws.com", "emr-serverless.amazonaws.com"]},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
            }
        )

    status, message = _outcome("EMR-SLS6", _changed(change), "ExecutionRole")
    assert status == "NON_COMPLIANT" and message.startswith("trust statement 2 ")


def test_keys_are_case_insensitive_and_any_scoping_operator_counts() -> None:
    condition = {"StringLike": {"AWS:SOURCEACCOUNT": "111111111111"}, "ArnEquals": {"aws:sourcearn": "arn:aws:x"}}
    body = _changed(lambda b: _trust(b).update(Condition=condition))
    assert _outcome("EMR-SLS6", body, "ExecutionRole") == ("COMPLIANT", "")


def test_an_unresolvable_trust_is_not_applicable() -> None:
    body = _changed(lambda b: _trust(b).update(Condition={"Fn::If": ["Prod", {}, {}]}))
    assert _outcome("EMR-SLS6", body, "ExecutionRole") == (
        "NOT_APPLICABLE",
        "the conditions of trust statement 1 are not resolvable",
    )
    body = _changed(lambda b: _trust(b).update(Principal={"Service": {"Ref": "Elsewhere"}}))
    assert _outcome("EMR-SLS6", body, "ExecutionRole")[0] == "NOT_APPLICABLE"
    assert _outcome("EMR-SLS7", body, "ExecutionRole")[0] == "NOT_APPLICABLE"


# -- EMR-SLS7: no data access on every resource --------------------------------------------------------------------


def test_fails_on_data_actions_on_every_resource_inline() -> None:
    body = _changed(lambda b: _inline(b).append({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))
    status, message = _outcome("EMR-SLS7", body, "ExecutionRole")
    assert status == "NON_COMPLIANT"
    assert (
        "inline policy data statement 2 allows s3:GetObject, s3:GetObjectVersion, s3:ListBucket and 3 more" in message
    )


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "Action": "GLUE:Get*", "Resource": ["*"]},
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*/*"},
        {"Effect": "Allow", "Action": "dynamodb:Query", "Resource": {"Fn::Sub": "arn:${AWS::Partition}:s3:::*"}},
        {"Effect": "Allow", "Action": "kafka-cluster:ReadData", "NotResource": "arn:aws:kafka:::topic/x"},
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
    ],
    ids=["glue wildcard", "admin", "every object", "every resource part", "NotResource", "NotAction"],
)
def test_fails_on_any_form_of_every_resource(statement: dict[str, Any]) -> None:
    body = _changed(lambda b: _inline(b).append(statement))
    assert _outcome("EMR-SLS7", body, "ExecutionRole")[0] == "NON_COMPLIANT"


def test_fails_through_an_attached_policy() -> None:
    extra = {"Effect": "Allow", "Action": ["kinesis:GetRecords"], "Resource": "*"}
    body = _changed(lambda b: b["Resources"]["Grants"]["Properties"]["PolicyDocument"]["Statement"].append(extra))
    assert _outcome("EMR-SLS7", body, "ExecutionRole") == (
        "NON_COMPLIANT",
        "policy Grants statement 4 allows kinesis:GetRecords on every resource",
    )


def test_fails_through_a_managed_policy_arn_of_the_template() -> None:
    statement = {"Sid": "Catalog", "Effect": "Allow", "Action": "glue:*", "Resource": "*"}
    body = _changed(lambda b: b["Resources"]["Catalog"]["Properties"]["PolicyDocument"].update(Statement=[statement]))
    status, message = _outcome("EMR-SLS7", body, "ExecutionRole")
    assert status == "NON_COMPLIANT" and message.startswith("managed policy Catalog statement Catalog allows glue:")


def test_fails_through_a_broad_aws_managed_policy() -> None:
    arn = {"Fn::Join": ["", ["arn:", PARTITION, ":iam::aws:policy/AmazonS3ReadOnlyAccess"]]}
    body = _changed(lambda b: b["Resources"]["ExecutionRole"]["Properties"]["ManagedPolicyArns"].append(arn))
    assert _outcome("EMR-SLS7", body, "ExecutionRole") == (
        "NON_COMPLIANT",
        "AWS managed policy AmazonS3ReadOnlyAccess grants data actions on every resource",
    )


def test_fails_through_a_policy_in_another_template() -> None:
    roles: Body = template()
    roles["Outputs"] = {"Role": {"Value": {"Ref": "ExecutionRole"}, "Export": {"Name": "execution-role"}}}
    grants: Body = {
        "Resources": {
            "TeamGrants": {
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "PolicyName": "team",
                    "Roles": [{"Fn::ImportValue": "execution-role"}],
                    "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]},
                },
            }
        }
    }
    status, message = _outcomes(roles, grants)["EMR-SLS7"]["ExecutionRole"]
    assert status == "NON_COMPLIANT" and message.startswith("policy TeamGrants statement 1 allows dynamodb:GetItem")


def test_a_resource_from_a_parameter_is_not_applicable() -> None:
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": {"Ref": "Elsewhere"}}
    body = _changed(lambda b: _inline(b).append(statement))
    assert _outcome("EMR-SLS7", body, "ExecutionRole") == (
        "NOT_APPLICABLE",
        "whether inline policy data statement 2 grants data actions on every resource is not resolvable",
    )


# -- both adapters -------------------------------------------------------------------------------------------------


def _insecure() -> Body:
    body = template()
    application = _application(body)
    for field in ("NetworkConfiguration", "MaximumCapacity", "MonitoringConfiguration"):
        del application[field]
    application["AutoStopConfiguration"] = {"Enabled": False}
    del _trust(body)["Condition"]
    _inline(body).append({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    return body


INSECURE = [
    ("EMR-SLS1", "Application", "error"),
    ("EMR-SLS2", "Application", "warning"),
    ("EMR-SLS3", "Application", "warning"),
    ("EMR-SLS4", "Application", "error"),
    ("EMR-SLS6", "ExecutionRole", "error"),
    ("EMR-SLS7", "ExecutionRole", "error"),
]


def test_check_templates_reports_each_finding_on_its_resource() -> None:
    assert check_templates(template_set(template())) == []
    found = sorted((f.rule.id, f.logical_id, f.level) for f in check_templates(template_set(_insecure())))
    assert found == INSECURE


def test_a_waiver_with_a_reason_waives_a_serverless_rule() -> None:
    body = _insecure()
    body["Resources"]["Application"]["Metadata"] = {
        "cdk_nag": {"rules_to_suppress": [{"id": "EmrChecks-EMR-SLS2", "reason": "bounded by the account quota"}]}
    }
    waived = [(f.rule.id, f.waived_reason) for f in check_templates(template_set(body)) if f.waived_reason]
    assert waived == [("EMR-SLS2", "bounded by the account quota")]


def test_the_check_command_reports_them(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = check_command_text(capsys, tmp_path, template(), _insecure(), INSECURE)
    assert "ERROR   EmrChecks-EMR-SLS1" in out and "insecure:Application" in out
    assert "WARNING EmrChecks-EMR-SLS2" in out
    assert "Fix: Set NetworkConfiguration.SubnetIds" in out


# -- EmrChecks on a CDK app of raw L1s -----------------------------------------------------------------------------


def _cdk_app(*, secure: bool) -> cdk.App:
    """A team's app with a raw ``CfnApplication`` and ``CfnRole`` (no construct of this library)."""
    app = cdk.App(outdir=tempfile.mkdtemp(prefix="emr-checks-sls-"))
    stack = cdk.Stack(app, "Team")
    key = cdk.CfnResource(stack, "Key", type="AWS::KMS::Key", properties={"KeyPolicy": {"Statement": []}})
    key_arn = key.get_att("Arn").to_string()
    cfn = emrserverless.CfnApplication
    application = cfn(
        stack,
        "Application",
        release_label="emr-7.12.0",
        type="SPARK",
        network_configuration=cfn.NetworkConfigurationProperty(subnet_ids=["subnet-0a"], security_group_ids=["sg-1"])
        if secure
        else None,
        maximum_capacity=cfn.MaximumAllowedResourcesProperty(cpu="16 vCPU", memory="64 GB") if secure else None,
        auto_stop_configuration=cfn.AutoStopConfigurationProperty(enabled=secure),
        monitoring_configuration=cfn.MonitoringConfigurationProperty(
            s3_monitoring_configuration=cfn.S3MonitoringConfigurationProperty(
                log_uri="s3://logs-bucket/sls/", encryption_key_arn=key_arn if secure else None
            )
        ),
    )
    condition = {
        "StringEquals": {"aws:SourceAccount": stack.account},
        "ArnLike": {"aws:SourceArn": application.attr_arn},
    }
    trust = {"Effect": "Allow", "Principal": {"Service": "emr-serverless.amazonaws.com"}, "Action": "sts:AssumeRole"}
    resource = "arn:aws:s3:::data-bucket/*" if secure else "*"
    iam.CfnRole(
        stack,
        "ExecutionRole",
        assume_role_policy_document={"Statement": [{**trust, "Condition": condition} if secure else trust]},
        policies=[
            iam.CfnRole.PolicyProperty(
                policy_name="data",
                policy_document={"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": resource}]},
            )
        ],
    )
    cdk.Validations.of(app).add_plugins(EmrChecks(app))
    return app


def test_emr_checks_reports_them_on_the_application_and_the_role() -> None:
    assert emr_checks_violations(_cdk_app(secure=False)) == [
        ("EmrChecks-EMR-SLS1", "Team/Application"),
        ("EmrChecks-EMR-SLS2", "Team/Application"),
        ("EmrChecks-EMR-SLS3", "Team/Application"),
        ("EmrChecks-EMR-SLS4", "Team/Application"),
        ("EmrChecks-EMR-SLS6", "Team/ExecutionRole"),
        ("EmrChecks-EMR-SLS7", "Team/ExecutionRole"),
    ]


def test_emr_checks_passes_a_compliant_application_and_role() -> None:
    assert emr_checks_violations(_cdk_app(secure=True)) == []


def test_emr_checks_judges_an_execution_role_in_an_app_without_an_application() -> None:
    app = cdk.App(outdir=tempfile.mkdtemp(prefix="emr-checks-sls-"))
    stack = cdk.Stack(app, "Roles")
    trust = {"Effect": "Allow", "Principal": {"Service": "emr-serverless.amazonaws.com"}, "Action": "sts:AssumeRole"}
    iam.CfnRole(stack, "ExecutionRole", assume_role_policy_document={"Statement": [trust]})
    cdk.Validations.of(app).add_plugins(EmrChecks(app))
    assert emr_checks_violations(app) == [("EmrChecks-EMR-SLS6", "Roles/ExecutionRole")]
