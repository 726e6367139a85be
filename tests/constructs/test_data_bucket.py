"""EmrDataBucket: SSE-KMS, TLS-only, public access blocked, versioned, access-logged, data-keeping lifecycle, RETAIN."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Match, Template

from emr_constructs.logging import EmrLogBucket
from emr_constructs.storage import EmrDataBucket
from tests.nag import nag_app, synth_findings
from tests.templates import cfn_lint

ENV = cdk.Environment(account="111111111111", region="eu-west-1")
NAME = "emr-constructs-dev-raw-111111111111-eu-west-1"


class Built:
    def __init__(self) -> None:
        app = cdk.App()
        self.stack = cdk.Stack(app, "Data", env=ENV)
        self.logs = EmrLogBucket(self.stack, "Logs")
        self.key = kms.Key(self.stack, "DataKey", enable_key_rotation=True)
        self.data = EmrDataBucket(
            self.stack, "Raw", encryption_key=self.key, access_log_bucket=self.logs.access_log_bucket, bucket_name=NAME
        )
        self.unnamed = EmrDataBucket(
            self.stack,
            "Curated",
            encryption_key=self.key,
            access_log_bucket=self.logs.access_log_bucket,
            noncurrent_version_expiration_days=30,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        self.reader = iam.Role(self.stack, "Reader", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
        self.data.bucket.grant_read(self.reader, "raw/*")
        self.template = Template.from_stack(self.stack)

        # An app whose cdk.json turns the access-log bucket-policy flag off.
        legacy_app = cdk.App(context={"@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": False})
        legacy = cdk.Stack(legacy_app, "Legacy", env=ENV)
        legacy_logs = EmrLogBucket(legacy, "Logs")
        EmrDataBucket(
            legacy,
            "Raw",
            encryption_key=kms.Key(legacy, "DataKey", enable_key_rotation=True),
            access_log_bucket=legacy_logs.access_log_bucket,
        )
        self.legacy_template = Template.from_stack(legacy)

    def id_of(self, construct: Any) -> str:
        return self.stack.get_logical_id(construct.node.default_child)


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


def _bucket(built: Built, which: str = "data") -> dict[str, Any]:
    resource: dict[str, Any] = built.template.to_json()["Resources"][built.id_of(getattr(built, which).bucket)]
    return resource


def test_bucket_is_encrypted_with_the_given_key_and_bucket_key(built: Built) -> None:
    properties = _bucket(built)["Properties"]
    assert properties["BucketName"] == NAME
    assert properties["BucketEncryption"] == {
        "ServerSideEncryptionConfiguration": [
            {
                "BucketKeyEnabled": True,
                "ServerSideEncryptionByDefault": {
                    "SSEAlgorithm": "aws:kms",
                    "KMSMasterKeyID": {"Fn::GetAtt": [built.id_of(built.key), "Arn"]},
                },
            }
        ]
    }


@pytest.mark.parametrize("which", ["data", "unnamed"])
def test_bucket_blocks_public_access_versions_and_disables_acls(built: Built, which: str) -> None:
    properties = _bucket(built, which)["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    assert properties["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert "AccessControl" not in properties


def test_bucket_policy_denies_plain_http_and_old_tls(built: Built) -> None:
    bucket = built.id_of(built.data.bucket)
    resources = [{"Fn::GetAtt": [bucket, "Arn"]}, {"Fn::Join": ["", [{"Fn::GetAtt": [bucket, "Arn"]}, "/*"]]}]
    built.template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": bucket},
            "PolicyDocument": {
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Action": "s3:*",
                        "Principal": {"AWS": "*"},
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        "Resource": resources,
                    },
                    {
                        "Effect": "Deny",
                        "Action": "s3:*",
                        "Principal": {"AWS": "*"},
                        "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2}},
                        "Resource": resources,
                    },
                ],
                "Version": "2012-10-17",
            },
        },
    )


@pytest.mark.parametrize(("which", "prefix"), [("data", f"{NAME}/"), ("unnamed", None)])
def test_server_access_logs_go_to_the_given_bucket_with_a_prefix(built: Built, which: str, prefix: str | None) -> None:
    # An unnamed bucket logs under its construct's unique id, so two stacks sharing the log bucket never collide.
    prefix = prefix or f"{cdk.Names.unique_id(built.unnamed)}/"
    access = built.id_of(built.logs.access_log_bucket)
    assert _bucket(built, which)["Properties"]["LoggingConfiguration"] == {
        "DestinationBucketName": {"Ref": access},
        "LogFilePrefix": prefix,
    }
    built.template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": access},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Allow",
                                "Action": "s3:PutObject",
                                "Principal": {"Service": "logging.s3.amazonaws.com"},
                                "Condition": {
                                    "ArnLike": {
                                        "aws:SourceArn": {
                                            "Fn::GetAtt": [built.id_of(getattr(built, which).bucket), "Arn"]
                                        }
                                    },
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
    for resource in built.legacy_template.find_resources("AWS::S3::Bucket").values():
        assert "AccessControl" not in resource["Properties"]
    built.legacy_template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Principal": {"Service": "logging.s3.amazonaws.com"},
                                "Resource": Match.object_like(
                                    {
                                        "Fn::Join": [
                                            "",
                                            Match.array_with([Match.string_like_regexp("/LegacyRaw[0-9A-F]{8}/\\*$")]),
                                        ]
                                    }
                                ),
                            }
                        )
                    ]
                )
            }
        },
    )


@pytest.mark.parametrize(("which", "days"), [("data", 90), ("unnamed", 30)])
def test_lifecycle_expires_only_old_versions_and_uploads(built: Built, which: str, days: int) -> None:
    rules = _bucket(built, which)["Properties"]["LifecycleConfiguration"]["Rules"]
    assert rules == [
        {
            "Id": "KeepDataExpireOldVersions",
            "Status": "Enabled",
            "NoncurrentVersionExpiration": {"NoncurrentDays": days},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
            "ExpiredObjectDeleteMarker": True,  # delete markers left without versions are removed
        }
    ]
    for rule in rules:
        assert "ExpirationInDays" not in rule and "ExpirationDate" not in rule  # current data never expires
        assert "Transitions" not in rule


def test_bucket_is_retained_by_default(built: Built) -> None:
    resource = _bucket(built)
    assert resource["DeletionPolicy"] == "Retain"
    assert resource["UpdateReplacePolicy"] == "Retain"
    assert _bucket(built, "unnamed")["DeletionPolicy"] == "Delete"


def test_standard_grants_reach_the_bucket_and_its_key(built: Built) -> None:
    reader = built.id_of(built.reader)
    bucket = built.id_of(built.data.bucket)
    built.template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "Roles": [{"Ref": reader}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": Match.array_with(["s3:GetObject*"]),
                                "Resource": Match.array_with(
                                    [{"Fn::Join": ["", [{"Fn::GetAtt": [bucket, "Arn"]}, "/raw/*"]]}]
                                ),
                            }
                        ),
                        Match.object_like(
                            {
                                "Action": ["kms:Decrypt", "kms:DescribeKey"],
                                "Resource": {"Fn::GetAtt": [built.id_of(built.key), "Arn"]},
                            }
                        ),
                    ]
                )
            },
        },
    )


def test_cfn_lint_is_clean(built: Built) -> None:
    assert cfn_lint(dict(built.template.to_json())) == []
    assert cfn_lint(dict(built.legacy_template.to_json())) == []


def test_nag_packs_report_nothing() -> None:
    app = nag_app()
    stack = cdk.Stack(app, "Nag", env=ENV)
    logs = EmrLogBucket(stack, "Logs")
    key = kms.Key(stack, "DataKey", enable_key_rotation=True)
    EmrDataBucket(stack, "Raw", encryption_key=key, access_log_bucket=logs.access_log_bucket, bucket_name=NAME)
    EmrDataBucket(stack, "Curated", encryption_key=key, access_log_bucket=logs.access_log_bucket)
    assert [str(f) for f in synth_findings(app)] == []


@pytest.mark.parametrize("days", [0, -1])
def test_fails_noncurrent_days_below_one(days: int) -> None:
    stack = cdk.Stack(cdk.App(), "Invalid", env=ENV)
    logs = EmrLogBucket(stack, "Logs")
    with pytest.raises(
        ValueError,
        match=rf"EmrDataBucket 'Raw': noncurrent_version_expiration_days={days} must be at least 1\. "
        "Fix: pass the number of days to keep old object versions",
    ):
        EmrDataBucket(
            stack,
            "Raw",
            encryption_key=logs.encryption_key,
            access_log_bucket=logs.access_log_bucket,
            noncurrent_version_expiration_days=days,
        )
    assert stack.node.try_find_child("Raw") is None  # nothing half-built is left behind


def test_one_day_of_noncurrent_versions_is_accepted() -> None:
    stack = cdk.Stack(cdk.App(), "OneDay", env=ENV)
    logs = EmrLogBucket(stack, "Logs")
    data = EmrDataBucket(
        stack,
        "Raw",
        encryption_key=logs.encryption_key,
        access_log_bucket=logs.access_log_bucket,
        noncurrent_version_expiration_days=1,
    )
    resource = Template.from_stack(stack).to_json()["Resources"][stack.get_logical_id(data.bucket.node.default_child)]  # type: ignore[arg-type]
    (rule,) = resource["Properties"]["LifecycleConfiguration"]["Rules"]
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
