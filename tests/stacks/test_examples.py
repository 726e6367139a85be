"""config/examples/*.yaml: one app per data-lake preset, each synthesised with every policy check.

Every expectation is derived from the example's YAML (read with ``yaml.safe_load``), not from template output:
the engines point at the Glue Data Catalog, HBase at S3, Livy ends idle sessions, Flink reads exactly its Kinesis
streams, IAM reaches only the named Glue databases and the declared bucket prefixes, and no stack imports an export.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import aws_cdk as cdk
import pytest
import yaml

from emr_constructs.spec.datalake import GLUE_CLIENT_FACTORY, PresetName
from emr_constructs.spec.eks import base36_role_name
from emr_constructs.spec.serverless_checks import construct_id
from stacks import build_app, project_context
from tests.templates import cfn_lint

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "config" / "examples"

#: Every example file and the presets it exists to show (each of its clusters declares exactly these).
EXAMPLES: dict[str, tuple[str, ...]] = {
    "spark-hive-glue.yaml": ("spark-hive-glue",),
    "trino-glue.yaml": ("spark-hive-glue", "trino-glue"),
    "hbase-s3.yaml": ("hbase-s3",),
    "flink.yaml": ("flink",),
    "notebooks.yaml": ("spark-hive-glue", "notebooks"),
    "serverless.yaml": (),  # no cluster: an EMR Serverless application and its jobs
    "emr-on-eks.yaml": (),  # no cluster: EMR on EKS virtual clusters and their jobs
}

KINESIS_READ = ("kinesis:DescribeStream", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards")
GLUE_WRITE_VERBS = ("glue:Create", "glue:Update", "glue:Delete", "glue:BatchCreate", "glue:BatchDelete")


# -- expectations from the YAML -------------------------------------------------------------------------------


def _raw(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES_DIR / name).read_text())
    return data


def _prefix(raw: dict[str, Any]) -> str:
    return f"emr-{raw['environment']}"


def _bucket(raw: dict[str, Any], name: str) -> str:
    """The documented fixed name of a data (or the log) bucket: emr-constructs-<env>-<name>-<account>-<region>."""
    return f"emr-constructs-{raw['environment']}-{name}-{raw['account']}-{raw['region']}"


def _applications(cluster: dict[str, Any]) -> set[str]:
    return {str(app).lower() for app in cluster.get("applications", [])}


def _lake(cluster: dict[str, Any]) -> dict[str, Any]:
    lake: dict[str, Any] = cluster.get("data_lake") or {}
    return lake


def _catalog(cluster: dict[str, Any]) -> dict[str, Any] | None:
    """The Glue catalog block: absent means the default (no databases), ``null`` means none."""
    lake = _lake(cluster)
    if "catalog" not in lake:
        return {}
    catalog: dict[str, Any] | None = lake["catalog"]
    return catalog


def _presets(cluster: dict[str, Any]) -> set[str]:
    """The presets in force: as given, or spark-hive-glue by default with Spark or Hive and a catalog."""
    lake = _lake(cluster)
    if lake.get("presets") is not None:
        return set(lake["presets"])
    if _applications(cluster) & {"spark", "hive"} and _catalog(cluster) is not None:
        return {"spark-hive-glue"}
    return set()


def _lake_locations(cluster: dict[str, Any]) -> list[str]:
    lake = _lake(cluster)
    found = []
    iceberg = (lake.get("table_formats") or {}).get("iceberg")
    if iceberg:
        found.append(iceberg["warehouse"])
    if lake.get("hbase"):
        found.append(lake["hbase"]["root_dir"])
    return found


def _declared_s3(raw: dict[str, Any], cluster_name: str) -> dict[str, set[str]]:
    """Physical data bucket -> the prefixes this cluster was declared to reach (access entries, lake locations)."""
    declared: dict[str, set[str]] = {}
    for bucket in raw.get("data_buckets", []):
        for entry in bucket.get("access", []):
            if entry["cluster"] == cluster_name:
                declared.setdefault(_bucket(raw, bucket["name"]), set()).add(entry.get("prefix", ""))
    cluster = next(c for c in raw["clusters"] if c["name"] == cluster_name)
    for uri in _lake_locations(cluster):
        name, _, prefix = uri.removeprefix("s3://").partition("/")
        declared.setdefault(name, set()).add(prefix)
    return declared


def _as_text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


@dataclass(frozen=True)
class Case:
    file: str
    raw: dict[str, Any]
    cluster: dict[str, Any]

    @property
    def stack(self) -> str:
        return f"{_prefix(self.raw)}-{self.cluster['name']}"

    @property
    def id(self) -> str:
        return f"{self.file}:{self.cluster['name']}"


RAW = {name: _raw(name) for name in EXAMPLES if (EXAMPLES_DIR / name).is_file()}
CASES = [Case(name, raw, cluster) for name, raw in RAW.items() for cluster in raw.get("clusters", [])]


def _stack_names(raw: dict[str, Any]) -> list[str]:
    """The stateful stack, one per cluster, one per serverless application and one per virtual cluster (named as
    the app names them)."""
    return [
        f"{_prefix(raw)}-stateful",
        *(f"{_prefix(raw)}-{c['name']}" for c in raw.get("clusters", [])),
        *(f"{_prefix(raw)}-{construct_id(a['name'])}" for a in raw.get("serverless_applications", [])),
        *(f"{_prefix(raw)}-{construct_id(v['name'])}" for v in raw.get("virtual_clusters", [])),
    ]


STACKS = [(name, stack) for name, raw in RAW.items() for stack in _stack_names(raw)]


def _cases(preset: str | None = None) -> pytest.MarkDecorator:
    chosen = [case for case in CASES if preset is None or preset in _presets(case.cluster)]
    return pytest.mark.parametrize("case", chosen, ids=[case.id for case in chosen])


# -- the synthesised apps -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def templates() -> dict[str, dict[str, dict[str, Any]]]:
    """Every example app built and synthesised once: file -> stack name -> template.

    ``app.synth()`` runs the cdk-nag packs (AwsSolutions, HIPAA Security, NIST 800-53 R5) and raises on any
    unacknowledged finding.
    """
    built: dict[str, dict[str, dict[str, Any]]] = {}
    for name in EXAMPLES:
        app = cdk.App(outdir=tempfile.mkdtemp(prefix=f"example-{Path(name).stem}-"), context=project_context())
        build_app(EXAMPLES_DIR / name, app)
        assembly = app.synth()
        built[name] = {stack.stack_name: stack.template for stack in assembly.stacks}
    return built


def _resources(template: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r for r in template["Resources"].values() if r["Type"] == kind]


def _cluster(template: dict[str, Any]) -> dict[str, Any]:
    (cluster,) = _resources(template, "AWS::EMR::Cluster")
    properties: dict[str, Any] = cluster["Properties"]
    return properties


def _classifications(template: dict[str, Any]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for entry in _cluster(template).get("Configurations", []):
        assert entry["Classification"] not in found, f"{entry['Classification']} rendered twice"
        found[entry["Classification"]] = entry.get("ConfigurationProperties", {})
    return found


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    """Every IAM statement in the stack: policies, managed policies and the roles' inline policies."""
    found: list[dict[str, Any]] = []
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            found.extend(properties["PolicyDocument"]["Statement"])
        elif resource["Type"] == "AWS::IAM::Role":
            for policy in properties.get("Policies", []):
                found.extend(policy["PolicyDocument"]["Statement"])
    return found


def _instance_role_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    """The statements of the policies attached to the EC2 instance role (the role the cluster's nodes run as)."""
    (role_id,) = [
        logical_id
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::IAM::Role"
        and any(
            "ec2.amazonaws.com" in _listed(statement.get("Principal", {}).get("Service", []))
            for statement in resource["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        )
    ]
    found: list[dict[str, Any]] = []
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") and {"Ref": role_id} in properties.get(
            "Roles", []
        ):
            found.extend(properties["PolicyDocument"]["Statement"])
    return found


def _with_service(statements: list[dict[str, Any]], service: str) -> list[dict[str, Any]]:
    return [s for s in statements if any(str(a).startswith(f"{service}:") for a in _listed(s["Action"]))]


# -- coverage and shape of the example files ------------------------------------------------------------------


def test_every_example_file_is_covered() -> None:
    """A new file in config/examples/ must be added to EXAMPLES (and so to every test below)."""
    on_disk = sorted(path.name for path in EXAMPLES_DIR.iterdir() if path.is_file())
    assert on_disk == sorted(EXAMPLES)


def test_every_preset_has_an_example() -> None:
    assert {preset for presets in EXAMPLES.values() for preset in presets} == set(get_args(PresetName))


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_declares_the_presets_it_is_named_for(name: str) -> None:
    for cluster in _raw(name).get("clusters", []):
        assert tuple(_lake(cluster).get("presets") or ()) == EXAMPLES[name], cluster["name"]


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_starts_with_what_it_shows_and_how_to_synth_it(name: str) -> None:
    lines = (EXAMPLES_DIR / name).read_text().splitlines()
    header = lines[: next(i for i, line in enumerate(lines) if not line.startswith("#"))]
    assert header and header[0].startswith("# Example: ")
    assert f"`make synth CONFIG=config/examples/{name}`" in "\n".join(header)


def test_environments_are_distinct() -> None:
    environments = [raw["environment"] for raw in RAW.values()]
    assert len(set(environments)) == len(environments) == len(EXAMPLES)
    assert all(len(environment) <= 20 for environment in environments)


@_cases("spark-hive-glue")
def test_catalog_databases_are_declared_in_the_example(case: Case) -> None:
    declared = {database["name"] for database in case.raw.get("glue_databases", [])}
    catalog = _catalog(case.cluster)
    assert catalog is not None and catalog.get("databases")
    assert set(catalog["databases"]) <= declared


# -- stacks and templates -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_stacks(templates: dict[str, dict[str, dict[str, Any]]], name: str) -> None:
    assert set(templates[name]) == set(_stack_names(RAW[name]))


@pytest.mark.parametrize(("name", "stack"), STACKS, ids=[f"{n}:{s}" for n, s in STACKS])
def test_cfn_lint_is_clean(templates: dict[str, dict[str, dict[str, Any]]], name: str, stack: str) -> None:
    assert cfn_lint(templates[name][stack], region=RAW[name]["region"]) == []


@pytest.mark.parametrize(("name", "stack"), STACKS, ids=[f"{n}:{s}" for n, s in STACKS])
def test_no_cloudformation_export_is_imported(
    templates: dict[str, dict[str, dict[str, Any]]], name: str, stack: str
) -> None:
    assert "Fn::ImportValue" not in json.dumps(templates[name][stack])


@_cases()
def test_every_fleet_offers_a_graviton_type(templates: dict[str, dict[str, dict[str, Any]]], case: Case) -> None:
    instances = _cluster(templates[case.file][case.stack])["Instances"]
    fleets = [instances[key] for key in ("MasterInstanceFleet", "CoreInstanceFleet") if key in instances]
    fleets += [f["Properties"] for f in _resources(templates[case.file][case.stack], "AWS::EMR::InstanceFleetConfig")]
    assert fleets
    for fleet in fleets:
        types = [config["InstanceType"] for config in fleet["InstanceTypeConfigs"]]
        assert any(re.match(r"^[a-z]+\d+g[a-z]*\.", t) for t in types), (fleet["Name"], types)


@_cases()
def test_own_configurations_are_kept(templates: dict[str, dict[str, dict[str, Any]]], case: Case) -> None:
    rendered = _classifications(templates[case.file][case.stack])
    for entry in case.cluster.get("configurations", []):
        for key, value in (entry.get("properties") or {}).items():
            assert rendered.get(entry["classification"], {}).get(key) == _as_text(value), (entry["classification"], key)


# -- engines on the Glue Data Catalog, HBase on S3, notebooks ------------------------------------------------


@_cases("spark-hive-glue")
def test_spark_and_hive_use_the_glue_catalog(templates: dict[str, dict[str, dict[str, Any]]], case: Case) -> None:
    rendered = _classifications(templates[case.file][case.stack])
    installed = _applications(case.cluster)
    catalog = _catalog(case.cluster) or {}
    for application, classification in (("hive", "hive-site"), ("spark", "spark-hive-site")):
        if application in installed:
            assert rendered.get(classification, {}).get("hive.metastore.client.factory.class") == GLUE_CLIENT_FACTORY
            assert rendered[classification].get("hive.metastore.glue.catalogid") == catalog.get("catalog_id")
        else:
            assert classification not in rendered


@_cases("spark-hive-glue")
def test_iceberg_catalog_points_at_the_declared_warehouse(
    templates: dict[str, dict[str, dict[str, Any]]], case: Case
) -> None:
    iceberg = (_lake(case.cluster).get("table_formats") or {}).get("iceberg")
    rendered = _classifications(templates[case.file][case.stack])
    if iceberg is None:
        assert "iceberg-defaults" not in rendered
        return
    name = iceberg.get("catalog_name", "glue_catalog")
    spark = rendered.get("spark-defaults", {})
    assert spark.get(f"spark.sql.catalog.{name}.catalog-impl") == "org.apache.iceberg.aws.glue.GlueCatalog"
    assert spark.get(f"spark.sql.catalog.{name}.warehouse") == iceberg["warehouse"]


@_cases("trino-glue")
def test_trino_uses_the_glue_catalog(templates: dict[str, dict[str, dict[str, Any]]], case: Case) -> None:
    rendered = _classifications(templates[case.file][case.stack])
    assert rendered.get("trino-connector-hive", {}).get("hive.metastore") == "glue"
    catalog = _catalog(case.cluster) or {}
    assert rendered["trino-connector-hive"].get("hive.metastore.glue.catalogid") == catalog.get("catalog_id")


@_cases("hbase-s3")
def test_hbase_keeps_its_root_directory_in_s3(templates: dict[str, dict[str, dict[str, Any]]], case: Case) -> None:
    rendered = _classifications(templates[case.file][case.stack])
    hbase = _lake(case.cluster)["hbase"]
    assert rendered.get("hbase", {}).get("hbase.emr.storageMode") == "s3"
    assert rendered.get("hbase-site", {}).get("hbase.rootdir") == hbase["root_dir"]
    if hbase.get("read_replica"):
        assert rendered["hbase"].get("hbase.emr.readreplica.enabled") == "true"
        # A replica reads the tables of a writer cluster on the same root directory.
        writers = [
            c
            for c in case.raw["clusters"]
            if (_lake(c).get("hbase") or {}).get("root_dir") == hbase["root_dir"]
            and not _lake(c)["hbase"].get("read_replica")
        ]
        assert writers
    else:
        assert "hbase.emr.readreplica.enabled" not in rendered["hbase"]


@_cases("notebooks")
def test_livy_ends_idle_notebook_sessions(templates: dict[str, dict[str, dict[str, Any]]], case: Case) -> None:
    rendered = _classifications(templates[case.file][case.stack])
    timeout = (_lake(case.cluster).get("notebooks") or {}).get("session_timeout", "1h")
    assert rendered.get("livy-conf", {}).get("livy.server.session.timeout-check") == "true"
    assert rendered.get("livy-conf", {}).get("livy.server.session.timeout") == timeout


# -- what IAM reaches -----------------------------------------------------------------------------------------


@_cases()
def test_flink_reads_exactly_its_kinesis_streams(templates: dict[str, dict[str, dict[str, Any]]], case: Case) -> None:
    template = templates[case.file][case.stack]
    streams = set((_lake(case.cluster).get("flink") or {}).get("kinesis_streams", []))
    if "flink" in _presets(case.cluster):
        assert streams, "the flink example should read a stream"
        for arn in streams:
            assert arn.split(":")[3:5] == [case.raw["region"], case.raw["account"]]
    role_statements = _with_service(_instance_role_statements(template), "kinesis")
    for arn in streams:
        for action in KINESIS_READ:
            assert any(action in _listed(s["Action"]) and arn in _listed(s["Resource"]) for s in role_statements), (
                action,
                arn,
            )
    for statement in _with_service(_statements(template), "kinesis"):
        assert set(_listed(statement["Resource"])) <= streams, statement
        assert all(str(a).startswith("kinesis:") and "*" not in str(a) for a in _listed(statement["Action"]))


@_cases()
def test_flink_reads_exactly_its_msk_clusters(templates: dict[str, dict[str, dict[str, Any]]], case: Case) -> None:
    clusters = list((_lake(case.cluster).get("flink") or {}).get("msk_clusters", []))
    statements = _with_service(_statements(templates[case.file][case.stack]), "kafka-cluster")
    expected = {
        arn.replace(":cluster/", f":{kind}/") + suffix
        for arn in clusters
        for kind, suffix in (("cluster", ""), ("topic", "/*"), ("group", "/*"))
    }
    reached = {r for s in statements for r in _listed(s["Resource"])}
    assert reached == expected
    actions = {a for s in statements for a in _listed(s["Action"])}
    if clusters:
        assert actions == {
            "kafka-cluster:Connect",
            "kafka-cluster:DescribeCluster",
            "kafka-cluster:DescribeTopic",
            "kafka-cluster:ReadData",
            "kafka-cluster:AlterGroup",
            "kafka-cluster:DescribeGroup",
        }


@_cases()
def test_glue_reaches_only_the_named_databases(templates: dict[str, dict[str, dict[str, Any]]], case: Case) -> None:
    statements = _with_service(_statements(templates[case.file][case.stack]), "glue")
    catalog = _catalog(case.cluster)
    if catalog is None or not _presets(case.cluster) & {"spark-hive-glue", "trino-glue"}:
        assert statements == [], "a cluster without a Glue-backed engine gets no Glue permission"
        return
    named = list(catalog.get("databases", []))
    base = f"arn:aws:glue:{case.raw['region']}:{catalog.get('catalog_id') or case.raw['account']}"
    allowed = {
        f"{base}:catalog",
        f"{base}:database/default",
        *(f"{base}:database/{name}" for name in named),
        *(f"{base}:table/{name}/*" for name in named),
        *(f"{base}:userDefinedFunction/{name}/*" for name in named),
    }
    reached: set[str] = set()
    for statement in statements:
        assert statement["Effect"] == "Allow"
        assert "glue:*" not in _listed(statement["Action"])
        for resource in _listed(statement["Resource"]):
            assert isinstance(resource, str), resource
            assert resource != "*"
            assert resource in allowed, resource
            reached.add(resource)
        actions = _listed(statement["Action"])
        if actions == ["glue:CreateDatabase"]:
            # The metastore client may create `default` when the catalog has none; nothing else is created.
            assert sorted(_listed(statement["Resource"])) == [f"{base}:catalog", f"{base}:database/default"]
        elif any(str(a).startswith(GLUE_WRITE_VERBS) for a in actions):
            # Writes to tables and partitions only in the named databases: never in default.
            assert f"{base}:database/default" not in _listed(statement["Resource"])
    for name in named:
        assert {f"{base}:database/{name}", f"{base}:table/{name}/*"} <= reached


@_cases()
def test_s3_reaches_only_the_log_prefix_and_declared_data(
    templates: dict[str, dict[str, dict[str, Any]]], case: Case
) -> None:
    name = case.cluster["name"]
    logs = f"arn:aws:s3:::{_bucket(case.raw, 'logs')}"
    log_prefix = f"emr/{name}"
    declared = _declared_s3(case.raw, name)
    data_allowed = {f"arn:aws:s3:::{bucket}" for bucket in declared} | {
        f"arn:aws:s3:::{bucket}/{prefix}*" for bucket, prefixes in declared.items() for prefix in prefixes
    }
    reached: set[str] = set()
    for statement in _with_service(_statements(templates[case.file][case.stack]), "s3"):
        assert "s3:*" not in _listed(statement["Action"])
        for resource in _listed(statement["Resource"]):
            assert isinstance(resource, str), resource
            assert resource != "*"
            if resource == logs:
                # The log bucket itself only to list the cluster's own log prefix.
                assert _listed(statement["Action"]) == ["s3:ListBucket"]
                prefixes = statement["Condition"]["StringLike"]["s3:prefix"]
                assert all(p == log_prefix or p.startswith(f"{log_prefix}/") for p in _listed(prefixes))
            elif resource.startswith(f"{logs}/"):
                assert resource == f"{logs}/{log_prefix}/*"
            else:
                assert resource in data_allowed, resource
            reached.add(resource)
    assert f"{logs}/{log_prefix}/*" in reached
    assert data_allowed <= reached  # every declared prefix is granted, not just allowed


# -- EMR Serverless (serverless.yaml) ---------------------------------------------------------------------------

SERVERLESS_CASES = [(name, app) for name, raw in RAW.items() for app in raw.get("serverless_applications", [])]


def _serverless(templates: dict[str, dict[str, dict[str, Any]]], name: str, app: dict[str, Any]) -> dict[str, Any]:
    return templates[name][f"{_prefix(RAW[name])}-{construct_id(app['name'])}"]


EKS_EXAMPLE = "emr-on-eks.yaml"


def _eks(templates: dict[str, dict[str, dict[str, Any]]], name: str) -> dict[str, Any]:
    raw = RAW[EKS_EXAMPLE]
    return templates[EKS_EXAMPLE][f"{_prefix(raw)}-{name}"]


def test_eks_virtual_clusters_render_their_yaml(templates: dict[str, dict[str, dict[str, Any]]]) -> None:
    """The issue's "Done when": a virtual cluster with a security configuration, an execution role with the exact
    documented trust condition, and a .sync job runner (the packs and cfn-lint run in the fixture and above)."""
    raw = RAW[EKS_EXAMPLE]
    for spec in raw["virtual_clusters"]:
        template = _eks(templates, spec["name"])
        (cluster,) = _resources(template, "AWS::EMRContainers::VirtualCluster")
        (security,) = [
            k for k, r in template["Resources"].items() if r["Type"] == "AWS::EMRContainers::SecurityConfiguration"
        ]
        assert cluster["Properties"]["Name"] == spec["name"]
        assert cluster["Properties"]["ContainerProvider"] == {
            "Id": spec["eks_cluster"],
            "Type": "EKS",
            "Info": {"EksInfo": {"Namespace": spec["namespace"]}},
        }
        assert cluster["Properties"]["SecurityConfigurationId"] == {"Fn::GetAtt": [security, "Id"]}
        (role,) = [r for r in _resources(template, "AWS::IAM::Role") if "RoleName" in r["Properties"]]
        name = spec.get("execution_role_name") or f"{_prefix(raw)}-{spec['name']}-jobs"
        assert role["Properties"]["RoleName"] == name
        (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        if spec["identity"] == "irsa":
            provider = spec["oidc_issuer"].removeprefix("https://")
            assert trust["Principal"] == {"Federated": f"arn:aws:iam::{raw['account']}:oidc-provider/{provider}"}
            subject = f"system:serviceaccount:{spec['namespace']}:emr-containers-sa-*-*-{raw['account']}-"
            assert trust["Condition"] == {"StringLike": {f"{provider}:sub": subject + base36_role_name(name)}}
        else:
            assert trust["Principal"] == {"Service": "pods.eks.amazonaws.com"}
            assert len(_resources(template, "AWS::EKS::PodIdentityAssociation")) == 3
    for job in raw["eks_jobs"]:
        template = _eks(templates, job["virtual_cluster"])
        bodies = [
            json.dumps(m["Properties"]["DefinitionString"])
            for m in _resources(template, "AWS::StepFunctions::StateMachine")
        ]
        (body,) = [b for b in bodies if f'\\"Name\\":\\"{job["name"]}\\"' in b]
        assert ":states:::emr-containers:startJobRun.sync" in body


@pytest.mark.parametrize(("name", "app"), SERVERLESS_CASES, ids=[a["name"] for _, a in SERVERLESS_CASES])
def test_serverless_application_renders_its_yaml(
    templates: dict[str, dict[str, dict[str, Any]]], name: str, app: dict[str, Any]
) -> None:
    template = _serverless(templates, name, app)
    (resource,) = _resources(template, "AWS::EMRServerless::Application")
    properties = resource["Properties"]
    maximum = app["maximum_capacity"]
    assert properties["MaximumCapacity"] == {
        "Cpu": f"{maximum['cpu_vcpu']} vCPU",
        "Memory": f"{maximum['memory_gb']} GB",
        "Disk": f"{maximum['disk_gb']} GB",
    }
    assert properties["AutoStartConfiguration"] == {"Enabled": app.get("auto_start", True)}
    assert properties["AutoStopConfiguration"]["IdleTimeoutMinutes"] == app["idle_timeout_minutes"]
    assert {entry["Key"]: entry["Value"]["WorkerCount"] for entry in properties["InitialCapacity"]} == {
        key: workers["worker_count"] for key, workers in app["initial_capacity"].items()
    }
    assert properties["SchedulerConfiguration"] == {
        "MaxConcurrentRuns": app["scheduler"]["max_concurrent_runs"],
        "QueueTimeoutMinutes": app["scheduler"]["queue_timeout_minutes"],
    }
    (spark,) = properties["RuntimeConfiguration"]
    iceberg = app["data_lake"]["iceberg"]
    assert spark["Properties"]["spark.sql.catalog.glue_catalog.warehouse"] == iceberg["warehouse"]
    assert spark["Properties"]["spark.hadoop.hive.metastore.client.factory.class"] == GLUE_CLIENT_FACTORY


@pytest.mark.parametrize(("name", "app"), SERVERLESS_CASES, ids=[a["name"] for _, a in SERVERLESS_CASES])
def test_serverless_jobs_start_and_stop_an_application_that_does_not_start_itself(
    templates: dict[str, dict[str, dict[str, Any]]], name: str, app: dict[str, Any]
) -> None:
    template = _serverless(templates, name, app)
    jobs = [job for job in RAW[name]["serverless_jobs"] if job["application"] == app["name"]]
    machines = [
        json.dumps(m["Properties"]["DefinitionString"])
        for m in _resources(template, "AWS::StepFunctions::StateMachine")
    ]
    assert len(machines) == len(jobs)
    for machine in machines:
        assert "emr-serverless:startJobRun.sync" in machine
        assert ("emr-serverless:startApplication.sync" in machine) is (not app.get("auto_start", True))
    schedules = sorted(r["Properties"]["ScheduleExpression"] for r in _resources(template, "AWS::Events::Rule"))
    assert schedules == sorted(job["schedule"] for job in jobs if job.get("schedule"))


@pytest.mark.parametrize(("name", "app"), SERVERLESS_CASES, ids=[a["name"] for _, a in SERVERLESS_CASES])
def test_serverless_execution_role_reaches_only_its_prefixes_and_databases(
    templates: dict[str, dict[str, dict[str, Any]]], name: str, app: dict[str, Any]
) -> None:
    raw = RAW[name]
    statements = _statements(_serverless(templates, name, app))
    s3 = " ".join(json.dumps(s["Resource"]) for s in _with_service(statements, "s3"))
    for bucket in raw["data_buckets"]:
        for entry in bucket["access"]:
            if entry["cluster"] == app["name"]:
                assert f"{_bucket(raw, bucket['name'])}/{entry['prefix']}*" in s3
    warehouse = app["data_lake"]["iceberg"]["warehouse"].removeprefix("s3://")
    assert f"{warehouse}*" in s3
    glue = " ".join(json.dumps(s["Resource"]) for s in _with_service(statements, "glue"))
    for database in app["data_lake"]["catalog"]["databases"]:
        assert f"database/{database}" in glue
    assert all(s["Resource"] != "*" for s in _with_service(statements, "glue") + _with_service(statements, "s3"))
