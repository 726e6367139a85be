"""Tags that EMR's managed IAM policies rely on (the constants import no CDK module)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from constructs import IConstruct

#: ``AmazonEMRServicePolicy_v2`` acts only on resources that carry this tag with the value ``true``:
#: the cluster itself, its subnets and its security groups (EMR Management Guide, "IAM service role for
#: Amazon EMR (EMR role)").
EMR_MANAGED_POLICY_TAG_KEY = "for-use-with-amazon-emr-managed-policies"
EMR_MANAGED_POLICY_TAG_VALUE = "true"


def tag_for_emr_managed_policy(scope: IConstruct) -> None:
    """Tag ``scope`` and every taggable resource below it for ``AmazonEMRServicePolicy_v2``."""
    from aws_cdk import Tags  # imported here so that the constants stay importable without CDK

    Tags.of(scope).add(EMR_MANAGED_POLICY_TAG_KEY, EMR_MANAGED_POLICY_TAG_VALUE)
