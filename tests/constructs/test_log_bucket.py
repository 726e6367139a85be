"""EmrLogBucket: encryption, TLS, public access, versioning, lifecycle, access logging, retention, nag."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Match, Template
from cfnlint.api import ManualArgs, lint

from emr_constructs.logging import EmrLogBucket
from tests.nag import Finding, nag_app, synth_findings

ENV = cdk.Environment(account="111111111111", region="eu-west-1")


def _stack(app: cdk.App, name: str) -> cdk.Stack:
    return cdk.Stack(app, name, env=ENV)


def _cfn_lint(template: Template) -> list[str]:
    matches = lint(json.dumps(template.to_json()), config=ManualArgs(regions=[ENV.region]))
    return [f"{m.rule.id} {m.message} {m.path}" for m in matches]


def _logical_id(template: Template, resource_type: str, props: dict[str, Any]) -> str:
    found = template.find_resources(resource_type, {"Properties": props})
    assert len(found) == 1, found
    return next(iter(found))


class Built:
    def __init__(self) -> None:
        app = cdk.App()
        default_stack = _stack(app, "Default")
        self.default = EmrLogBucket(default_stack, "Logs")
        custom_stack = _stack(app, "Custom")
        self.key = kms.Key(custom_stack, "OwnKey", enable_key_rotation=True)
        self.custom = EmrLogBucket(
            custom_stack,
            "Logs",
            encryption_key=self.key,
            bucket_name="analytics-emr-logs-111111111111",
            log_retention_days=90,
            transition_to_infrequent_access_days=None,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        # An app whose cdk.json turns the access-log bucket-policy flag off must still get policy delivery.
        legacy_app = cdk.App(context={"@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": False})
        EmrLogBucket(_stack(legacy_app, "Legacy"), "Logs")
        self.default_template = Template.from_stack(default_stack)
        self.custom_template = Template.from_stack(custom_stack)
        self.legacy_template = Template.from_json(legacy_app.synth().get_stack_by_name("Legacy").template)


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


@pytest.fixture(scope="module")
def template(built: Built) -> Template:
    return built.default_template


@pytest.fixture(scope="module")
def ids(template: Template) -> dict[str, str]:
    return {
        "key": next(iter(template.find_resources("AWS::KMS::Key"))),
        "bucket": _logical_id(template, "AWS::S3::Bucket", {"LoggingConfiguration": Match.any_value()}),
        "access": _logical_id(
            template,
            "AWS::S3::Bucket",
            {"LoggingConfiguration": Match.absent(), "BucketEncryption": Match.any_value()},
        ),
    }


@pytest.fixture(scope="module")
def nag_findings() -> list[Finding]:
    app = nag_app()
    EmrLogBucket(_stack(app, "Logs"), "Logs")
    return synth_findings(app)


def test_nag_packs_report_nothing(nag_findings: list[Finding]) -> None:
    assert [str(f) for f in nag_findings] == []


def test_bucket_is_encrypted_with_the_created_key(template: Template, ids: dict[str, str]) -> None:
    template.resource_count_is("AWS::KMS::Key", 1)
    template.resource_count_is("AWS::KMS::Alias", 0)
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "LoggingConfiguration": Match.any_value(),
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {
                        "BucketKeyEnabled": True,
                        "ServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms",
                            "KMSMasterKeyID": {"Fn::GetAtt": [ids["key"], "Arn"]},
                        },
                    }
                ]
            },
        },
    )


def test_access_log_bucket_uses_sse_s3(template: Template, ids: dict[str, str]) -> None:
    props = template.to_json()["Resources"][ids["access"]]["Properties"]
    assert props["BucketEncryption"] == {
        "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
    }


@pytest.mark.parametrize("which", ["bucket", "access"])
def test_bucket_policies_deny_plain_http_and_old_tls(template: Template, ids: dict[str, str], which: str) -> None:
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": ids[which]},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "s3:*",
                                "Principal": {"AWS": "*"},
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        ),
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "s3:*",
                                "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2}},
                            }
                        ),
                    ]
                )
            },
        },
    )


@pytest.mark.parametrize("which", ["bucket", "access"])
def test_buckets_block_public_access_version_and_disable_acls(
    template: Template, ids: dict[str, str], which: str
) -> None:
    props = template.to_json()["Resources"][ids[which]]["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert "AccessControl" not in props


@pytest.mark.parametrize("which", ["bucket", "access"])
def test_lifecycle_rules_transition_expire_and_clean_up(template: Template, ids: dict[str, str], which: str) -> None:
    rules = template.to_json()["Resources"][ids[which]]["Properties"]["LifecycleConfiguration"]["Rules"]
    retention = next(r for r in rules if "ExpirationInDays" in r)
    assert retention["Status"] == "Enabled"
    assert retention["ExpirationInDays"] == 365
    assert retention["Transitions"] == [{"StorageClass": "STANDARD_IA", "TransitionInDays": 30}]
    assert retention["NoncurrentVersionExpiration"] == {"NoncurrentDays": 30}
    assert retention["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    assert any(r.get("ExpiredObjectDeleteMarker") is True and r["Status"] == "Enabled" for r in rules)


def test_server_access_logs_go_to_the_access_log_bucket(template: Template, ids: dict[str, str]) -> None:
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "LoggingConfiguration": {
                "DestinationBucketName": {"Ref": ids["access"]},
                "LogFilePrefix": "s3-access-logs/",
            }
        },
    )
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": ids["access"]},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Allow",
                                "Action": "s3:PutObject",
                                "Principal": {"Service": "logging.s3.amazonaws.com"},
                                "Condition": {
                                    "ArnLike": {"aws:SourceArn": {"Fn::GetAtt": [ids["bucket"], "Arn"]}},
                                    "StringEquals": {"aws:SourceAccount": "111111111111"},
                                },
                            }
                        )
                    ]
                )
            },
        },
    )


def test_access_logs_use_a_bucket_policy_even_when_the_app_flag_is_off(built: Built) -> None:
    legacy = built.legacy_template
    for props in legacy.find_resources("AWS::S3::Bucket").values():
        assert "AccessControl" not in props["Properties"]
        assert props["Properties"]["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    legacy.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Principal": {"Service": "logging.s3.amazonaws.com"}})]
                )
            }
        },
    )


@pytest.mark.parametrize("which", ["bucket", "access", "key"])
def test_stateful_resources_are_retained(template: Template, ids: dict[str, str], which: str) -> None:
    resource = template.to_json()["Resources"][ids[which]]
    assert resource["DeletionPolicy"] == "Retain"
    assert resource["UpdateReplacePolicy"] == "Retain"


def test_properties_expose_the_resources(built: Built, template: Template, ids: dict[str, str]) -> None:
    stack = cdk.Stack.of(built.default)
    assert stack.resolve(built.default.bucket.bucket_name) == {"Ref": ids["bucket"]}
    assert stack.resolve(built.default.access_log_bucket.bucket_name) == {"Ref": ids["access"]}
    assert stack.resolve(built.default.encryption_key.key_arn) == {"Fn::GetAtt": [ids["key"], "Arn"]}


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("emr", "emr/"), ("clusters/analytics/", "clusters/analytics/"), ("/", "")],
)
def test_log_uri(built: Built, ids: dict[str, str], prefix: str, expected: str) -> None:
    uri = cdk.Stack.of(built.default).resolve(built.default.log_uri(prefix))
    assert uri == {"Fn::Join": ["", ["s3://", {"Ref": ids["bucket"]}, f"/{expected}"]]}


def test_log_uri_default_prefix(built: Built, ids: dict[str, str]) -> None:
    uri = cdk.Stack.of(built.default).resolve(built.default.log_uri())
    assert uri == {"Fn::Join": ["", ["s3://", {"Ref": ids["bucket"]}, "/emr/"]]}


def test_custom_key_name_retention_and_removal(built: Built) -> None:
    custom = built.custom_template
    stack = cdk.Stack.of(built.key)
    key_id = stack.resolve(built.key.key_arn)
    custom.resource_count_is("AWS::KMS::Key", 1)  # the caller's key only
    bucket = custom.find_resources("AWS::S3::Bucket", {"Properties": {"BucketName": "analytics-emr-logs-111111111111"}})
    assert len(bucket) == 1
    resource = next(iter(bucket.values()))
    sse = resource["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert sse["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == key_id
    rules = resource["Properties"]["LifecycleConfiguration"]["Rules"]
    retention = next(r for r in rules if "ExpirationInDays" in r)
    assert retention["ExpirationInDays"] == 90
    assert "Transitions" not in retention
    assert resource["DeletionPolicy"] == "Delete"
    access = custom.find_resources("AWS::S3::Bucket", {"Properties": {"LoggingConfiguration": Match.absent()}})
    assert [r["DeletionPolicy"] for r in access.values()] == ["Retain"]


@pytest.mark.parametrize("which", ["default_template", "custom_template", "legacy_template"])
def test_cfn_lint_is_clean(built: Built, which: str) -> None:
    assert _cfn_lint(getattr(built, which)) == []


# --- validation -----------------------------------------------------------------------------------


def _build(**kwargs: Any) -> EmrLogBucket:
    return EmrLogBucket(_stack(cdk.App(), "Invalid"), "Logs", **kwargs)


def test_fails_retention_below_one_day() -> None:
    with pytest.raises(ValueError, match=r"log_retention_days=0 is below 1: pass a number of days of at least 1"):
        _build(log_retention_days=0, transition_to_infrequent_access_days=None)


def test_fails_transition_below_s3_minimum() -> None:
    with pytest.raises(ValueError, match=r"transition_to_infrequent_access_days=29 is below 30: .*pass at least 30"):
        _build(transition_to_infrequent_access_days=29)


def test_fails_transition_not_before_expiry() -> None:
    with pytest.raises(
        ValueError,
        match=r"transition_to_infrequent_access_days=30 is not below log_retention_days=30: "
        r".*longer retention",
    ):
        _build(log_retention_days=30)


def test_fails_with_every_problem_in_one_error() -> None:
    with pytest.raises(ValueError) as error:
        _build(log_retention_days=0, transition_to_infrequent_access_days=10)
    message = str(error.value)
    assert "log_retention_days=0 is below 1" in message
    assert "transition_to_infrequent_access_days=10 is below 30" in message
    assert "transition_to_infrequent_access_days=10 is not below log_retention_days=0" in message


def test_short_retention_without_transition_is_allowed() -> None:
    logs = _build(log_retention_days=7, transition_to_infrequent_access_days=None)
    rules = Template.from_stack(cdk.Stack.of(logs)).find_resources("AWS::S3::Bucket")
    assert all(
        next(r for r in res["Properties"]["LifecycleConfiguration"]["Rules"] if "ExpirationInDays" in r)[
            "ExpirationInDays"
        ]
        == 7
        for res in rules.values()
    )
