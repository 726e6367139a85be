"""GlueCatalog: retained Glue databases and least-privilege metastore grants (roles and EmrCluster), nag, lint."""

from __future__ import annotations

import json
import re
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from emr_constructs import ClusterSpec, EmrCluster
from emr_constructs.catalog import READ_ACTIONS, WRITE_ACTIONS, GlueCatalog
from emr_constructs.spec.datalake import GlueCatalogSpec
from tests.constructs.test_cluster import ENV, FLEETS, _vpc
from tests.nag import nag_app, synth_findings
from tests.templates import cfn_lint

ACCOUNT = "111111111111"
OTHER = "222222222222"
DATABASES = ("raw", "curated")
OTHER_KEY = f"arn:aws:kms:eu-west-1:{OTHER}:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789"


def _arn(resource: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:glue:eu-west-1:{account}:{resource}"


def _flatten(value: Any) -> Any:
    """A resolved ARN as text: ``Fn::Join`` joined, the partition rendered as ``aws``, another resource's attribute
    or reference as ``<logical id>.<attribute>`` / ``<logical id>``."""
    if isinstance(value, dict):
        if "Fn::Join" in value:
            delimiter, parts = value["Fn::Join"]
            return delimiter.join(str(_flatten(part)) for part in parts)
        if value == {"Ref": "AWS::Partition"}:
            return "aws"
        if "Fn::GetAtt" in value:
            return ".".join(value["Fn::GetAtt"])
        return {key: _flatten(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_flatten(item) for item in value]
    return value


def _role(stack: cdk.Stack, id: str = "Role") -> iam.Role:
    return iam.Role(stack, id, assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))


class Built:
    def __init__(self) -> None:
        app = cdk.App()
        self.stack = cdk.Stack(app, "Catalog", env=ENV)
        self.catalog = GlueCatalog(self.stack, "Catalog", databases=[("raw", "Raw landing data"), ("curated", None)])
        self.role = _role(self.stack)
        (self.policy,) = GlueCatalog.grant_metastore_access(self.stack, self.role, GlueCatalogSpec(databases=DATABASES))

        self.cross_stack = cdk.Stack(app, "CrossAccount", env=ENV)
        self.cross_role = _role(self.cross_stack)
        GlueCatalog.grant_metastore_access(
            self.cross_stack,
            self.cross_role,
            GlueCatalogSpec(databases=DATABASES, catalog_id=OTHER),
            catalog_key_arn=OTHER_KEY,
        )

        self.bare_stack = cdk.Stack(app, "NoDatabases", env=ENV)
        self.bare_role = _role(self.bare_stack)
        GlueCatalog.grant_metastore_access(self.bare_stack, self.bare_role, GlueCatalogSpec())

        self.cluster_stack = cdk.Stack(app, "Cluster", env=ENV)
        self.cluster = EmrCluster(
            self.cluster_stack, "Cluster", spec=ClusterSpec.model_validate(FLEETS), vpc=_vpc(self.cluster_stack)
        )
        GlueCatalog.grant_metastore_access(
            self.cluster_stack, self.cluster, GlueCatalogSpec(databases=DATABASES), policy_id="Metastore"
        )

        self.templates = {
            name: Template.from_stack(stack)
            for name, stack in (
                ("catalog", self.stack),
                ("cross", self.cross_stack),
                ("bare", self.bare_stack),
                ("cluster", self.cluster_stack),
            )
        }


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


def _glue_policy(template: Template) -> dict[str, Any]:
    found = [
        resource["Properties"]
        for resource in template.find_resources("AWS::IAM::ManagedPolicy").values()
        if any(
            str(action).startswith("glue:")
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]
            for action in (statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])
        )
    ]
    assert len(found) == 1, found
    policy: dict[str, Any] = found[0]
    return policy


def _statements(template: Template) -> dict[str, dict[str, Any]]:
    statements = _glue_policy(template)["PolicyDocument"]["Statement"]
    return {s["Sid"]: {**s, "Resource": _flatten(s["Resource"])} for s in statements}


def _expected_read(account: str = ACCOUNT) -> list[str]:
    return [
        _arn("catalog", account),
        *(_arn(f"database/{name}", account) for name in DATABASES),
        *(_arn(f"table/{name}/*", account) for name in DATABASES),
        *(_arn(f"userDefinedFunction/{name}/*", account) for name in DATABASES),
    ]


def _expected_write(account: str = ACCOUNT) -> list[str]:
    # Writes reach the same resources as reads: tables, partitions and (permanent) user-defined functions.
    return _expected_read(account)


# -- databases ------------------------------------------------------------------------------------------------


def test_databases_are_created_in_this_account_and_retained(built: Built) -> None:
    databases = built.templates["catalog"].find_resources("AWS::Glue::Database")
    assert len(databases) == 2
    by_name = {r["Properties"]["DatabaseInput"]["Name"]: r for r in databases.values()}
    assert set(by_name) == {"raw", "curated"}
    for resource in by_name.values():
        assert resource["DeletionPolicy"] == "Retain"
        assert resource["UpdateReplacePolicy"] == "Retain"
        assert resource["Properties"]["CatalogId"] == ACCOUNT
    assert by_name["raw"]["Properties"]["DatabaseInput"]["Description"] == "Raw landing data"
    assert "Description" not in by_name["curated"]["Properties"]["DatabaseInput"]
    assert set(built.catalog.databases) == {"raw", "curated"}


def test_database_removal_policy_can_be_destroy() -> None:
    stack = cdk.Stack(cdk.App(), "Destroy", env=ENV)
    GlueCatalog(stack, "Catalog", databases=[("scratch", None)], removal_policy=cdk.RemovalPolicy.DESTROY)
    (resource,) = Template.from_stack(stack).find_resources("AWS::Glue::Database").values()
    assert resource["DeletionPolicy"] == "Delete"


# -- grants ---------------------------------------------------------------------------------------------------


def test_grant_reads_and_writes_exactly_the_named_databases(built: Built) -> None:
    statements = _statements(built.templates["catalog"])
    assert set(statements) == {
        "ReadCatalogAndDefault",
        "CreateDefaultDatabase",
        "ReadNamedDatabases",
        "WriteNamedDatabases",
    }
    assert statements["ReadCatalogAndDefault"]["Resource"] == [_arn("catalog"), _arn("database/default")]
    read, write = statements["ReadNamedDatabases"], statements["WriteNamedDatabases"]
    assert read["Effect"] == write["Effect"] == "Allow"
    assert read["Action"] == list(READ_ACTIONS)
    assert write["Action"] == list(WRITE_ACTIONS)
    assert read["Resource"] == _expected_read()
    assert write["Resource"] == _expected_write()
    assert "Condition" not in read and "Condition" not in write


def test_default_database_is_read_or_created_never_written(built: Built) -> None:
    statements = _statements(built.templates["catalog"])
    assert _arn("database/default") in statements["ReadCatalogAndDefault"]["Resource"]
    write = statements["WriteNamedDatabases"]["Resource"]
    assert not [arn for arn in write if "/default" in arn]
    # The metastore client creates `default` when the catalog has none: that one database, nothing else.
    create = statements["CreateDefaultDatabase"]
    assert create["Action"] == "glue:CreateDatabase"
    assert create["Resource"] == [_arn("catalog"), _arn("database/default")]
    every = [s for s in statements.values() if "default" in str(s["Resource"])]
    assert {s["Sid"] for s in every} == {"ReadCatalogAndDefault", "CreateDefaultDatabase"}


def test_no_statement_names_every_resource_or_action(built: Built) -> None:
    for template in built.templates.values():
        for resource in template.find_resources("AWS::IAM::ManagedPolicy").values():
            document = json.dumps(_flatten(resource["Properties"]["PolicyDocument"]))
            if "glue:" not in document:
                continue
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
                resources = _flatten(statement["Resource"])
                resources = resources if isinstance(resources, list) else [resources]
                assert "*" not in resources
                assert not [r for r in resources if re.search(r":(database|table|userDefinedFunction)/\*", r)]
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                assert not [a for a in actions if "*" in a]


def test_write_actions_never_create_or_delete_databases() -> None:
    assert not {"glue:CreateDatabase", "glue:DeleteDatabase"} & set(WRITE_ACTIONS)
    assert "glue:UpdateDatabase" in WRITE_ACTIONS
    assert not set(READ_ACTIONS) & set(WRITE_ACTIONS)
    assert all(a.startswith("glue:Get") or a.startswith("glue:BatchGet") for a in READ_ACTIONS)


def test_policy_is_attached_to_the_role(built: Built) -> None:
    policy = _glue_policy(built.templates["catalog"])
    assert policy["Roles"] == [{"Ref": built.stack.get_logical_id(built.role.node.default_child)}]  # type: ignore[arg-type]
    assert built.stack.resolve(built.policy.managed_policy_arn) == {
        "Ref": built.stack.get_logical_id(built.policy.node.default_child)  # type: ignore[arg-type]
    }


def test_catalog_id_switches_the_account_of_every_arn(built: Built) -> None:
    statements = _statements(built.templates["cross"])
    assert statements["ReadNamedDatabases"]["Resource"] == _expected_read(OTHER)
    assert statements["WriteNamedDatabases"]["Resource"] == _expected_write(OTHER)
    assert statements["CreateDefaultDatabase"]["Resource"] == [_arn("catalog", OTHER), _arn("database/default", OTHER)]
    every = json.dumps(_glue_policy(built.templates["cross"])["PolicyDocument"])
    assert ACCOUNT not in every


def test_catalog_key_is_usable_only_when_given(built: Built) -> None:
    key = _statements(built.templates["cross"])["UseCatalogKey"]
    assert key["Resource"] == OTHER_KEY
    assert set(key["Action"]) == {"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"}
    for name in ("catalog", "bare", "cluster"):
        assert "UseCatalogKey" not in _statements(built.templates[name])


def test_without_databases_nothing_is_written(built: Built) -> None:
    statements = _statements(built.templates["bare"])
    assert list(statements) == ["ReadCatalogAndDefault", "CreateDefaultDatabase"]
    assert statements["ReadCatalogAndDefault"]["Resource"] == [_arn("catalog"), _arn("database/default")]


def test_grant_to_an_emr_cluster_goes_to_its_instance_role(built: Built) -> None:
    template = built.templates["cluster"]
    stack = built.cluster_stack
    instance_role = stack.get_logical_id(built.cluster.instance_role.node.default_child)  # type: ignore[arg-type]
    policy = _glue_policy(template)
    assert policy["Roles"] == [{"Ref": instance_role}]
    statements = _statements(template)
    assert statements["ReadNamedDatabases"]["Resource"] == _expected_read()
    assert statements["WriteNamedDatabases"]["Resource"] == _expected_write()
    service_role = stack.get_logical_id(built.cluster.service_role.node.default_child)  # type: ignore[arg-type]
    assert {"Ref": service_role} not in policy["Roles"]


@pytest.mark.parametrize("name", ["catalog", "cross", "bare", "cluster"])
def test_cfn_lint_is_clean(built: Built, name: str) -> None:
    assert cfn_lint(dict(built.templates[name].to_json())) == []


def test_nag_packs_report_nothing_for_a_role_with_the_grant() -> None:
    app = nag_app()
    stack = cdk.Stack(app, "Nag", env=ENV)
    GlueCatalog(stack, "Catalog", databases=[(name, None) for name in DATABASES])
    GlueCatalog.grant_metastore_access(stack, _role(stack), GlueCatalogSpec(databases=DATABASES))
    other = cdk.Stack(app, "NagCrossAccount", env=ENV)
    GlueCatalog.grant_metastore_access(other, _role(other), GlueCatalogSpec(databases=DATABASES, catalog_id=OTHER))
    assert [str(f) for f in synth_findings(app)] == []


# -- failures and limits --------------------------------------------------------------------------------------


def test_fails_grant_to_a_user() -> None:
    stack = cdk.Stack(cdk.App(), "User", env=ENV)
    user = iam.User(stack, "User")
    with pytest.raises(ValueError, match=r"the grantee must be an IAM role"):
        GlueCatalog.grant_metastore_access(stack, user, GlueCatalogSpec(databases=DATABASES))


def test_fails_grant_to_an_account_principal() -> None:
    stack = cdk.Stack(cdk.App(), "Account", env=ENV)
    grantee = iam.AccountRootPrincipal()
    with pytest.raises(ValueError, match=r"the grantee must be an IAM role"):
        GlueCatalog.grant_metastore_access(stack, grantee, GlueCatalogSpec(databases=DATABASES))


def test_fails_grant_to_a_user_leaves_no_policy_behind() -> None:
    stack = cdk.Stack(cdk.App(), "User", env=ENV)
    with pytest.raises(ValueError):
        GlueCatalog.grant_metastore_access(stack, iam.User(stack, "User"), GlueCatalogSpec(databases=DATABASES))
    Template.from_stack(stack).resource_count_is("AWS::IAM::ManagedPolicy", 0)


def test_grant_to_an_imported_role() -> None:
    stack = cdk.Stack(cdk.App(), "Imported", env=ENV)
    role = iam.Role.from_role_arn(stack, "Role", f"arn:aws:iam::{ACCOUNT}:role/emr-instance")
    GlueCatalog.grant_metastore_access(stack, role, GlueCatalogSpec(databases=DATABASES))
    (policy,) = Template.from_stack(stack).find_resources("AWS::IAM::ManagedPolicy").values()
    assert policy["Properties"]["Roles"] == ["emr-instance"]


def _policy_sizes(template: Template) -> list[int]:
    """IAM counts a managed policy's size without whitespace, after CloudFormation resolves the partition."""
    return [
        len(json.dumps(_flatten(r["Properties"]["PolicyDocument"]), separators=(",", ":")))
        for r in template.find_resources("AWS::IAM::ManagedPolicy").values()
    ]


def test_ten_databases_fit_in_one_managed_policy() -> None:
    stack = cdk.Stack(cdk.App(), "Ten", env=ENV)
    names = tuple(f"curated_sales_{i:02d}" for i in range(10))
    GlueCatalog.grant_metastore_access(stack, _role(stack), GlueCatalogSpec(databases=names))
    (size,) = _policy_sizes(Template.from_stack(stack))
    assert size <= 6144


def test_fifty_databases_stay_within_the_managed_policy_size_limit() -> None:
    stack = cdk.Stack(cdk.App(), "Fifty", env=ENV)
    names = tuple(f"curated_sales_{i:02d}" for i in range(50))
    GlueCatalog.grant_metastore_access(stack, _role(stack), GlueCatalogSpec(databases=names))
    sizes = _policy_sizes(Template.from_stack(stack))
    assert sizes and max(sizes) <= 6144, sizes


def test_cluster_waits_for_the_metastore_policy(built: Built) -> None:
    template = built.templates["cluster"]
    (policy_id,) = [
        logical_id
        for logical_id, r in template.find_resources("AWS::IAM::ManagedPolicy").items()
        if r["Properties"].get("Description", "").startswith("EMR engines use the Glue Data Catalog")
    ]
    (cluster,) = template.find_resources("AWS::EMR::Cluster").values()
    assert policy_id in cluster.get("DependsOn", [])
