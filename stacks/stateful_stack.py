"""The stateful stack: network, KMS keys and the log bucket. Termination protection on, RETAIN everywhere."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from constructs import Construct

from emr_constructs.catalog import GlueCatalog
from emr_constructs.logging import EmrLogBucket
from emr_constructs.network import EmrNetwork
from emr_constructs.spec import AppConfig
from emr_constructs.storage import EmrDataBucket


def log_bucket_name(config: AppConfig) -> str:
    """The log bucket's fixed name: clusters address it by name, so no export ties them to the bucket."""
    return f"emr-constructs-{config.environment}-logs-{config.account}-{config.region}"


class StatefulStack(cdk.Stack):
    """Everything that outlives a cluster. Clusters in other stacks reference the subnets, security groups and
    the keys through weak references (``Fn::GetStackOutput``, no CloudFormation exports), and the buckets by their
    fixed names; nothing here can block a deploy of the cluster stacks. Everything stateful is retained."""

    def __init__(self, scope: Construct, id: str, *, config: AppConfig, **kwargs: Any) -> None:
        self._zones = list(config.availability_zones)
        super().__init__(scope, id, termination_protection=True, **kwargs)
        prefix = f"emr-constructs {config.environment}"
        self.logs_key = self._key("LogsKey", f"{prefix}: EMR logs, log bucket and VPC flow logs")
        self.s3_data_key = self._key("S3DataKey", f"{prefix}: EMRFS encryption of S3 data (SSE-KMS / CSE-KMS)")
        self.local_disk_key = self._key("LocalDiskKey", f"{prefix}: EMR local disks, EBS volumes and cluster secrets")
        existing = config.network.existing
        if existing is not None:
            self.network = EmrNetwork.from_existing(
                self,
                "Network",
                vpc_id=existing.vpc_id,
                availability_zones=config.availability_zones,
                private_subnet_ids=existing.private_subnet_ids,
                vpc_cidr_block=existing.cidr,
            )
        else:
            self.network = EmrNetwork(
                self,
                "Network",
                availability_zones=config.availability_zones,
                cidr=config.network.cidr,
                nat_gateways=config.network.nat_gateways,
                flow_log_key=self.logs_key,
            )
        self.logs = EmrLogBucket(
            self,
            "Logs",
            encryption_key=self.logs_key,
            bucket_name=log_bucket_name(config),
            log_retention_days=config.logging.retention_days,
            transition_to_infrequent_access_days=config.logging.infrequent_access_after_days,
        )
        self.data_buckets: dict[str, EmrDataBucket] = {
            spec.name: EmrDataBucket(
                self,
                f"Data-{spec.name}",
                bucket_name=config.bucket_name(spec.name),
                encryption_key=self.s3_data_key,
                access_log_bucket=self.logs.access_log_bucket,
            )
            for spec in config.data_buckets
        }
        self.catalog = GlueCatalog(self, "Catalog", databases=[(d.name, d.description) for d in config.glue_databases])
        # EMR Studio's Workspaces and notebooks are data: their bucket and key live here, retained.
        self.studio_key: kms.Key | None = None
        self.studio_workspaces: EmrDataBucket | None = None
        if config.studio is not None:
            self.studio_key = self._key("StudioKey", f"{prefix}: EMR Studio {config.studio.name}'s Workspaces")
            self.studio_workspaces = EmrDataBucket(
                self, "StudioWorkspaces", encryption_key=self.studio_key, access_log_bucket=self.logs.access_log_bucket
            )

    def _key(self, id: str, description: str) -> kms.Key:
        """A customer-managed key with yearly rotation, retained when the stack goes."""
        return kms.Key(
            self, id, description=description, enable_key_rotation=True, removal_policy=cdk.RemovalPolicy.RETAIN
        )

    @property
    def availability_zones(self) -> list[str]:
        """The configured zones: with a fixed account and region, CDK would otherwise look them up at synth."""
        return list(self._zones)
