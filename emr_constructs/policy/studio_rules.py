"""The EMR Studio rules (EMR-STU1 to EMR-STU3), resource rules like ``serverless_rules``'s.

Each judges every ``AWS::EMR::Studio`` of the template set: Workspace storage under a customer managed key (STU1),
its engine and Workspace security groups (STU2), its authentication mode (STU3). Security groups, buckets and keys
are followed by ``Ref``, ``Fn::GetAtt`` and across templates; a value the set cannot resolve makes a rule not
applicable, never a failure.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from typing import Any

from emr_constructs.policy.clusters import ClusterView
from emr_constructs.policy.outcomes import COMPLIANT, Options, Outcome, fail, skip
from emr_constructs.policy.rules_deploy import Judgement, ResourceRule
from emr_constructs.policy.serverless_rules import combine, flag, key_arn
from emr_constructs.policy.symbolic import Tri, all_of, any_of, literal, render, symbol
from emr_constructs.policy.templates import UNRESOLVED, Attr, Ref, Resource, TemplateSet

STUDIO = "AWS::EMR::Studio"
BUCKET = "AWS::S3::Bucket"
GROUP = "AWS::EC2::SecurityGroup"
INGRESS = "AWS::EC2::SecurityGroupIngress"
#: The port of the Studio engine's proxy (Apache Livy and Jupyter Enterprise Gateway behind it).
PORT = 18888
#: The properties that belong to IAM Identity Center mode only (and ``PROPAGATION`` when true).
IDC_ONLY = ("UserRole", "IdcInstanceArn", "IdcUserAssignment")
PROPAGATION = "TrustedIdentityPropagationEnabled"


def _not_a_cluster_rule(view: ClusterView, options: Options) -> Outcome:
    return skip("judges EMR Studios, not clusters")


def _plain(templates: TemplateSet, template: str, value: Any) -> Any:
    """``value`` resolved when it is one intrinsic (``Fn::If``...), as written otherwise."""
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        if key == "Ref" or str(key).startswith("Fn::"):
            return templates.resolve(template, value)
    return value


# -- EMR-STU1: Workspace storage under a customer managed key ------------------------------------------------------


def _workspace_bucket(templates: TemplateSet, studio: Resource) -> Resource | Any | None:
    """The ``AWS::S3::Bucket`` of the set that ``DefaultS3Location`` names (by ``Ref``, or by a ``BucketName`` that
    renders the same), None for a bucket outside the set, or ``UNRESOLVED``."""
    raw = studio.properties.get("DefaultS3Location")
    if raw is None:
        return None
    text = render(templates, studio.template, raw)
    if text is None:
        return UNRESOLVED
    if not text.startswith("s3://"):
        return None if literal(text) else UNRESOLVED
    name = text.removeprefix("s3://").split("/", 1)[0]
    for bucket in templates.resources(BUCKET):
        given = bucket.properties.get("BucketName")
        if name == symbol(f"ref:{bucket.template}/{bucket.logical_id}"):
            return bucket
        if given is not None and render(templates, bucket.template, given) == name:
            return bucket
    return None if literal(name) else UNRESOLVED


def _master_key(templates: TemplateSet, bucket: Resource, raw: Any) -> Outcome:
    """``KMSMasterKeyID`` must name a customer managed key (a key or alias of the set, or any id but ``aws/s3``)."""
    where = f"Workspace bucket {bucket.logical_id}"
    if raw is None:
        return fail(f"{where} encrypts with aws:kms without a KMSMasterKeyID, so under the AWS managed key aws/s3")
    value = templates.resolve(bucket.template, raw)
    if isinstance(value, Ref | Attr):
        if value.resource.type in ("AWS::KMS::Key", "AWS::KMS::Alias"):
            return COMPLIANT
        return fail(f"{where}'s KMSMasterKeyID names {value.resource.logical_id} ({value.resource.type}), not a key")
    text = value if isinstance(value, str) else render(templates, bucket.template, raw)
    if text is None:
        return skip(f"{where}'s KMSMasterKeyID is not resolvable")
    if "alias/aws/" in text:
        return fail(f"{where}'s KMSMasterKeyID {text!r} is an AWS managed key, not a customer managed one")
    return COMPLIANT


def _bucket_encryption(templates: TemplateSet, bucket: Resource) -> Outcome:
    where = f"Workspace bucket {bucket.logical_id}"
    encryption = _plain(templates, bucket.template, bucket.properties.get("BucketEncryption"))
    if encryption is None:
        return fail(f"{where} has no BucketEncryption, so S3 encrypts it with SSE-S3")
    rules = (
        _plain(templates, bucket.template, encryption.get("ServerSideEncryptionConfiguration"))
        if isinstance(encryption, dict)
        else UNRESOLVED
    )
    if not isinstance(rules, list) or not rules:
        return skip(f"{where}'s BucketEncryption is not resolvable")
    outcomes = []
    for written in rules:
        rule = _plain(templates, bucket.template, written)
        default = (
            _plain(templates, bucket.template, rule.get("ServerSideEncryptionByDefault"))
            if isinstance(rule, dict)
            else None
        )
        if not isinstance(default, dict):
            outcomes.append(skip(f"{where}'s ServerSideEncryptionByDefault is not resolvable"))
            continue
        algorithm = templates.resolve(bucket.template, default.get("SSEAlgorithm"))
        if algorithm in ("aws:kms", "aws:kms:dsse"):
            outcomes.append(_master_key(templates, bucket, default.get("KMSMasterKeyID")))
        elif isinstance(algorithm, str):
            outcomes.append(fail(f"{where} encrypts with {algorithm}, not aws:kms under a customer managed key"))
        else:
            outcomes.append(skip(f"{where}'s SSEAlgorithm is not resolvable"))
    return combine(outcomes)


def storage(templates: TemplateSet, studio: Resource) -> Outcome:
    raw = studio.properties.get("EncryptionKeyArn")
    if raw is None:
        outcomes = [fail("EncryptionKeyArn is not set: Workspace notebooks and files are stored with SSE-S3 only")]
    else:
        outcomes = [key_arn(templates, studio, raw, "EncryptionKeyArn")]
    bucket = _workspace_bucket(templates, studio)
    if bucket is UNRESOLVED:
        outcomes.append(skip("the bucket of DefaultS3Location is not resolvable"))
    elif isinstance(bucket, Resource):
        outcomes.append(_bucket_encryption(templates, bucket))
    return combine(outcomes)


# -- EMR-STU2: security groups -------------------------------------------------------------------------------------


def _group(templates: TemplateSet, studio: Resource, field: str) -> Resource | str | Any | None:
    """The ``AWS::EC2::SecurityGroup`` of the set that ``field`` names, its literal id, None, or ``UNRESOLVED``."""
    raw = studio.properties.get(field)
    if raw is None:
        return None
    value = templates.resolve(studio.template, raw)
    if isinstance(value, Ref | Attr) and value.resource.type == GROUP:
        return value.resource if isinstance(value, Ref) or value.attribute == "GroupId" else UNRESOLVED
    return value if isinstance(value, str) else UNRESOLVED


def _names(templates: TemplateSet, ingress: Resource, group: Resource | str) -> bool:
    value = templates.resolve(ingress.template, ingress.properties.get("GroupId"))
    if isinstance(group, str):
        return isinstance(value, str) and value == group
    if isinstance(value, Ref | Attr) and (isinstance(value, Ref) or value.attribute == "GroupId"):
        return (value.resource.template, value.resource.logical_id) == (group.template, group.logical_id)
    return False


def _inbound(templates: TemplateSet, group: Resource | str) -> list[tuple[str, str, Any]]:
    """(label, template, rule) for every inbound rule on ``group``: its inline ``SecurityGroupIngress`` (for a group
    of the set) and each ``AWS::EC2::SecurityGroupIngress`` whose ``GroupId`` names it. A rule is ``UNRESOLVED`` when
    it cannot be read."""
    found: list[tuple[str, str, Any]] = []
    if isinstance(group, Resource):
        inline = _plain(templates, group.template, group.properties.get("SecurityGroupIngress"))
        if isinstance(inline, list):
            for index, written in enumerate(inline):
                rule = _plain(templates, group.template, written)
                readable = rule if isinstance(rule, dict) else UNRESOLVED
                found.append((f"inline rule {index + 1}", group.template, readable))
        elif inline is not None:
            found.append(("SecurityGroupIngress", group.template, UNRESOLVED))
    for ingress in templates.resources(INGRESS):
        if _names(templates, ingress, group):
            found.append((f"ingress {ingress.logical_id}", ingress.template, ingress.properties))
    return found


def _port(templates: TemplateSet, template: str, raw: Any) -> int | None:
    value = templates.resolve(template, raw)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.lstrip("-").isdigit() else None


def _covers_port(templates: TemplateSet, template: str, rule: dict[str, Any]) -> Tri:
    protocol = templates.resolve(template, rule.get("IpProtocol"))
    if isinstance(protocol, bool) or not isinstance(protocol, str | int):
        return None
    if str(protocol).lower() in ("-1", "all"):
        return True
    if str(protocol).lower() not in ("tcp", "6"):
        return False
    low, high = _port(templates, template, rule.get("FromPort")), _port(templates, template, rule.get("ToPort"))
    if low is None or high is None:
        return None
    return -1 in (low, high) or low <= PORT <= high


def _from_anywhere(templates: TemplateSet, template: str, rule: dict[str, Any]) -> Tri:
    results: list[Tri] = []
    for field in ("CidrIp", "CidrIpv6"):
        value = templates.resolve(template, rule.get(field))
        if value is None:
            results.append(False)
        elif isinstance(value, str):
            try:
                results.append(ipaddress.ip_network(value, strict=False).prefixlen == 0)
            except ValueError:
                results.append(False)
        else:
            results.append(None)
    return any_of(results)


def _open_port(templates: TemplateSet, template: str, rule: Any) -> Tri:
    """Whether an inbound rule admits 0.0.0.0/0 or ::/0 on ``PORT``."""
    if not isinstance(rule, dict):
        return None
    return all_of([_from_anywhere(templates, template, rule), _covers_port(templates, template, rule)])


def _judge_group(templates: TemplateSet, studio: Resource, field: str, *, workspace: bool) -> Outcome:
    role = "Workspace" if workspace else "engine"
    group = _group(templates, studio, field)
    if group is None:
        return skip(f"{field} is not set")
    if group is UNRESOLVED:
        return skip(f"{field} is not resolvable to a security group")
    name = group.logical_id if isinstance(group, Resource) else group
    rules = _inbound(templates, group)
    if workspace:
        admitted = [label for label, _, rule in rules if rule is not UNRESOLVED]
        if admitted:
            return fail(f"the Workspace security group {name} admits inbound traffic ({', '.join(admitted)})")
    opened = [(label, _open_port(templates, template, rule)) for label, template, rule in rules]
    exposed = [label for label, verdict in opened if verdict is True]
    if exposed:
        return fail(f"the {role} security group {name} admits 0.0.0.0/0 or ::/0 on port {PORT} ({', '.join(exposed)})")
    unknown = [label for label, verdict in opened if verdict is None]
    if unknown:
        return skip(f"whether {', '.join(unknown)} of the {role} security group {name} opens {PORT} is not resolvable")
    if isinstance(group, str):
        return skip(f"the {role} security group {group} is not in the templates, so its own rules are not read")
    return COMPLIANT


def security_groups(templates: TemplateSet, studio: Resource) -> Outcome:
    return combine(
        [
            _judge_group(templates, studio, "EngineSecurityGroupId", workspace=False),
            _judge_group(templates, studio, "WorkspaceSecurityGroupId", workspace=True),
        ]
    )


# -- EMR-STU3: authentication --------------------------------------------------------------------------------------


def authentication(templates: TemplateSet, studio: Resource) -> Outcome:
    properties = studio.properties
    if properties.get("AuthMode") is None:
        return fail("AuthMode is not set")
    mode = templates.resolve(studio.template, properties["AuthMode"])
    if not isinstance(mode, str):
        return skip("AuthMode is not resolvable")
    if mode == "SSO":
        missing = [field for field in ("IdcInstanceArn", "UserRole") if properties.get(field) is None]
        return fail(f"AuthMode is SSO without {' or '.join(missing)}") if missing else COMPLIANT
    if mode != "IAM":
        return fail(f"AuthMode {mode!r} is neither IAM nor SSO")
    present = [field for field in IDC_ONLY if properties.get(field) is not None]
    # False is the default of trusted identity propagation, so it says nothing of SSO mode.
    propagation = flag(templates, studio, properties.get(PROPAGATION))
    if propagation is True:
        present.append(PROPAGATION)
    if present:
        return fail(f"AuthMode is IAM with {', '.join(present)}, which only IAM Identity Center (SSO) mode takes")
    if propagation is UNRESOLVED:
        return skip(f"{PROPAGATION} is not resolvable")
    return COMPLIANT


def _judge_studios(
    check: Callable[[TemplateSet, Resource], Outcome],
) -> Callable[[TemplateSet, Options], Iterator[Judgement]]:
    def judge(templates: TemplateSet, options: Options) -> Iterator[Judgement]:
        for studio in templates.resources(STUDIO):
            yield studio, check(templates, studio)

    return judge


STUDIO_RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        "EMR-STU1",
        "error",
        "EMR Studio Workspaces stored under a customer managed key",
        "A Studio backs up every Workspace's notebooks and files to DefaultS3Location, where they keep code, query "
        "text and printed samples of the data. Without EncryptionKeyArn they are encrypted with Amazon S3 managed "
        'keys (SSE-S3) only (EMR Management Guide, "Encrypting EMR Studio workspace notebooks and files", '
        "emr-studio-workspace-storage-encryption); with it, with a KMS key whose policy you control. EncryptionKeyArn "
        "must be a KMS key's ARN (Fn::GetAtt of an AWS::KMS::Key's Arn, or a literal key ARN), and a bucket of the "
        "templates that DefaultS3Location names (s3:// and its Ref or BucketName) must default to aws:kms with a "
        "KMSMasterKeyID of a customer managed key, so that files written there by other means are encrypted too.",
        "Set EncryptionKeyArn to the ARN of a customer managed key whose policy admits the Studio's service role, and "
        "give the Workspace bucket BucketEncryption with SSEAlgorithm aws:kms and KMSMasterKeyID (the same key or "
        "another customer managed one).",
        _not_a_cluster_rule,
        _judge_studios(storage),
    ),
    ResourceRule(
        "EMR-STU2",
        "error",
        "EMR Studio security groups closed to the internet",
        f"Workspaces reach the engine security group on TCP {PORT}, the port of the notebook proxy (Apache Livy, "
        "Jupyter Enterprise Gateway), and the engine reaches attached clusters on it. No inbound rule of the engine "
        "or the Workspace security group (inline SecurityGroupIngress, or an AWS::EC2::SecurityGroupIngress on it) "
        f"may admit 0.0.0.0/0 or ::/0 on {PORT} (a port range that includes it, or protocol -1), and the Workspace "
        "security group may admit nothing at all: \"Your Workspace security group can't allow any inbound traffic, "
        'and the engine security group must allow inbound traffic from the Workspace security group" (EMR '
        "Management Guide, emr-studio-security-groups). A group outside the templates is judged only by the "
        "ingress resources that name it.",
        f"Admit {PORT} on the engine security group from the Workspace security group only "
        "(SourceSecurityGroupId), remove every inbound rule of the Workspace security group, and let Workspaces "
        f"reach the engine through an egress rule on {PORT} (and 443 for Git).",
        _not_a_cluster_rule,
        _judge_studios(security_groups),
    ),
    ResourceRule(
        "EMR-STU3",
        "error",
        "EMR Studio authentication explicit and coherent",
        "AuthMode (create-only: changing it replaces the Studio) must be set to IAM or SSO (IAM Identity Center). In "
        "SSO mode users assume UserRole, scoped per user or group by session policies "
        "(AWS::EMR::StudioSessionMapping), and the Studio application is created in the Identity Center instance "
        "that IdcInstanceArn names. UserRole is for IAM "
        'Identity Center mode only ("Only specify a UserRole when you use IAM Identity Center authentication", EMR '
        "API Reference, CreateStudio), and so are IdcInstanceArn, IdcUserAssignment and "
        "TrustedIdentityPropagationEnabled (false, its default, aside). In IAM mode users sign in with their own IAM "
        "identities and policies (EMR Management Guide, emr-studio-authentication): an IAM-mode Studio that sets "
        "them describes an access model it does not have. A value the templates cannot resolve is not judged.",
        "Set AuthMode to IAM and grant users access with IAM policies, or to SSO with IdcInstanceArn and UserRole; "
        "remove the IAM Identity Center properties from an IAM-mode Studio.",
        _not_a_cluster_rule,
        _judge_studios(authentication),
    ),
)
