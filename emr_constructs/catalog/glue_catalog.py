"""``GlueCatalog``: Glue databases (RETAIN) and least-privilege metastore access for EMR engines."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from constructs import Construct

from emr_constructs.iam._acknowledge import acknowledge_resource_finding
from emr_constructs.spec.datalake import GlueCatalogSpec

#: What the Hive metastore client of Hive, Spark and Trino calls to read the catalog (EMR Release Guide, "Using
#: the AWS Glue Data Catalog as the metastore for Hive": IAM permissions for the Glue Data Catalog).
READ_ACTIONS = (
    "glue:BatchGetPartition",
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
    "glue:DeletePartition",
    "glue:DeleteTable",
    "glue:UpdateDatabase",
    "glue:UpdatePartition",
    "glue:UpdateTable",
)


class GlueCatalog(Construct):
    """Glue databases for the data lake, and the grants that let EMR use the Data Catalog as its metastore.

    ``databases`` are created (``AWS::Glue::Database``, RETAIN: dropping a database drops its table definitions)
    in ``catalog_id`` (default: this account). ``grant_metastore_access`` gives a principal read and write
    access to exactly the named databases and their tables and functions, plus read access to ``default``,
    which the Hive metastore client reads when it starts; never ``*``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        databases: Sequence[tuple[str, str | None]] = (),
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        """``databases``: (name, description) pairs to create. Default: none (use existing databases)."""
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
    ) -> iam.ManagedPolicy:
        """A managed policy (under ``scope``) that lets ``grantee``'s role use the catalog's named databases.

        ``catalog_key_arn``: the key that encrypts the Data Catalog, when it is encrypted (default: none).
        """
        stack = cdk.Stack.of(scope)
        account = spec.catalog_id or stack.account

        def arn(resource: str) -> str:
            return stack.format_arn(
                service="glue", resource=resource, account=account, arn_format=cdk.ArnFormat.NO_RESOURCE_NAME
            )

        catalog = arn("catalog")
        databases = [arn(f"database/{name}") for name in spec.databases]
        tables = [arn(f"table/{name}/*") for name in spec.databases]
        functions = [arn(f"userDefinedFunction/{name}/*") for name in spec.databases]
        statements = [
            iam.PolicyStatement(
                sid="ReadNamedDatabases",
                actions=list(READ_ACTIONS),
                resources=[catalog, arn("database/default"), *databases, *tables, *functions],
            )
        ]
        if spec.databases:
            statements.append(
                iam.PolicyStatement(
                    sid="WriteNamedDatabases", actions=list(WRITE_ACTIONS), resources=[catalog, *databases, *tables]
                )
            )
        if catalog_key_arn is not None:
            # Glue encrypts and decrypts catalog objects with the caller's credentials.
            statements.append(
                iam.PolicyStatement(
                    sid="UseCatalogKey",
                    actions=["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
                    resources=[catalog_key_arn],
                )
            )
        role = grantee.grant_principal
        policy = iam.ManagedPolicy(
            scope,
            policy_id,
            description="EMR engines use the Glue Data Catalog as their metastore, on the named databases only.",
            statements=statements,
        )
        if isinstance(role, iam.Role):
            policy.attach_to_role(role)
        else:
            raise ValueError("GlueCatalog.grant_metastore_access: the grantee must be an iam.Role or an EmrCluster")
        reason = (
            "Tables and user-defined functions of the named Glue database: their names are created by the jobs "
            "themselves, so the statement names the database and covers its tables, nothing outside it."
        )
        for resource in [*tables, *functions]:
            acknowledge_resource_finding(policy.node.default_child, "AwsSolutions::AwsSolutions-IAM5", resource, reason)  # type: ignore[arg-type]
        return policy
