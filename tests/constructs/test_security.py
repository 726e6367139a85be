"""Security wiring of EmrCluster without YAML: keys, grants, Kerberos, runtime roles and the policy packs."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Match, Template

from emr_constructs import ClusterSpec, EmrCluster
from emr_constructs.security import EmrSecurityConfiguration
from stacks import project_context
from tests.constructs.test_cluster import ENV, FLEETS, _vpc, acknowledge_imported_subnets
from tests.nag import add_nag_packs, policy_failures, synth_findings
from tests.templates import cfn_lint

SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:emr/{name}-AbCdEf"

KERBEROS_CROSS_REALM: dict[str, Any] = {
    "kerberos": {
        "realm": "EC2.INTERNAL",
        "cross_realm_trust": {
            "realm": "CORP.EXAMPLE.COM",
            "domain": "corp.example.com",
            "admin_server": "corp.example.com",
            "kdc_server": "corp.example.com",
            "password_secret_arn": SECRET.format(name="trust"),
            "ad_domain_join_user": "emr-join",
            "ad_domain_join_password_secret_arn": SECRET.format(name="join"),
        },
    },
    "runtime_roles": {"roles": [{"name": "etl"}]},
    "lake_formation": {},
}


def _acknowledged(construct: Any) -> set[str]:
    rules: set[str] = set()
    for entry in construct.node.metadata:
        if entry.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
            rules.update(entry.data)
    return rules


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    app = cdk.App(context=project_context())
    add_nag_packs(app)
    out: dict[str, Any] = {"app": app}
    defaults = cdk.Stack(app, "Defaults", env=ENV)
    out["defaults"] = EmrCluster(defaults, "Cluster", spec=ClusterSpec.model_validate(FLEETS), vpc=_vpc(defaults))
    kerberos = cdk.Stack(app, "Kerberos", env=ENV)
    payload = copy.deepcopy(FLEETS)
    payload["security"] = KERBEROS_CROSS_REALM
    given_key = kms.Key(kerberos, "DataKey", enable_key_rotation=True, removal_policy=cdk.RemovalPolicy.RETAIN)
    out["kerberos"] = EmrCluster(
        kerberos, "Cluster", spec=ClusterSpec.model_validate(payload), vpc=_vpc(kerberos), s3_data_key=given_key
    )
    out["given_key"] = given_key
    for stack in (defaults, kerberos):
        acknowledge_imported_subnets(stack)
    out["findings"] = synth_findings(app)
    out["templates"] = {
        name: json.loads((Path(app.outdir) / f"{name}.template.json").read_text()) for name in ("Defaults", "Kerberos")
    }
    out["outdir"] = Path(app.outdir)
    return out


def _one(template: dict[str, Any], kind: str) -> dict[str, Any]:
    (resource,) = [r for r in template["Resources"].values() if r["Type"] == kind]
    return resource


def test_secure_defaults_pass_every_policy_pack_but_kerberos(built: dict[str, Any]) -> None:
    # Without Kerberos and without a waiver, the packs flag exactly the missing authentication; the
    # Kerberos cluster passes every rule.
    assert sorted(policy_failures(built["findings"])) == [
        "AwsSolutions-EMR6 at Defaults/Cluster/Resource",
        "HIPAA.Security-EMRKerberosEnabled at Defaults/Cluster/Resource",
    ]


@pytest.mark.parametrize("name", ["Defaults", "Kerberos"])
def test_cfn_lint_is_clean(built: dict[str, Any], name: str) -> None:
    assert cfn_lint(built["templates"][name]) == []


def test_default_cluster_references_its_security_configuration(built: dict[str, Any]) -> None:
    template = built["templates"]["Defaults"]
    cluster = _one(template, "AWS::EMR::Cluster")
    configuration_id = cluster["Properties"]["SecurityConfiguration"]["Ref"]
    document = template["Resources"][configuration_id]["Properties"]["SecurityConfiguration"]
    encryption = document["EncryptionConfiguration"]
    assert encryption["EnableAtRestEncryption"] is True and encryption["EnableInTransitEncryption"] is True
    assert encryption["InTransitEncryptionConfiguration"] == {
        "TLSCertificateConfiguration": {"CertificateProviderType": "EMR"}
    }
    at_rest = encryption["AtRestEncryptionConfiguration"]
    assert at_rest["S3EncryptionConfiguration"]["EncryptionMode"] == "SSE-KMS"
    assert at_rest["LocalDiskEncryptionConfiguration"]["EnableEbsEncryption"] is True
    assert document["InstanceMetadataServiceConfiguration"] == {
        "MinimumInstanceMetadataServiceVersion": 2,
        "HttpPutResponseHopLimit": 1,
    }
    # Both keys were created for the standalone cluster: rotation on and retained.
    keys = [r for r in template["Resources"].values() if r["Type"] == "AWS::KMS::Key"]
    assert len(keys) == 3  # S3 data, local disk, and the log bucket's
    assert all(k["Properties"]["EnableKeyRotation"] and k["DeletionPolicy"] == "Retain" for k in keys)


def test_key_policies_grant_exactly_the_roles_that_need_each_key(built: dict[str, Any]) -> None:
    template = Template.from_json(built["templates"]["Defaults"])
    policies = template.find_resources("AWS::IAM::ManagedPolicy")
    by_description = {p["Properties"]["Description"]: p["Properties"] for p in policies.values()}
    node = by_description["EMR nodes use the cluster's S3 data and local-disk keys."]
    ebs = by_description["The EMR service role encrypts the cluster's EBS volumes with the local-disk key."]
    assert (
        node["Roles"] == [{"Ref": Match.string_like_regexp("InstanceRole")}]
        or "InstanceRole" in node["Roles"][0]["Ref"]
    )
    assert "ServiceRole" in ebs["Roles"][0]["Ref"]
    (use, grant) = ebs["PolicyDocument"]["Statement"]
    assert "kms:Decrypt" in use["Action"] and not any(a.endswith("*") for a in use["Action"])
    assert grant["Action"] == ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"]
    assert grant["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    cluster = _one(built["templates"]["Defaults"], "AWS::EMR::Cluster")
    managed = {  # the security group rule clean-up's policy is the function's, not the cluster's
        k
        for k, v in built["templates"]["Defaults"]["Resources"].items()
        if v["Type"] == "AWS::IAM::ManagedPolicy" and "SecurityGroupCleanup" not in k
    }
    assert managed <= set(cluster["DependsOn"])


def test_only_the_broken_encryption_rules_are_acknowledged_on_the_cluster(built: dict[str, Any]) -> None:
    assert _acknowledged(built["defaults"].cfn_cluster) == {
        "AwsSolutions::AwsSolutions-EMR4",
        "AwsSolutions::AwsSolutions-EMR5",
    }
    assert _acknowledged(built["kerberos"].cfn_cluster) == {
        "AwsSolutions::AwsSolutions-EMR4",
        "AwsSolutions::AwsSolutions-EMR5",
    }


def test_kerberos_attributes_reference_secrets_and_never_hold_a_password(built: dict[str, Any]) -> None:
    template = built["templates"]["Kerberos"]
    attributes = _one(template, "AWS::EMR::Cluster")["Properties"]["KerberosAttributes"]
    assert attributes["Realm"] == "EC2.INTERNAL"
    assert attributes["CrossRealmTrustPrincipalPassword"] == (
        "{{resolve:secretsmanager:" + SECRET.format(name="trust") + ":SecretString:::}}"
    )
    assert attributes["ADDomainJoinUser"] == "emr-join"
    assert attributes["ADDomainJoinPassword"].startswith("{{resolve:secretsmanager:")
    assert attributes["KdcAdminPassword"]["Fn::Join"][1][0] == "{{resolve:secretsmanager:"
    secret = _one(template, "AWS::SecretsManager::Secret")
    assert "GenerateSecretString" in secret["Properties"] and "SecretString" not in secret["Properties"]


def test_runtime_roles_and_lake_formation_are_configured(built: dict[str, Any]) -> None:
    cluster = built["kerberos"]
    assert list(cluster.runtime_roles) == ["etl"]
    template = built["templates"]["Kerberos"]
    configuration = _one(template, "AWS::EMR::SecurityConfiguration")["Properties"]["SecurityConfiguration"]
    assert configuration["AuthorizationConfiguration"]["LakeFormationConfiguration"] == {
        "AuthorizedSessionTagValue": "Amazon EMR"
    }
    # The given S3 data key is used, not a new one; the runtime role may use it for EMRFS.
    data_key_id = cdk.Stack.of(built["kerberos"]).get_logical_id(built["given_key"].node.default_child)
    s3 = configuration["EncryptionConfiguration"]["AtRestEncryptionConfiguration"]["S3EncryptionConfiguration"]
    assert s3["AwsKmsKey"] == {"Fn::GetAtt": [data_key_id, "Arn"]}
    runtime_policy = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::IAM::ManagedPolicy" and "runtime roles read" in r["Properties"]["Description"]
    ]
    assert runtime_policy and runtime_policy[0]["PolicyDocument"]["Statement"][0]["Resource"] == {
        "Fn::GetAtt": [data_key_id, "Arn"]
    }


def test_no_private_key_or_password_in_the_cloud_assembly(built: dict[str, Any]) -> None:
    marker = "PRIVATE" + " KEY"
    for path in built["outdir"].rglob("*"):
        if path.is_file() and path.suffix in (".json", ".txt", ".yaml"):
            text = path.read_text(errors="replace")
            assert marker not in text, path
            assert '"KdcAdminPassword": "' not in text.replace("{{resolve", ""), path


def test_security_configuration_construct_alone_creates_only_the_keys_it_needs() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S", env=ENV)
    from emr_constructs.spec.security import SecuritySpec

    spec = SecuritySpec.model_validate(
        {"s3_encryption": {"mode": "SSE-S3"}, "local_disk_encryption": {"ebs_encryption": True}}
    )
    configuration = EmrSecurityConfiguration(stack, "Config", spec=spec)
    assert configuration.s3_data_key is None and configuration.local_disk_key is not None
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::KMS::Key", 1)
    document = json.loads(configuration.to_json())
    assert document["EncryptionConfiguration"]["AtRestEncryptionConfiguration"]["S3EncryptionConfiguration"] == {
        "EncryptionMode": "SSE-S3"
    }


def test_emrfs_role_mappings_let_the_instance_role_assume_the_mapped_roles() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S", env=ENV)
    payload = copy.deepcopy(FLEETS)
    mapped = "arn:aws:iam::111111111111:role/analysts-s3"
    payload["security"] = {
        "kerberos_waiver": {"reason": "unit test of EMRFS role mappings without a KDC in the way"},
        "emrfs_role_mappings": [{"role_arn": mapped, "identifier_type": "Group", "identifiers": ["analysts"]}],
    }
    cluster = EmrCluster(stack, "Cluster", spec=ClusterSpec.model_validate(payload), vpc=_vpc(stack))
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        {
            "PolicyDocument": {"Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow", "Resource": mapped}]},
            "Roles": [{"Ref": stack.get_logical_id(cluster.instance_role.node.default_child)}],  # type: ignore[arg-type]
        },
    )
    document = json.loads(cluster.security_configuration.to_json())
    assert document["AuthorizationConfiguration"] == {
        "EmrFsConfiguration": {
            "RoleMappings": [{"Role": mapped, "IdentifierType": "Group", "Identifiers": ["analysts"]}]
        }
    }


def test_keys_named_in_the_spec_are_granted_to_the_nodes() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S", env=ENV)
    payload = copy.deepcopy(FLEETS)
    given = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    payload["security"] = {
        "kerberos_waiver": {"reason": "unit test of keys named by ARN in the security spec"},
        "s3_encryption": {"mode": "CSE-KMS", "kms_key_arn": given},
    }
    cluster = EmrCluster(stack, "Cluster", spec=ClusterSpec.model_validate(payload), vpc=_vpc(stack))
    assert cluster.security_configuration.s3_data_key is None  # nothing created for S3: the spec names its key
    node_policy = [
        p["Properties"]
        for p in Template.from_stack(stack).find_resources("AWS::IAM::ManagedPolicy").values()
        if p["Properties"]["Description"].startswith("EMR nodes use")
    ]
    (statement,) = node_policy[0]["PolicyDocument"]["Statement"]
    assert given in statement["Resource"]
