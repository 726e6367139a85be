"""The job execution role of a virtual cluster and the trust that lets exactly its jobs' pods assume it.

IRSA (EMR on EKS Development Guide, "Update the trust policy of the job execution role"): the cluster's IAM OIDC
provider may ``sts:AssumeRoleWithWebIdentity`` for the service accounts ``StringLike`` the subject that ``aws
emr-containers update-role-trust-policy`` writes, which carries the namespace, the account and the role name in
base 36, so the role's name is fixed. EKS Pod Identity (setting-up-enable-IAM, emr-7.3.0 and later; EKS User Guide
"Create IAM role with trust policy required by EKS Pod Identity"): ``pods.eks.amazonaws.com`` may
``sts:AssumeRole`` and ``sts:TagSession``, limited here by the session tags to the cluster, the namespace and the
job's service accounts, which ``AWS::EKS::PodIdentityAssociation`` resources bind to the role.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

if TYPE_CHECKING:
    from aws_cdk import aws_eks as eks

from emr_constructs.spec.eks import VirtualClusterSpec, irsa_subject, pod_identity_service_accounts

POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com"


def fixed_role_name(scope: Construct, spec: VirtualClusterSpec, role_name: str | None) -> str:
    """The execution role's name: ``role_name``, else ``spec.execution_role_name``, else
    ``<stack name>-<virtual cluster>`` (at most 64 characters). It must be known at synth: the trust carries it."""
    stack = cdk.Stack.of(scope)
    name = role_name or spec.execution_role_name or f"{stack.stack_name}-{spec.name}"[:64].rstrip("-")
    if cdk.Token.is_unresolved(name):
        raise ValueError(
            f"the execution role name of virtual cluster {spec.name} is a token; the trust condition carries "
            "the name in base 36, so it must be known at synth. Fix: pass execution_role_name='...'"
        )
    return "".join(c if c.isalnum() or c in "+=,.@_-" else "-" for c in name)


def irsa_principal(scope: Construct, spec: VirtualClusterSpec, role_name: str) -> iam.IPrincipal:
    """The cluster's OIDC provider, for the EMR on EKS service accounts of ``spec.namespace`` running as
    ``role_name`` and no others."""
    stack = cdk.Stack.of(scope)
    provider = spec.oidc_provider
    assert provider is not None  # the spec requires an issuer for IRSA
    provider_arn = stack.format_arn(
        service="iam",
        region="",
        resource="oidc-provider",
        resource_name=provider,
        arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME,
    )
    return iam.FederatedPrincipal(
        provider_arn,
        conditions={"StringLike": {f"{provider}:sub": irsa_subject(spec.namespace, stack.account, role_name)}},
        assume_role_action="sts:AssumeRoleWithWebIdentity",
    )


def pod_identity_principal(
    scope: Construct, spec: VirtualClusterSpec, role_name: str, cluster_name: str
) -> iam.IPrincipal:
    """EKS Pod Identity for the job's service accounts in ``spec.namespace`` of ``cluster_name`` only."""
    accounts = pod_identity_service_accounts(cdk.Stack.of(scope).account, role_name)
    return (
        iam.ServicePrincipal(POD_IDENTITY_SERVICE)
        .with_session_tags()
        .with_conditions(
            {
                "StringEquals": {
                    "aws:RequestTag/eks-cluster-name": cluster_name,
                    "aws:RequestTag/kubernetes-namespace": spec.namespace,
                    "aws:RequestTag/kubernetes-service-account": list(accounts),
                }
            }
        )
    )


def pod_identity_associations(
    scope: Construct, spec: VirtualClusterSpec, role: iam.IRole, role_name: str, cluster_name: str
) -> list[eks.CfnPodIdentityAssociation]:
    """One association per service account of a StartJobRun job (what ``aws emr-containers
    create-role-associations`` creates)."""
    from aws_cdk import aws_eks  # only with Pod Identity: the module is large to import

    return [
        aws_eks.CfnPodIdentityAssociation(
            scope,
            f"PodIdentity{account.split('-')[4].capitalize()}",
            cluster_name=cluster_name,
            namespace=spec.namespace,
            service_account=account,
            role_arn=role.role_arn,
        )
        for account in pod_identity_service_accounts(cdk.Stack.of(scope).account, role_name)
    ]
