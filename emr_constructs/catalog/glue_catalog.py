"""``GlueCatalog``: Glue databases (RETAIN) and least-privilege metastore access for EMR engines."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from constructs import Construct

from emr_constructs.iam import acknowledge_resource_finding
from emr_constructs.spec.datalake import GlueCatalogSpec

#: What the Hive metastore client of Hive, Spark and Trino calls to read the catalog (EMR Release Guide, "Using
#: the AWS Glue Data Catalog as the metastore for Hive": IAM permissions for the Glue Data Catalog).
READ_ACTIONS = (
    "glue:BatchGetPartition",
    "glue:GetColumnStatisticsForPartition",
    "glue:GetColumnStatisticsForTable",
    "glue:GetDatabase",
    "glue:GetDatabases",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:GetTable",
    "glue:GetTableVersions",
    "glue:GetTables",
    "glue:GetUserDefinedFunction",
    "glue:GetUserDefinedFunctions",
)
#: What it calls to create and change tables and partitions in the named databases.
WRITE_ACTIONS = (
    "glue:BatchCreatePartition",
    "glue:BatchDeletePartition",
    "glue:BatchDeleteTable",
    "glue:BatchUpdatePartition",
    "glue:CreatePartition",
    "glue:CreateTable",
    "glue:DeleteColumnStatisticsForPartition",
    "glue:DeleteColumnStatisticsForTable",
    "glue:DeletePartition",
    "glue:DeleteTable",
    "glue:CreateUserDefinedFunction",
    "glue:DeleteUserDefinedFunction",
    "glue:UpdateColumnStatisticsForPartition",
    "glue:UpdateColumnStatisticsForTable",
    "glue:UpdateDatabase",
    "glue:UpdatePartition",
    "glue:UpdateTable",
    "glue:UpdateUserDefinedFunction",
)


class GlueCatalog(Construct):
    """Glue databases for the data lake, and the grants that let EMR use the Data Catalog as its metastore.

    ``databases`` are created (``AWS::Glue::Database``, RETAIN: dropping a database drops its table definitions)
    in ``catalog_id`` (default: this account). ``grant_metastore_access`` gives a principal read and write
    access to exactly the named databases and their tables and functions, plus read access to ``default``,
    which the Hive metastore client reads when it starts; never ``*``.

    :param databases: (name, description) pairs of the databases to create; a description may be ``None``.
        Default: ``()``, no database (use existing databases).
    :param removal_policy: what happens to the created databases when they leave the stack.
        Default: ``cdk.RemovalPolicy.RETAIN``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        databases: Sequence[tuple[str, str | None]] = (),
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, id)
        self.databases: dict[str, glue.CfnDatabase] = {}
        account = cdk.Stack.of(self).account
        for name, description in databases:
            database = glue.CfnDatabase(
                self,
                f"Database-{name}",
                catalog_id=account,
                database_input=glue.CfnDatabase.DatabaseInputProperty(name=name, description=description),
            )
            database.apply_removal_policy(removal_policy)
            self.databases[name] = database

    @staticmethod
    def grant_metastore_access(
        scope: Construct,
        grantee: iam.IGrantable,
        spec: GlueCatalogSpec,
        *,
        policy_id: str = "GlueCatalogAccess",
        catalog_key_arn: str | None = None,
    ) -> list[iam.ManagedPolicy]:
        """Managed policies (under ``scope``) that let ``grantee``'s role use the catalog's named databases.

        The databases are spread over as many policies as IAM's 6,144-character limit for a managed policy needs
        (``<policy_id>``, ``<policy_id>2``, ...). An ``EmrCluster`` grantee's cluster waits for the policies.

        :param scope: where the managed policies are created.
        :param grantee: an IAM role, or an ``EmrCluster`` (its instance role).
        :param spec: the databases (and the catalog id of a cross-account catalog) to grant.
        :param policy_id: construct id of the first policy; further policies add 2, 3, ...
            Default: ``"GlueCatalogAccess"``.
        :param catalog_key_arn: the KMS key that encrypts the Data Catalog, when it is encrypted.
            Default: ``None``, no key access.
        """
        role = grantee.grant_principal
        if not (hasattr(role, "role_name") and hasattr(role, "role_arn")):
            raise ValueError(
                "GlueCatalog.grant_metastore_access: the grantee must be an IAM role (iam.Role, Role.from_role_arn) "
                f"or an EmrCluster, got {type(role).__name__}. Fix: grant to the role that runs the engines"
            )
        stack = cdk.Stack.of(scope)
        account = spec.catalog_id or stack.account

        # What stack.format_arn writes, with the partition and region read once rather than per ARN.
        prefix = f"arn:{stack.partition}:glue:{stack.region}:{account}:"

        def arn(resource: str) -> str:
            return prefix + resource

        catalog = arn("catalog")
        common = [
            iam.PolicyStatement(
                sid="ReadCatalogAndDefault", actions=list(READ_ACTIONS), resources=[catalog, arn("database/default")]
            ),
            # The Hive metastore client (and Spark at start) create `default` when the catalog has none yet.
            iam.PolicyStatement(
                sid="CreateDefaultDatabase",
                actions=["glue:CreateDatabase"],
                resources=[catalog, arn("database/default")],
            ),
        ]
        if catalog_key_arn is not None:
            # Glue encrypts and decrypts catalog objects with the caller's credentials.
            common.append(
                iam.PolicyStatement(
                    sid="UseCatalogKey",
                    actions=["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
                    resources=[catalog_key_arn],
                )
            )
        reason = (
            "Tables and user-defined functions of the named Glue database: their names are created by the jobs "
            "themselves, so the statement names the database and covers its tables, nothing outside it."
        )
        policies: list[iam.ManagedPolicy] = []
        for index, names in enumerate(_chunks(spec.databases) or [()]):
            databases = [arn(f"database/{name}") for name in names]
            tables = [arn(f"table/{name}/*") for name in names]
            functions = [arn(f"userDefinedFunction/{name}/*") for name in names]
            statements = list(common) if index == 0 else []
            if names:
                statements += [
                    iam.PolicyStatement(
                        sid="ReadNamedDatabases",
                        actions=list(READ_ACTIONS),
                        resources=[catalog, *databases, *tables, *functions],
                    ),
                    iam.PolicyStatement(
                        sid="WriteNamedDatabases",
                        actions=list(WRITE_ACTIONS),
                        resources=[catalog, *databases, *tables, *functions],
                    ),
                ]
            policy = iam.ManagedPolicy(
                scope,
                policy_id if index == 0 else f"{policy_id}{index + 1}",
                description="EMR engines use the Glue Data Catalog as their metastore, on the named databases only.",
                statements=statements,
            )
            policy.attach_to_role(role)  # type: ignore[arg-type]
            cluster = getattr(grantee, "cfn_cluster", None)
            if isinstance(cluster, cdk.CfnResource):
                cluster.node.add_dependency(policy)  # Hive and Spark read the catalog when the nodes start
            cfn_policy = policy.node.default_child
            for resource in [*tables, *functions]:
                acknowledge_resource_finding(cfn_policy, "AwsSolutions::AwsSolutions-IAM5", resource, reason)  # type: ignore[arg-type]
            policies.append(policy)
        return policies


#: Characters that one database adds to a policy (its database, table and function ARNs in two statements),
#: beyond its name; the first policy also carries the catalog statements. IAM allows 6,144 per managed policy.
_PER_DATABASE = 5 * 70
_POLICY_BUDGET = 4500


def _chunks(names: Sequence[str]) -> list[tuple[str, ...]]:
    chunks: list[tuple[str, ...]] = []
    current: list[str] = []
    size = 0
    for name in names:
        cost = _PER_DATABASE + 5 * len(name)
        if current and size + cost > _POLICY_BUDGET:
            chunks.append(tuple(current))
            current, size = [], 0
        current.append(name)
        size += cost
    if current:
        chunks.append(tuple(current))
    return chunks
