"""Cluster access for EMR on EKS on an EKS cluster defined in the same CDK app (``eks.Cluster``).

EMR on EKS Development Guide, "Enable cluster access for Amazon EMR on EKS" (setting-up-cluster-access): with the
cluster's authentication mode ``API_AND_CONFIG_MAP`` (EKS 1.23+), EMR creates the access entry of its
service-linked role itself when the virtual cluster is created (the integration serves new virtual clusters
only), so nothing is created here but the namespace. The ``aws-auth`` ConfigMap route, only where access entries
cannot be used, is the guide's manual one: a namespaced Role ``emr-containers``, a RoleBinding to the Kubernetes
user ``emr-containers``, and that user mapped to ``AWSServiceRoleForAmazonEMRContainers``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import IDependable

if TYPE_CHECKING:
    from aws_cdk import aws_eks as eks

USER = "emr-containers"
SERVICE_LINKED_ROLE = "AWSServiceRoleForAmazonEMRContainers"
_EDIT = ["get", "list", "watch", "describe", "create", "edit", "delete", "annotate", "patch", "label"]
#: The Role of setting-up-cluster-access ("Create a Kubernetes role in a specific namespace").
ROLE_RULES: list[dict[str, Any]] = [
    {"apiGroups": [""], "resources": ["namespaces"], "verbs": ["get"]},
    {
        "apiGroups": [""],
        "resources": ["serviceaccounts", "services", "configmaps", "events", "pods", "pods/log"],
        "verbs": [*_EDIT[:7], "deletecollection", *_EDIT[7:]],
    },
    {"apiGroups": [""], "resources": ["secrets"], "verbs": ["create", "patch", "delete", "watch"]},
    {"apiGroups": ["apps"], "resources": ["statefulsets", "deployments"], "verbs": _EDIT},
    {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": _EDIT},
    {"apiGroups": ["extensions", "networking.k8s.io"], "resources": ["ingresses"], "verbs": _EDIT},
    {
        "apiGroups": ["rbac.authorization.k8s.io"],
        "resources": ["roles", "rolebindings"],
        "verbs": [*_EDIT[:7], "deletecollection", *_EDIT[7:]],
    },
]


def uses_access_entries(cluster: eks.Cluster) -> bool:
    """Whether EMR can create its own access entry: the cluster's authentication mode takes the API."""
    from aws_cdk import aws_eks  # only for a CDK cluster: the module is large to import

    modes = (aws_eks.AuthenticationMode.API, aws_eks.AuthenticationMode.API_AND_CONFIG_MAP)
    return cluster.authentication_mode in modes


def prepare_namespace(cluster: eks.Cluster, namespace: str, *, aws_auth: bool) -> list[IDependable]:
    """The namespace and, on the ``aws-auth`` route, the Role, RoleBinding and user mapping; what the virtual
    cluster must wait for."""
    created: list[IDependable] = [
        cluster.add_manifest(
            f"EmrNamespace-{namespace}", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
        )
    ]
    if not aws_auth:
        return created
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": {"name": USER, "namespace": namespace},
        "rules": ROLE_RULES,
    }
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": USER, "namespace": namespace},
        "subjects": [{"kind": "User", "name": USER, "apiGroup": "rbac.authorization.k8s.io"}],
        "roleRef": {"kind": "Role", "name": USER, "apiGroup": "rbac.authorization.k8s.io"},
    }
    rbac = cluster.add_manifest(f"EmrRbac-{namespace}", role, binding)
    rbac.node.add_dependency(created[0])
    stack = cdk.Stack.of(cluster)
    # aws-auth maps the role without its path (setting-up-cluster-access, "Manual steps").
    linked = iam.Role.from_role_arn(
        cluster,
        f"EmrServiceLinkedRole-{namespace}",
        stack.format_arn(service="iam", region="", resource="role", resource_name=SERVICE_LINKED_ROLE),
        mutable=False,
    )
    cluster.aws_auth.add_role_mapping(linked, username=USER, groups=[])
    created += [rbac, cluster.aws_auth]
    return created
