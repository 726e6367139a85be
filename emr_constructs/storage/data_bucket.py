"""``EmrDataBucket``: an S3 bucket for data-lake data with secure, data-preserving defaults."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

_REPLICATION_REASON = (
    "Cross-region replication is decided per data set by its owner (it doubles storage and needs a second "
    "region's key and bucket); in this region the bucket is versioned, retained and KMS-encrypted, and "
    "noncurrent versions are kept for {days} days."
)


class EmrDataBucket(Construct):
    """A data bucket: SSE-KMS with ``encryption_key`` (bucket key on), TLS 1.2+ only, public access blocked,
    ACLs off, versioned, server access logs to ``access_log_bucket``, RETAIN.

    Lifecycle keeps data: nothing current expires; noncurrent versions expire after
    ``noncurrent_version_expiration_days`` (default 90), incomplete multipart uploads after 7 days, and delete
    markers left without versions are removed.
    Grant access with the standard CDK grants (``bucket.grant_read(cluster, "raw/*")``).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        encryption_key: kms.IKey,
        access_log_bucket: s3.IBucket,
        bucket_name: str | None = None,
        noncurrent_version_expiration_days: int = 90,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        if noncurrent_version_expiration_days < 1:
            raise ValueError(
                f"EmrDataBucket {id!r}: noncurrent_version_expiration_days={noncurrent_version_expiration_days} "
                "must be at least 1. Fix: pass the number of days to keep old object versions"
            )
        super().__init__(scope, id)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            bucket_name=bucket_name,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=encryption_key,
            bucket_key_enabled=True,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=True,
            server_access_logs_bucket=access_log_bucket,
            server_access_logs_prefix=f"{bucket_name or cdk.Names.unique_id(self)}/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="KeepDataExpireOldVersions",
                    noncurrent_version_expiration=cdk.Duration.days(noncurrent_version_expiration_days),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(7),
                    expired_object_delete_marker=True,
                )
            ],
            removal_policy=removal_policy,
        )
        reason = _REPLICATION_REASON.format(days=noncurrent_version_expiration_days)
        cdk.Validations.of(self.bucket.node.default_child).acknowledge(  # type: ignore[arg-type]
            cdk.Acknowledgment(id="HIPAA.Security::HIPAA.Security-S3BucketReplicationEnabled", reason=reason),
            cdk.Acknowledgment(id="NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled", reason=reason),
        )
