"""The EMR on EKS rules (EMR-EKS1, EMR-EKS2), resource rules like ``studio_rules``'s.

EMR-EKS1 judges every ``AWS::EMRContainers::VirtualCluster``: it must be created with a security configuration
(``SecurityConfigurationId``; EMR on EKS API Reference, CreateVirtualCluster). EMR-EKS2 judges every job execution
role: a role whose ARN is the ``ExecutionRoleArn`` of a state machine's ``startJobRun`` task, the ``RoleArn`` of an
``AWS::EKS::PodIdentityAssociation`` for an EMR on EKS service account, or whose trust names the EMR on EKS service
accounts (``emr-containers-sa-``). Its trust must admit those service accounts of one namespace only: IRSA as ``aws
emr-containers update-role-trust-policy`` writes it (EMR on EKS Development Guide, "Update the trust policy of the
job execution role", iam-execution-role), EKS Pod Identity with the session tags of one namespace and the EMR
service accounts (EKS User Guide, "Create IAM role with trust policy required by EKS Pod Identity", pod-id-role).
A value the template set cannot resolve makes a rule not applicable, never a failure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from emr_constructs.policy.clusters import ClusterView, _definition, _states, literal_text
from emr_constructs.policy.outcomes import COMPLIANT, Options, Outcome, fail, skip
from emr_constructs.policy.rules_deploy import Judgement, ResourceRule
from emr_constructs.policy.serverless_roles import statements_of
from emr_constructs.policy.serverless_rules import combine
from emr_constructs.policy.statements import listed
from emr_constructs.policy.symbolic import literal, render
from emr_constructs.policy.templates import Attr, Ref, Resource, TemplateSet

VIRTUAL_CLUSTER = "AWS::EMRContainers::VirtualCluster"
SECURITY_CONFIGURATION = "AWS::EMRContainers::SecurityConfiguration"
ASSOCIATION = "AWS::EKS::PodIdentityAssociation"
ROLE = "AWS::IAM::Role"
POD_IDENTITY = "pods.eks.amazonaws.com"
#: The prefix of every service account EMR on EKS creates for a job (job submitter, driver, executors).
SERVICE_ACCOUNT = "emr-containers-sa-"
NAMESPACE_TAG = "aws:RequestTag/kubernetes-namespace"
ACCOUNT_TAG = "aws:RequestTag/kubernetes-service-account"
#: The Step Functions tasks that call StartJobRun: the optimized integration and the AWS SDK one.
_START_JOB_RUN = re.compile(r":states:::(emr-containers:startJobRun(\.sync)?|aws-sdk:emrcontainers:startJobRun)$")
#: A Kubernetes namespace: an RFC 1123 DNS label.
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_SUBJECT = re.compile(r"^system:serviceaccount:(?P<namespace>[^:]*):(?P<account>.*)$", re.DOTALL)
_BASE36 = re.compile(r"^[0-9a-z]+$")


def _not_a_cluster_rule(view: ClusterView, options: Options) -> Outcome:
    return skip("judges EMR on EKS virtual clusters and job execution roles, not clusters")


def _intrinsic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and any(k == "Ref" or str(k).startswith("Fn::") for k in value)


def _shown(text: str) -> str:
    """Rendered ``text`` with each value the set cannot know (a pseudo parameter, a resource's id) as ``<token>``."""
    return "".join(c if literal(c) else "<token>" for c in text)


# -- EMR-EKS1: a security configuration ----------------------------------------------------------------------------


def security_configuration(templates: TemplateSet, cluster: Resource) -> Outcome:
    raw = cluster.properties.get("SecurityConfigurationId")
    if raw is None:
        return fail(
            "SecurityConfigurationId is not set: the virtual cluster is created without a security configuration"
        )
    value = templates.resolve(cluster.template, raw)
    if isinstance(value, Ref | Attr):
        target = value.resource
        if target.type != SECURITY_CONFIGURATION:
            return fail(
                f"SecurityConfigurationId names {target.logical_id} ({target.type}), not a security configuration"
            )
        if isinstance(value, Ref) or value.attribute != "Id":
            what = "Ref" if isinstance(value, Ref) else f"Fn::GetAtt {value.attribute}"
            return fail(f"SecurityConfigurationId is the {what} of {target.logical_id} (its ARN), not its Id")
        return COMPLIANT
    if isinstance(value, str):
        return COMPLIANT if value else fail("SecurityConfigurationId is empty")
    return skip("SecurityConfigurationId is not resolvable")


# -- EMR-EKS2: the execution role's trust --------------------------------------------------------------------------


def _role_of(templates: TemplateSet, template: str, raw: Any) -> Resource | None:
    value = templates.resolve(template, raw)
    if isinstance(value, Attr) and value.attribute == "Arn" and value.resource.type == ROLE:
        return value.resource
    return None


def _trust_names_emr(role: Resource) -> bool:
    """Whether an Allow statement of the role's trust, for an OIDC provider or EKS Pod Identity, names the EMR on EKS
    service accounts in its conditions."""
    for _, statement in statements_of(role.properties.get("AssumeRolePolicyDocument")) or []:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        principal = json.dumps(statement.get("Principal"))
        if ("oidc-provider/" in principal or POD_IDENTITY in principal) and SERVICE_ACCOUNT in json.dumps(
            statement.get("Condition")
        ):
            return True
    return False


def execution_roles(templates: TemplateSet) -> Iterator[Resource]:
    """Every job execution role of the set, once, in template order."""
    named: set[tuple[str, str]] = set()
    for machine in templates.resources("AWS::StepFunctions::StateMachine"):
        for _, state in _states(_definition(templates, machine) or {}):
            parameters = state.get("Parameters")
            if _START_JOB_RUN.search(literal_text(state.get("Resource"))) and isinstance(parameters, dict):
                role = _role_of(templates, machine.template, parameters.get("ExecutionRoleArn"))
                if role is not None:
                    named.add((role.template, role.logical_id))
    for association in templates.resources(ASSOCIATION):
        account = render(templates, association.template, association.properties.get("ServiceAccount"))
        role = _role_of(templates, association.template, association.properties.get("RoleArn"))
        if role is not None and account is not None and account.startswith(SERVICE_ACCOUNT):
            named.add((role.template, role.logical_id))
    for role in templates.resources(ROLE):
        if (role.template, role.logical_id) in named or _trust_names_emr(role):
            yield role


def _principal_kind(templates: TemplateSet, template: str, principal: Any) -> str | None:
    """``irsa`` (only OIDC providers), ``pod`` (only EKS Pod Identity), ``other``, or None when not resolvable."""
    if not isinstance(principal, dict) or len(principal) != 1:
        return "other"
    ((kind, named),) = principal.items()
    values = [render(templates, template, value) for value in listed(named)]
    if kind == "Federated" and values and all(v is not None and "oidc-provider/" in v for v in values):
        return "irsa"
    if kind == "Service" and values and all(v == POD_IDENTITY for v in values):
        return "pod"
    return None if None in values else "other"


def _subjects(statement: dict[str, Any]) -> list[tuple[str, str, list[Any]]] | None:
    """(operator, key, values) of each StringLike or StringEquals condition on a ``...:sub`` key; None when the
    conditions cannot be read."""
    block = statement.get("Condition")
    if block is None:
        return []
    if not isinstance(block, dict) or _intrinsic(block):
        return None
    found = []
    for operator in ("StringLike", "StringEquals"):
        keys = block.get(operator)
        if keys is None:
            continue
        if not isinstance(keys, dict) or _intrinsic(keys):
            return None
        found += [(operator, str(k), listed(v)) for k, v in keys.items() if str(k).lower().endswith(":sub")]
    return found


def _subject(where: str, subject: str) -> Outcome:
    """Compliant when an IRSA subject is the EMR on EKS service accounts of one namespace (and one role)."""
    shown = repr(_shown(subject))
    found = _SUBJECT.match(subject)
    if found is None:
        return fail(f"{where} subject {shown} is not system:serviceaccount:<namespace>:<service account>")
    namespace, account = found.group("namespace"), found.group("account")
    if "*" in namespace or "?" in namespace:
        return fail(f"{where} subject {shown} admits any namespace")
    if not literal(namespace):
        return skip(f"the namespace of {where} subject {shown} is not resolvable")
    if not _LABEL.match(namespace):
        return fail(f"{where} subject {shown} names {namespace!r}, not a Kubernetes namespace")
    rest = account.removeprefix(f"{SERVICE_ACCOUNT}*-*-")
    owner, _, encoded = rest.partition("-")
    known = (owner.isdigit() and len(owner) == 12) or (len(owner) == 1 and not literal(owner))
    if rest == account or not known or not _BASE36.match(encoded):
        return fail(
            f"{where} subject {shown} admits other service accounts than {SERVICE_ACCOUNT}*-*-<account>-<role "
            "name in base 36> (what update-role-trust-policy writes)"
        )
    return COMPLIANT


def _irsa(templates: TemplateSet, template: str, label: str, statement: dict[str, Any]) -> Outcome:
    where = f"trust {label} (IRSA)"
    outcomes = []
    actions = listed(statement.get("Action"))
    if "NotAction" in statement or not all(
        isinstance(a, str) and a.lower() == "sts:assumerolewithwebidentity" for a in actions
    ):
        shown = json.dumps(statement.get("Action", statement.get("NotAction")))
        outcomes.append(fail(f"{where} allows {shown}, not only sts:AssumeRoleWithWebIdentity"))
    subjects = _subjects(statement)
    if subjects is None:
        return combine([*outcomes, skip(f"the conditions of {where} are not resolvable")])
    if not subjects:
        outcomes.append(fail(f"{where} has no StringLike or StringEquals condition on the provider's :sub"))
    for operator, key, values in subjects:
        rendered = [render(templates, template, value) for value in values]
        if len(rendered) != 1:
            shown = ", ".join(repr(_shown(v)) if v is not None else "?" for v in rendered)
            outcomes.append(fail(f"{where} {operator} {key} holds {len(rendered)} subjects ({shown}), not one"))
            continue
        if rendered[0] is None:
            outcomes.append(skip(f"the {operator} {key} of {where} is not resolvable"))
        else:
            outcomes.append(_subject(where, rendered[0]))
    return combine(outcomes)


def _tag(templates: TemplateSet, template: str, keys: dict[str, Any], tag: str) -> list[str | None] | None:
    for key, value in keys.items():
        if str(key).lower() == tag.lower():
            return [render(templates, template, item) for item in listed(value)]
    return None


def _pod_identity(templates: TemplateSet, template: str, label: str, statement: dict[str, Any]) -> Outcome:
    where = f"trust {label} (EKS Pod Identity)"
    block = statement.get("Condition")
    equals = block.get("StringEquals") if isinstance(block, dict) else None
    if block is None or (isinstance(block, dict) and not _intrinsic(block) and equals is None):
        return fail(
            f"{where} has no StringEquals condition on {NAMESPACE_TAG} and {ACCOUNT_TAG}: any pod of any cluster "
            "of the account that is associated with the role may assume it"
        )
    if not isinstance(equals, dict) or _intrinsic(equals):
        return skip(f"the conditions of {where} are not resolvable")
    outcomes = []
    namespaces = _tag(templates, template, equals, NAMESPACE_TAG)
    if namespaces is None:
        outcomes.append(fail(f"{where} has no StringEquals {NAMESPACE_TAG}"))
    elif len(namespaces) != 1:
        outcomes.append(fail(f"{where} StringEquals {NAMESPACE_TAG} holds {len(namespaces)} namespaces, not one"))
    elif namespaces[0] is None or not literal(namespaces[0]):
        outcomes.append(skip(f"the {NAMESPACE_TAG} of {where} is not resolvable"))
    elif not _LABEL.match(namespaces[0]):
        outcomes.append(fail(f"{where} StringEquals {NAMESPACE_TAG} {namespaces[0]!r} is not one namespace"))
    accounts = _tag(templates, template, equals, ACCOUNT_TAG)
    if not accounts:
        outcomes.append(fail(f"{where} has no StringEquals {ACCOUNT_TAG}"))
    elif None in accounts:
        outcomes.append(skip(f"the {ACCOUNT_TAG} of {where} is not resolvable"))
    else:
        others = [repr(_shown(a)) for a in accounts if a is not None and not a.startswith(SERVICE_ACCOUNT)]
        if others:
            outcomes.append(fail(f"{where} admits service accounts other than {SERVICE_ACCOUNT}*: {', '.join(others)}"))
    return combine(outcomes)


def trust(templates: TemplateSet, role: Resource) -> Outcome:
    statements = statements_of(role.properties.get("AssumeRolePolicyDocument"))
    if statements is None:
        return skip("its AssumeRolePolicyDocument is not resolvable")
    outcomes, scoped = [], False
    for label, statement in statements:
        if not isinstance(statement, dict) or not isinstance(statement.get("Effect"), str):
            outcomes.append(skip(f"trust {label} is not resolvable"))
            continue
        if statement["Effect"] != "Allow":
            continue  # a Deny only narrows the trust
        principal = statement.get("Principal")
        kind = "other" if "NotPrincipal" in statement else _principal_kind(templates, role.template, principal)
        if kind == "other":
            shown = json.dumps(statement.get("Principal", statement.get("NotPrincipal")))
            outcomes.append(fail(f"trust {label} lets {shown} assume the role beyond the EMR on EKS service accounts"))
        elif kind is None:
            outcomes.append(skip(f"the principal of trust {label} is not resolvable"))
        else:
            scoped = True
            judge = _irsa if kind == "irsa" else _pod_identity
            outcomes.append(judge(templates, role.template, label, statement))
    if not scoped and not any(outcome.status == "NOT_APPLICABLE" for outcome in outcomes):
        outcomes.append(fail("no trust statement admits the EMR on EKS service accounts (IRSA or EKS Pod Identity)"))
    return combine(outcomes)


def _judge(
    resources: Callable[[TemplateSet], Iterator[Resource]], check: Callable[[TemplateSet, Resource], Outcome]
) -> Callable[[TemplateSet, Options], Iterator[Judgement]]:
    def judge(templates: TemplateSet, options: Options) -> Iterator[Judgement]:
        for resource in resources(templates):
            yield resource, check(templates, resource)

    return judge


def _virtual_clusters(templates: TemplateSet) -> Iterator[Resource]:
    return templates.resources(VIRTUAL_CLUSTER)


EKS_RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        "EMR-EKS1",
        "error",
        "EMR on EKS virtual cluster with a security configuration",
        "A virtual cluster takes its security setup from the AWS::EMRContainers::SecurityConfiguration it is created "
        "with (SecurityConfigurationId, create-only; EMR on EKS API Reference, CreateVirtualCluster): encryption at "
        "rest of the job pods' local disks with a KMS key and of the S3 data they write (SSE-S3, SSE-KMS or "
        "CSE-KMS), in-transit TLS between them, and Lake Formation fine-grained access control. Without one, the "
        "virtual cluster gives its jobs none of these settings. SecurityConfigurationId "
        "must be the Id of a security configuration (Fn::GetAtt Id; its Ref is its ARN) or a literal id.",
        "Create an AWS::EMRContainers::SecurityConfiguration (local disk encryption with a customer managed key, "
        "S3 encryption, TLS where needed) and set the virtual cluster's SecurityConfigurationId to its Fn::GetAtt "
        "Id; changing it replaces the virtual cluster.",
        _not_a_cluster_rule,
        _judge(_virtual_clusters, security_configuration),
    ),
    ResourceRule(
        "EMR-EKS2",
        "error",
        "EMR on EKS job execution role trusted by one namespace's EMR service accounts",
        "A job's pods get the execution role through their service accounts, which EMR on EKS names "
        "emr-containers-sa-<framework>-<component>-<account>-<role name in base 36> in the virtual cluster's "
        "namespace. Judged: each role that a startJobRun task names as ExecutionRoleArn, that an "
        "AWS::EKS::PodIdentityAssociation for an emr-containers-sa- service account binds, or whose trust names "
        "those service accounts. With IRSA the trust must allow the cluster's OIDC provider "
        "sts:AssumeRoleWithWebIdentity with exactly one StringLike or StringEquals :sub value, "
        "system:serviceaccount:<namespace>:emr-containers-sa-*-*-<account>-<base36 role name>, a namespace without "
        'wildcards (EMR on EKS Development Guide, "Update the trust policy of the job execution role", '
        "iam-execution-role). With EKS Pod Identity the trust of pods.eks.amazonaws.com must set StringEquals "
        f"{NAMESPACE_TAG} to one namespace and {ACCOUNT_TAG} to emr-containers-sa- service accounts only (EKS User "
        'Guide, "Create IAM role with trust policy required by EKS Pod Identity", pod-id-role): without those '
        "conditions any pod of any cluster of the account that is associated with the role may assume it. Any "
        "other Allow statement of the trust fails, since it admits principals beyond those service accounts.",
        "For IRSA, run `aws emr-containers update-role-trust-policy` or write its condition: StringLike "
        "<issuer>:sub system:serviceaccount:<namespace>:emr-containers-sa-*-*-<account>-<base36 role name>. For "
        f"EKS Pod Identity, add StringEquals {NAMESPACE_TAG} (the namespace) and {ACCOUNT_TAG} (the job's "
        "emr-containers-sa- service accounts) to the pods.eks.amazonaws.com statement. Remove other Allow "
        "statements from the trust.",
        _not_a_cluster_rule,
        _judge(execution_roles, trust),
    ),
)
