"""The checks of the EMR cluster rules, each a pure function over a ``ClusterView`` (registered in ``rules``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from emr_constructs.policy.clusters import MULTI_TENANT_TAG, ClusterView, literal_text
from emr_constructs.policy.outcomes import COMPLIANT, Options, Outcome, fail, skip
from emr_constructs.policy.templates import UNRESOLVED, Ref, Resource
from emr_constructs.spec import capabilities as cap
from emr_constructs.spec.release import ReleaseLabel


def _security(view: ClusterView) -> dict[str, Any] | Any | None:
    return view.security_configuration()


def _nested(document: dict[str, Any], *path: str) -> Any:
    value: Any = document
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _with_document(check: Callable[[dict[str, Any]], Outcome]) -> Callable[[ClusterView, Options], Outcome]:
    def run(view: ClusterView, options: Options) -> Outcome:
        document = _security(view)
        if document is None:
            return skip("no security configuration (EMR-SEC1 reports it)")
        if document is UNRESOLVED:
            return skip("the security configuration is outside the templates")
        return check(document)

    return run


def security_configuration(view: ClusterView, options: Options) -> Outcome:
    named = view.get("SecurityConfiguration")
    if named is None:
        return fail("the cluster names no security configuration, so nothing is encrypted and IMDSv1 stays open")
    return COMPLIANT


@_with_document
def s3_encryption(document: dict[str, Any]) -> Outcome:
    encryption = _nested(document, "EncryptionConfiguration") or {}
    if encryption.get("EnableAtRestEncryption") is not True:
        return fail("EncryptionConfiguration.EnableAtRestEncryption is not true")
    mode = _nested(encryption, "AtRestEncryptionConfiguration", "S3EncryptionConfiguration", "EncryptionMode")
    if not mode:
        return fail(
            "EncryptionConfiguration.AtRestEncryptionConfiguration.S3EncryptionConfiguration has no EncryptionMode"
        )
    return COMPLIANT


@_with_document
def local_disk_encryption(document: dict[str, Any]) -> Outcome:
    encryption = _nested(document, "EncryptionConfiguration") or {}
    disk = _nested(encryption, "AtRestEncryptionConfiguration", "LocalDiskEncryptionConfiguration")
    if encryption.get("EnableAtRestEncryption") is not True or not isinstance(disk, dict):
        return fail("EncryptionConfiguration.AtRestEncryptionConfiguration.LocalDiskEncryptionConfiguration is missing")
    if not disk.get("EncryptionKeyProviderType"):
        return fail("LocalDiskEncryptionConfiguration has no EncryptionKeyProviderType")
    return COMPLIANT


@_with_document
def ebs_encryption(document: dict[str, Any]) -> Outcome:
    disk = _nested(
        document, "EncryptionConfiguration", "AtRestEncryptionConfiguration", "LocalDiskEncryptionConfiguration"
    )
    if not isinstance(disk, dict) or disk.get("EnableEbsEncryption") is not True:
        return fail(
            "LocalDiskEncryptionConfiguration.EnableEbsEncryption is not true: EBS root and data volumes are "
            "not encrypted"
        )
    return COMPLIANT


@_with_document
def in_transit(document: dict[str, Any]) -> Outcome:
    encryption = _nested(document, "EncryptionConfiguration") or {}
    tls = _nested(encryption, "InTransitEncryptionConfiguration", "TLSCertificateConfiguration")
    if encryption.get("EnableInTransitEncryption") is not True or not isinstance(tls, dict):
        return fail("EncryptionConfiguration.EnableInTransitEncryption is not true with a TLSCertificateConfiguration")
    return COMPLIANT


@_with_document
def imdsv2(document: dict[str, Any]) -> Outcome:
    version = _nested(document, "InstanceMetadataServiceConfiguration", "MinimumInstanceMetadataServiceVersion")
    if str(version) != "2":
        return fail(f"InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion is {version!r}, not 2")
    return COMPLIANT


def _subnets(view: ClusterView) -> list[Any]:
    instances = view.instances
    subnets = instances.get("Ec2SubnetIds")
    if isinstance(subnets, list):
        return subnets
    single = instances.get("Ec2SubnetId")
    return [single] if single is not None else []


def _public_reason(view: ClusterView, subnet: Resource) -> str | None:
    templates = view.templates
    if templates.resolve(subnet.template, subnet.properties.get("MapPublicIpOnLaunch")) is True:
        return f"subnet {subnet.logical_id} assigns public IP addresses (MapPublicIpOnLaunch)"
    for association in templates.resources("AWS::EC2::SubnetRouteTableAssociation"):
        target = templates.resolve(association.template, association.properties.get("SubnetId"))
        if not (isinstance(target, Ref) and target.resource == subnet):
            continue
        table = templates.resolve(association.template, association.properties.get("RouteTableId"))
        if not isinstance(table, Ref):
            continue
        for route in templates.resources("AWS::EC2::Route"):
            on = templates.resolve(route.template, route.properties.get("RouteTableId"))
            gateway = templates.resolve(route.template, route.properties.get("GatewayId"))
            if (
                isinstance(on, Ref)
                and on.resource == table.resource
                and isinstance(gateway, Ref)
                and gateway.resource.type == "AWS::EC2::InternetGateway"
            ):
                return f"subnet {subnet.logical_id} routes to an internet gateway"
    return None


def private_subnet(view: ClusterView, options: Options) -> Outcome:
    subnets = [view.resolve(s) for s in _subnets(view)]
    if not subnets:
        return fail("no subnet: the cluster would launch in EC2-Classic or the default VPC's public subnets")
    resources = [s.resource for s in subnets if isinstance(s, Ref) and s.resource.type == "AWS::EC2::Subnet"]
    if not resources:
        return skip("the subnets are outside the templates")
    for subnet in resources:
        reason = _public_reason(view, subnet)
        if reason:
            return fail(reason)
    return COMPLIANT


def service_access_group(view: ClusterView, options: Options) -> Outcome:
    if not _subnets(view):
        return skip("no subnet")
    if view.instances.get("ServiceAccessSecurityGroup") is None:
        return fail("Instances.ServiceAccessSecurityGroup is not set; a cluster in a private subnet needs one")
    return COMPLIANT


def log_uri(view: ClusterView, options: Options) -> Outcome:
    return COMPLIANT if view.get("LogUri") is not None else fail("LogUri is not set: node and step logs are lost")


def log_key(view: ClusterView, options: Options) -> Outcome:
    if view.get("LogUri") is None:
        return skip("no LogUri")
    if view.get("LogEncryptionKmsKeyId") is None:
        return fail("LogEncryptionKmsKeyId is not set: logs are pushed to S3 without a KMS key")
    return COMPLIANT


def lifecycle(view: ClusterView, options: Options) -> Outcome:
    policy, protected = view.get("AutoTerminationPolicy"), view.instances.get("TerminationProtected")
    if (policy is not None and policy is not UNRESOLVED) or protected is True:
        return COMPLIANT
    if policy is UNRESOLVED or protected is UNRESOLVED:
        return skip("the auto-termination policy or termination protection is not resolvable")
    return fail("neither AutoTerminationPolicy nor Instances.TerminationProtected is set")


def spot(view: ClusterView, options: Options) -> Outcome:
    spot_fleets = [
        (role, fleet) for role, fleet in view.fleets() if (view.resolve(fleet.get("TargetSpotCapacity")) or 0)
    ]
    if not spot_fleets:
        return skip("no Spot capacity in instance fleets")
    problems = []
    for role, fleet in spot_fleets:
        spot = _nested(view.resolve(fleet), "LaunchSpecifications", "SpotSpecification") or {}
        if not spot.get("AllocationStrategy"):
            problems.append(f"{role} fleet has Spot capacity without an allocation strategy")
        if spot.get("TimeoutAction") != "SWITCH_TO_ON_DEMAND":
            problems.append(f"{role} fleet does not switch to On-Demand when Spot is short (TimeoutAction)")
    return fail("; ".join(problems)) if problems else COMPLIANT


def managed_scaling(view: ClusterView, options: Options) -> Outcome:
    has_task = any(role == "TASK" for role, _ in view.fleets()) or any(role == "TASK" for role, _ in view.groups())
    if not has_task:
        return skip("no task fleet or group to scale")
    if view.get("ManagedScalingPolicy") is not None:
        return COMPLIANT
    if any(group.get("AutoScalingPolicy") is not None for _, group in view.groups()):
        return COMPLIANT
    return fail("the cluster has task capacity but no ManagedScalingPolicy (or automatic scaling policy)")


def release_floor(view: ClusterView, options: Options) -> Outcome:
    label = view.get("ReleaseLabel")
    if not isinstance(label, str):
        return skip("no resolvable ReleaseLabel")
    try:
        release = ReleaseLabel.of(label)
    except ValueError:
        return fail(f"ReleaseLabel {label!r} is not an EMR release label")
    if options.release_floor is not None:
        if release.version < options.release_floor.version:
            return fail(f"{label} is below the release floor {options.release_floor.label}")
        return COMPLIANT
    ended = cap.support_end(release.version)
    if ended is not None and ended < options.as_of:
        return fail(f"{label} left EMR standard support on {ended.isoformat()} (support table as of {options.as_of})")
    return COMPLIANT


def _managed_policy_names(view: ClusterView, role: Resource) -> list[str]:
    arns = view.templates.resolve(role.template, role.properties.get("ManagedPolicyArns")) or []
    raw = role.properties.get("ManagedPolicyArns") or []
    texts = [literal_text(a) if a is not UNRESOLVED else literal_text(r) for a, r in zip(arns, raw, strict=False)]
    return [text.rsplit("/", 1)[-1] for text in texts if text]


def instance_role_policy(view: ClusterView, options: Options) -> Outcome:
    role = view.role("JobFlowRole")
    if role is None:
        return skip("the instance role is outside the templates")
    if "AmazonElasticMapReduceforEC2Role" in _managed_policy_names(view, role):
        return fail(f"instance role {role.logical_id} carries AmazonElasticMapReduceforEC2Role (s3:* and more on *)")
    return COMPLIANT


def service_role_policy(view: ClusterView, options: Options) -> Outcome:
    role = view.role("ServiceRole")
    if role is None:
        return skip("the service role is outside the templates")
    if "AmazonElasticMapReduceRole" in _managed_policy_names(view, role):
        return fail(f"service role {role.logical_id} carries the v1 AmazonElasticMapReduceRole")
    return COMPLIANT


_S3_WRITE = re.compile(r"^(\*|s3:\*|s3:(Put|Delete|Replicate|Restore|Abort|Create)[A-Za-z*]*)$")
_ALL_S3 = re.compile(r"^(\*|arn:[^:]*:s3:::\*.*)$")


def _statements(view: ClusterView, role: Resource) -> Iterator[dict[str, Any]]:
    templates = view.templates
    for policy in templates.resolve(role.template, role.properties.get("Policies")) or []:
        if isinstance(policy, dict):
            yield from _nested(policy, "PolicyDocument", "Statement") or []
    for policy in templates.resources("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        roles = templates.resolve(policy.template, policy.properties.get("Roles")) or []
        if any(isinstance(r, Ref) and r.resource == role for r in roles):
            document = templates.resolve(policy.template, policy.properties.get("PolicyDocument")) or {}
            statements = document.get("Statement") if isinstance(document, dict) else None
            yield from statements if isinstance(statements, list) else []


def s3_wildcard_writes(view: ClusterView, options: Options) -> Outcome:
    role = view.role("JobFlowRole")
    if role is None:
        return skip("the instance role is outside the templates")
    for statement in _statements(view, role):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action")
        actions = actions if isinstance(actions, list) else [actions]
        resources = statement.get("Resource")
        resources = resources if isinstance(resources, list) else [resources]
        writes = [a for a in actions if isinstance(a, str) and _S3_WRITE.match(a)]
        wildcard = [r for r in map(literal_text, resources) if _ALL_S3.match(r)]
        if writes and wildcard:
            return fail(f"instance role {role.logical_id} may {', '.join(writes)} on {', '.join(wildcard)}")
    return COMPLIANT


def unhealthy_replacement(view: ClusterView, options: Options) -> Outcome:
    value = view.instances.get("UnhealthyNodeReplacement")
    if value is True:
        return COMPLIANT
    if value is UNRESOLVED:
        return skip("UnhealthyNodeReplacement is not resolvable")
    return fail("Instances.UnhealthyNodeReplacement is not true")


def multi_tenant(view: ClusterView, options: Options) -> Outcome:
    if not view.marked(MULTI_TENANT_TAG):
        return skip(f"not tagged {MULTI_TENANT_TAG}=true")
    document = _security(view)
    if view.get("KerberosAttributes") is not None:
        return COMPLIANT
    if isinstance(document, dict):
        if _nested(document, "AuthenticationConfiguration", "KerberosConfiguration"):
            return COMPLIANT
        if (
            _nested(document, "AuthorizationConfiguration", "IAMConfiguration", "EnableApplicationScopedIAMRole")
            is True
        ):
            return COMPLIANT
    elif document is UNRESOLVED:
        return skip("the security configuration is outside the templates")
    return fail("a multi-tenant cluster without Kerberos or runtime roles: every user acts as the instance role")
