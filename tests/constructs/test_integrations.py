"""EmrCluster with the standard CDK grants: any grant that takes an IGrantable lands on the instance role; a
runtime role takes grants on its own policy."""

from __future__ import annotations

import copy
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Template

from emr_constructs import ClusterSpec, EmrCluster
from tests.constructs.test_cluster import ENV, FLEETS, _vpc
from tests.templates import cfn_lint

RUNTIME: dict[str, Any] = {
    **copy.deepcopy(FLEETS),
    "name": "runtime",
    "security": {"runtime_roles": {"roles": [{"name": "x", "description": "ETL steps"}, {"name": "y"}]}},
}

TABLE_READ_ACTIONS = {
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:Query",
    "dynamodb:Scan",
}
SECRET_READ_ACTIONS = {"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"}


class Built:
    def __init__(self) -> None:
        app = cdk.App()
        self.stack = cdk.Stack(app, "Integrations", env=ENV)
        vpc = _vpc(self.stack)
        self.cluster = EmrCluster(self.stack, "Cluster", spec=ClusterSpec.model_validate(FLEETS), vpc=vpc)
        self.table = dynamodb.TableV2(
            self.stack, "Table", partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING)
        )
        self.table_grant = self.table.grant_read_data(self.cluster)
        self.secret = secretsmanager.Secret(self.stack, "Secret")
        self.secret_grant = self.secret.grant_read(self.cluster)

        self.runtime = EmrCluster(self.stack, "Runtime", spec=ClusterSpec.model_validate(RUNTIME), vpc=vpc)
        self.bucket = s3.Bucket(self.stack, "Data")
        self.bucket_grant = self.bucket.grant_read(self.runtime.runtime_roles["x"], "raw/*")
        self.template = Template.from_stack(self.stack)

    def id_of(self, construct: Any) -> str:
        return self.stack.get_logical_id(construct.node.default_child)

    def statements_of(self, role: iam.IRole) -> list[dict[str, Any]]:
        """Every statement of every policy (inline or managed) attached to ``role`` in the template."""
        ref = {"Ref": self.id_of(role)}
        found: list[dict[str, Any]] = []
        for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            for resource in self.template.find_resources(kind).values():
                if ref in resource["Properties"].get("Roles", []):
                    found.extend(resource["Properties"]["PolicyDocument"]["Statement"])
        return found


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


def _actions(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return set(action) if isinstance(action, list) else {action}


def _resources(statement: dict[str, Any]) -> list[Any]:
    resource = statement["Resource"]
    return resource if isinstance(resource, list) else [resource]


def _granting(statements: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    return [s for s in statements if any(a.startswith(prefix) for a in _actions(s))]


def test_cluster_grant_principal_is_its_instance_role(built: Built) -> None:
    assert built.cluster.grant_principal is built.cluster.instance_role.grant_principal
    assert built.table_grant.success and built.secret_grant.success
    assert built.table_grant.principal_statements and built.secret_grant.principal_statements


def test_dynamodb_grant_lands_on_the_instance_role_policy(built: Built) -> None:
    statements = _granting(built.statements_of(built.cluster.instance_role), "dynamodb:")
    assert statements
    assert set().union(*(_actions(s) for s in statements)) == TABLE_READ_ACTIONS
    table_arn = {"Fn::GetAtt": [built.id_of(built.table), "Arn"]}
    for statement in statements:
        assert statement["Effect"] == "Allow"
        assert _resources(statement) == [table_arn]
    assert not [a for s in statements for a in _actions(s) if a in {"dynamodb:PutItem", "dynamodb:DeleteItem"}]


def test_secret_grant_lands_on_the_instance_role_policy(built: Built) -> None:
    (statement,) = _granting(built.statements_of(built.cluster.instance_role), "secretsmanager:")
    assert _actions(statement) == SECRET_READ_ACTIONS
    assert _resources(statement) == [{"Ref": built.id_of(built.secret)}]
    assert statement["Effect"] == "Allow"


def test_grants_reach_neither_the_service_role_nor_the_other_cluster(built: Built) -> None:
    for role in (built.cluster.service_role, built.runtime.instance_role, built.runtime.service_role):
        statements = built.statements_of(role)
        assert not _granting(statements, "dynamodb:")
        assert not _granting(statements, "secretsmanager:")


def test_runtime_role_grant_lands_on_its_own_policy(built: Built) -> None:
    role = built.runtime.runtime_roles["x"]
    (statement,) = _granting(built.statements_of(role), "s3:")
    bucket_arn = {"Fn::GetAtt": [built.id_of(built.bucket), "Arn"]}
    assert _actions(statement) == {"s3:GetObject*", "s3:GetBucket*", "s3:List*"}
    assert _resources(statement) == [bucket_arn, {"Fn::Join": ["", [bucket_arn, "/raw/*"]]}]


def test_runtime_role_grant_reaches_neither_the_instance_role_nor_other_runtime_roles(built: Built) -> None:
    bucket = built.id_of(built.bucket)
    for role in (built.runtime.instance_role, built.runtime.runtime_roles["y"], built.cluster.instance_role):
        assert bucket not in str(built.statements_of(role))


def test_runtime_roles_are_distinct_from_the_instance_role(built: Built) -> None:
    roles = built.runtime.runtime_roles
    assert set(roles) == {"x", "y"}
    ids = {built.id_of(r) for r in roles.values()}
    assert len(ids) == 2 and built.id_of(built.runtime.instance_role) not in ids
    assert built.runtime.grant_principal is built.runtime.instance_role.grant_principal


def test_cluster_waits_for_its_instance_role_policy(built: Built) -> None:
    """Grants made after the cluster join the instance role's default policy, which the cluster depends on."""
    (cluster,) = [
        r for r in built.template.find_resources("AWS::EMR::Cluster").values() if r["Properties"]["Name"] == "fleets"
    ]
    policies = [
        logical_id
        for logical_id, r in built.template.find_resources("AWS::IAM::Policy").items()
        if {"Ref": built.id_of(built.cluster.instance_role)} in r["Properties"]["Roles"]
    ]
    assert policies and set(policies) <= set(cluster["DependsOn"])


def test_cfn_lint_is_clean(built: Built) -> None:
    assert cfn_lint(dict(built.template.to_json())) == []
