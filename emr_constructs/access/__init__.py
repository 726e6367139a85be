"""Data access for EMR roles: grants CDK lacks (MSK with IAM access control) and the acknowledgment of the
wildcards that CDK's standard data grants write."""

from emr_constructs.access.acknowledgment import (
    DataGrantAcknowledgment,
    acknowledge_data_grants,
    data_grant_acknowledgments,
)
from emr_constructs.access.msk import grant_msk_read, msk_resource_arns

__all__ = [
    "DataGrantAcknowledgment",
    "acknowledge_data_grants",
    "data_grant_acknowledgments",
    "grant_msk_read",
    "msk_resource_arns",
]
