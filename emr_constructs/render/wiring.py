"""What a rendered cluster takes from its surroundings, shared by the CloudFormation and RunJobFlow renderers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from emr_constructs.render.fields import Rendered


@dataclass(frozen=True)
class ClusterWiring:
    """The references a rendered cluster needs (plain strings or CDK tokens). ``steps`` and ``bootstrap_actions``
    are already rendered (``StepConfig`` / ``BootstrapActionConfig``) by the caller, which owns assets and buckets;
    so is ``monitoring_configuration`` (its log group and key belong to the caller too)."""

    service_role: str
    job_flow_role: str
    subnet_ids: Sequence[str]
    primary_security_group: str
    core_security_group: str
    service_access_security_group: str
    log_uri: str | None = None
    log_encryption_kms_key_id: str | None = None
    security_configuration: str | None = None
    auto_scaling_role: str | None = None
    extra_tags: dict[str, str] = field(default_factory=dict)
    kerberos_attributes: Rendered | None = None
    bootstrap_actions: Sequence[Rendered] = ()
    steps: Sequence[Rendered] = ()
    monitoring_configuration: Rendered | None = None


def wiring_properties(wiring: ClusterWiring) -> dict[str, Any]:
    """Top-level fields taken from the wiring, the same in CloudFormation and in RunJobFlow."""
    return {
        "ServiceRole": wiring.service_role,
        "JobFlowRole": wiring.job_flow_role,
        "AutoScalingRole": wiring.auto_scaling_role,
        "LogUri": wiring.log_uri,
        "LogEncryptionKmsKeyId": wiring.log_encryption_kms_key_id,
        "SecurityConfiguration": wiring.security_configuration,
        "KerberosAttributes": wiring.kerberos_attributes,
        "BootstrapActions": [dict(action) for action in wiring.bootstrap_actions],
        "Steps": [dict(step) for step in wiring.steps],
        "MonitoringConfiguration": wiring.monitoring_configuration,
    }
