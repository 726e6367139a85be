"""Rules that used to fail only inside CDK or at deploy: local files, derived names, network, botocore facts, ARNs,
schedules, YAML syntax, and every problem of a config reported in one run."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from emr_constructs.spec import ConfigError, load_config
from tests.spec.payloads import fleet_cluster, with_

REPO = Path(__file__).resolve().parents[2]
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

_APP: dict[str, Any] = {
    "environment": "test",
    "account": "123456789012",
    "region": "eu-west-1",
    "availability_zones": ["eu-west-1a", "eu-west-1b"],
    "clusters": [fleet_cluster()],
}


def _app(**top_level: Any) -> dict[str, Any]:
    return {**copy.deepcopy(_APP), **copy.deepcopy(top_level)}


def _load(tmp_path: Path, data: Any, *, root: Path = REPO) -> Any:
    path = tmp_path / "env.yaml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return load_config(path, project_root=root)


def _lines(tmp_path: Path, data: Any, *, root: Path = REPO) -> list[str]:
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, data, root=root)
    return info.value.lines


def _fails(tmp_path: Path, data: Any, *expected: str, root: Path = REPO) -> list[str]:
    lines = _lines(tmp_path, data, root=root)
    for text in expected:
        assert any(text in line for line in lines), (text, lines)
    return lines


def _with_bootstrap(script: str) -> dict[str, Any]:
    return _app(clusters=[fleet_cluster(bootstrap_actions=[{"name": "setup", "script": script}])])


# -- local files stay inside the project -----------------------------------------------------------------------


@pytest.mark.parametrize("script", ["../../../../etc/passwd", "/etc/passwd", "bootstrap/../../etc/passwd"])
def test_fails_bootstrap_script_outside_the_project(tmp_path: Path, script: str) -> None:
    _fails(
        tmp_path,
        _with_bootstrap(script),
        "clusters[0].bootstrap_actions[0].script: the file lies outside the project",
        f"(got {script!r}). Fix: give a path relative to the project root",
    )


def test_fails_symlink_that_leaves_the_project(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "bootstrap").mkdir(parents=True)
    (project / "cdk.json").write_text("{}")
    secret = tmp_path / "secret.txt"
    secret.write_text("not for upload")
    os.symlink(secret, project / "bootstrap" / "setup.sh")
    _fails(tmp_path, _with_bootstrap("bootstrap/setup.sh"), "the file lies outside the project", root=project)


def test_a_symlink_inside_the_project_resolves_to_its_target(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "bootstrap").mkdir(parents=True)
    (project / "bootstrap" / "real.sh").write_text("#!/bin/bash\n")
    os.symlink(project / "bootstrap" / "real.sh", project / "bootstrap" / "setup.sh")
    config = _load(tmp_path, _with_bootstrap("bootstrap/setup.sh"), root=project)
    assert config.clusters[0].bootstrap_actions[0].script == str((project / "bootstrap" / "real.sh").resolve())


def test_fails_missing_bootstrap_script(tmp_path: Path) -> None:
    _fails(
        tmp_path, _with_bootstrap("bootstrap/nope.sh"), "bootstrap_actions[0].script: no such file under the project"
    )


def test_fails_directory_as_script(tmp_path: Path) -> None:
    _fails(tmp_path, _with_bootstrap("bootstrap"), "bootstrap_actions[0].script: is not a regular file")


@pytest.mark.parametrize("kind", ["spark", "hive"])
def test_fails_step_script_outside_the_project(tmp_path: Path, kind: str) -> None:
    step = {"name": "job", kind: {"script": "../outside.py"}}
    _fails(tmp_path, _app(clusters=[fleet_cluster(steps=[step])]), f"clusters[0].steps[0].{kind}.script: the file lies")


def test_project_root_defaults_to_the_directory_holding_cdk_json(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "config").mkdir(parents=True)
    (project / "cdk.json").write_text("{}")
    (project / "setup.sh").write_text("#!/bin/bash\n")
    path = project / "config" / "env.yaml"
    path.write_text(yaml.safe_dump(_with_bootstrap("setup.sh")))
    config = load_config(path)
    assert config.clusters[0].bootstrap_actions[0].script == str((project / "setup.sh").resolve())


def test_s3_scripts_are_not_local_files(tmp_path: Path) -> None:
    config = _load(tmp_path, _with_bootstrap("s3://my-bucket/setup.sh"))
    assert config.clusters[0].bootstrap_actions[0].script == "s3://my-bucket/setup.sh"


# -- names that AWS derives from the config ------------------------------------------------------------------


def test_fails_cluster_name_that_makes_an_invalid_stack_name(tmp_path: Path) -> None:
    _fails(
        tmp_path,
        _app(clusters=[fleet_cluster(name="daily_totals")]),
        "clusters[0].name: the CloudFormation stack name 'emr-test-daily_totals' is invalid: only letters, digits and "
        "hyphens, starting with a letter",
        "(got 'daily_totals'). Fix: name the cluster with letters, digits and hyphens only",
    )


def test_fails_cluster_name_that_makes_a_stack_name_over_128_characters(tmp_path: Path) -> None:
    name = "c" * 119  # "emr-test-" (9) + 119 = 128 is the limit
    assert _load(tmp_path, _app(clusters=[fleet_cluster(name=name)])).clusters[0].name == name
    _fails(
        tmp_path,
        _app(clusters=[fleet_cluster(name=name + "c")]),
        "has 129 characters, over the limit of 128",
    )


@pytest.mark.parametrize("name", ["stateful", "account-baseline"])
def test_fails_cluster_named_like_the_apps_own_stacks(tmp_path: Path, name: str) -> None:
    _fails(tmp_path, _app(clusters=[fleet_cluster(name=name)]), f"the app's own stack emr-test-{name} has this name")


def test_fails_job_flow_name_that_makes_an_invalid_stack_name(tmp_path: Path) -> None:
    flow = {"cluster": fleet_cluster(name="nightly.totals", steps=[{"name": "s", "command": ["true"]}])}
    _fails(tmp_path, _app(job_flows=[flow]), "job_flows[0].cluster.name: the CloudFormation stack name")


def test_fails_role_names_over_64_characters(tmp_path: Path) -> None:
    data = _app(iam={"role_name_prefix": "platform-team"}, clusters=[fleet_cluster(name="a" * 40)])
    _fails(tmp_path, data, "clusters[0].name: the role name", "over IAM's limit of 64")


# -- network -------------------------------------------------------------------------------------------------


def test_fails_more_nat_gateways_than_zones(tmp_path: Path) -> None:
    _fails(
        tmp_path,
        _app(network={"nat_gateways": 3}),
        "network.nat_gateways: must be from 0 to the number of availability zones (2)",
    )


def test_fails_existing_subnets_not_even_across_zones(tmp_path: Path) -> None:
    subnets = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1", "subnet-0123456789abcdef2"]
    existing = {"vpc_id": "vpc-0123456789abcdef0", "private_subnet_ids": subnets}
    _fails(tmp_path, _app(network={"existing": existing}), "3 subnet(s) for 2 availability zone(s)")


# -- regions, instance types, ARNs, schedules ----------------------------------------------------------------


def test_fails_unknown_region_without_blaming_the_zones(tmp_path: Path) -> None:
    lines = _fails(
        tmp_path,
        _app(region="eu-wset-1", availability_zones=["eu-wset-1a"]),
        "region: is not an AWS region where EMR runs",
        "Fix: did you mean 'eu-west-1'",
    )
    assert not any(line.startswith("availability_zones") for line in lines)


def test_a_region_of_another_partition_is_known(tmp_path: Path) -> None:
    config = _load(tmp_path, _app(region="cn-north-1", availability_zones=["cn-north-1a"]))
    assert config.region == "cn-north-1"


def _with_key(arn: str) -> dict[str, Any]:
    return _app(clusters=[fleet_cluster(security={"s3_encryption": {"mode": "SSE-KMS", "kms_key_arn": arn}})])


def test_fails_kms_key_in_another_region(tmp_path: Path) -> None:
    _fails(
        tmp_path,
        _with_key(KEY.replace("eu-west-1", "us-east-1")),
        "clusters[0].security.s3_encryption.kms_key_arn: EMR needs its KMS keys in the cluster's region eu-west-1, "
        "not us-east-1",
    )


def test_fails_arn_of_another_partition(tmp_path: Path) -> None:
    _fails(
        tmp_path,
        _with_key(KEY.replace("arn:aws:", "arn:aws-cn:")),
        "the ARN is in the partition aws-cn, but eu-west-1 is in aws",
    )


def test_a_key_of_another_account_in_the_region_is_accepted(tmp_path: Path) -> None:
    arn = KEY.replace("123456789012", "210987654321")
    assert _load(tmp_path, _with_key(arn)).clusters[0].security.s3_encryption.kms_key_arn == arn


def _job_flow(schedule: str) -> dict[str, Any]:
    cluster = fleet_cluster(name="nightly", steps=[{"name": "s", "command": ["true"]}])
    return _app(job_flows=[{"schedule": schedule, "cluster": cluster}])


@pytest.mark.parametrize(
    ("schedule", "why"),
    [
        ("cron(0 3 * * ?)", "a cron expression has 6 fields"),
        ("cron(0 3 * * * *)", "exactly one of day-of-month and day-of-week must be '?'"),
        ("cron(0 24 * * ? *)", "the hours field '24' is not valid"),
        ("rate(2 day)", "EventBridge needs rate(2 days)"),
        ("rate(1 hours)", "EventBridge needs rate(1 hour)"),
        ("rate(0 minutes)", "not a positive whole number"),
    ],
)
def test_fails_invalid_schedule_expression(tmp_path: Path, schedule: str, why: str) -> None:
    _fails(tmp_path, _job_flow(schedule), "job_flows[0].schedule: not an EventBridge schedule expression", why)


@pytest.mark.parametrize("schedule", ["cron(0/15 8-17 ? * MON-FRI *)", "cron(0 0 L * ? *)", "rate(1 minute)"])
def test_valid_schedule_expressions_load(tmp_path: Path, schedule: str) -> None:
    assert _load(tmp_path, _job_flow(schedule)).job_flows[0].schedule == schedule


# -- messages in the library's words -------------------------------------------------------------------------


def test_fails_release_label_written_as_a_number(tmp_path: Path) -> None:
    _fails(
        tmp_path,
        "environment: test\naccount: '123456789012'\nregion: eu-west-1\navailability_zones: [eu-west-1a]\n"
        + yaml.safe_dump({"clusters": [{**fleet_cluster(), "release_label": 7.12}]}),
        "clusters[0].release_label: a release label is text such as 'emr-7.12.0'",
    )


def test_fails_too_many_instance_types_in_our_words(tmp_path: Path) -> None:
    types = [{"instance_type": "m5.xlarge", "weighted_capacity": 1}] * 31
    data = _app(clusters=[with_(fleet_cluster(), "instance_fleets.task.instance_types", types)])
    lines = _fails(tmp_path, data, "instance_fleets.task.instance_types: must have at most 30 items, not 31")
    assert not any("Tuple should" in line or "after validation" in line for line in lines)


def test_fails_tab_indentation_with_line_column_and_fix(tmp_path: Path) -> None:
    _fails(
        tmp_path,
        "environment: test\nnetwork:\n\tcidr: 10.0.0.0/16\n",
        "line 3, column 1: not valid YAML",
        "Fix: indent with spaces; YAML does not allow tabs",
    )


def test_fails_key_given_twice(tmp_path: Path) -> None:
    _fails(
        tmp_path,
        "environment: test\nregion: eu-west-1\nregion: eu-west-2\n",
        "line 3, column 1: not valid YAML: the key 'region' first given on line 2 is given again",
        "Fix: keep one of the two entries",
    )


# -- every problem in one run, across nesting levels ---------------------------------------------------------


def test_reports_problems_of_every_level_in_one_run(tmp_path: Path) -> None:
    cluster = fleet_cluster(
        name="daily_totals", release_label="emr-5.29.0", managed_scaling={"minimum": 1, "maximum": 4}
    )
    cluster["instance_fleets"]["task"]["spot"]["timeout_minutes"] = 2  # deep: a field of the Spot block
    cluster["instance_fleets"]["task"]["instance_types"][0]["instance_type"] = "m5.xlarg"  # deep: a required field
    cluster["instance_fleets"]["core"]["auto_scaling"] = {}  # a key that belongs to instance groups
    data = _app(clusters=[cluster], network={"nat_gateways": 3})
    lines = _lines(tmp_path, data)
    expected = [
        "clusters[0].instance_fleets.task.spot.timeout_minutes: Spot timeout must be between 5 and 1440",
        "clusters[0].instance_fleets.task.instance_types[0].instance_type: 'm5.xlarg' is not an EC2 instance type",
        "clusters[0].instance_fleets.core.auto_scaling: custom auto-scaling policies apply to instance groups only",
        "clusters[0].managed_scaling: managed scaling needs",  # the cluster's own checks, levels up
        "clusters[0].security.imds: instance metadata service settings in security configurations needs",
        "clusters[0].security.in_transit.certificate_provider: EMR-managed TLS certificates",
        "clusters[0].name: the CloudFormation stack name 'emr-test-daily_totals' is invalid",  # the app's check
        "network.nat_gateways: must be from 0 to the number of availability zones (2)",
    ]
    for text in expected:
        assert any(line.startswith(text) for line in lines), (text, lines)
    assert len(lines) == len(expected), lines


# -- applications that do not use runtime roles, and Kerberos (deploy readiness) ------------------------------

RUNTIME = {"runtime_roles": {"roles": [{"name": "jobs"}]}}


def _runtime_app(applications: list[str], access: dict[str, Any]) -> dict[str, Any]:
    cluster = fleet_cluster(applications=applications, security=RUNTIME)
    return _app(clusters=[cluster], data_buckets=[{"name": "raw", "access": [{"cluster": cluster["name"], **access}]}])


def test_fails_trino_on_a_runtime_role_cluster_without_instance_role_access(tmp_path: Path) -> None:
    _fails(
        tmp_path,
        _runtime_app(["Spark", "Hadoop", "Trino"], {"runtime_roles": ["jobs"]}),
        "clusters[0].applications: Trino do not use runtime roles: they read data as the EC2 instance profile",
        "Fix: grant the instance role what they read with instance_role: true",
    )


def test_instance_role_access_lets_trino_read_on_a_runtime_role_cluster(tmp_path: Path) -> None:
    config = _load(tmp_path, _runtime_app(["Spark", "Hadoop", "Trino"], {"instance_role": True}))
    assert config.data_buckets[0].access[0].instance_role is True


def test_spark_and_hive_need_no_instance_role_access(tmp_path: Path) -> None:
    config = _load(tmp_path, _runtime_app(["Spark", "Hadoop", "Hive"], {"runtime_roles": ["jobs"]}))
    ids = [warning_id for warning_id, _ in config.clusters[0].warnings()]
    assert "runtime-roles-direct-sessions" in ids  # HiveServer2 connections act as the instance profile


def _kerberos_cluster(release: str, applications: list[str]) -> dict[str, Any]:
    security = {"kerberos": {"realm": "EC2.INTERNAL"}}
    return _app(clusters=[fleet_cluster(release_label=release, applications=applications, security=security)])


@pytest.mark.parametrize(("application", "floor"), [("Trino", "6.11.0"), ("Presto", "6.9.0")])
def test_fails_kerberos_with_an_engine_emr_does_not_kerberize_on_that_release(
    tmp_path: Path, application: str, floor: str
) -> None:
    _fails(
        tmp_path,
        _kerberos_cluster("emr-6.8.0", ["Spark", "Hadoop", application]),
        f"clusters[0].applications[2]: EMR configures {application} for Kerberos from emr-{floor} only",
    )


def test_kerberos_warns_about_applications_emr_does_not_kerberize(tmp_path: Path) -> None:
    config = _load(tmp_path, _kerberos_cluster("emr-7.12.0", ["Spark", "Hadoop", "Livy", "JupyterEnterpriseGateway"]))
    warnings = dict(config.clusters[0].warnings())
    assert "JupyterEnterpriseGateway" in warnings["kerberos-unsupported-application"]
    assert "Livy" not in warnings["kerberos-unsupported-application"]


# -- auto-termination of a cluster that a stack keeps --------------------------------------------------------


def test_fails_idle_alarm_that_can_never_fire(tmp_path: Path) -> None:
    cluster = fleet_cluster(auto_termination_idle_seconds=3600, monitoring={"alarms": {"idle": {"minutes": 60}}})
    _fails(
        tmp_path,
        _app(clusters=[cluster]),
        "clusters[0].monitoring.alarms.idle.minutes: the idle alarm can never fire: the cluster terminates itself "
        "after 60 idle minutes",
        "Fix: set monitoring.alarms.idle.enabled: false",
    )


def test_an_idle_alarm_faster_than_auto_termination_loads(tmp_path: Path) -> None:
    cluster = fleet_cluster(auto_termination_idle_seconds=7200, monitoring={"alarms": {"idle": {"minutes": 60}}})
    assert _load(tmp_path, _app(clusters=[cluster])).clusters[0].monitoring is not None


def test_stack_managed_auto_termination_warns_with_the_way_back(tmp_path: Path) -> None:
    cluster = _load(tmp_path, _app(clusters=[fleet_cluster(auto_termination_idle_seconds=3600)])).clusters[0]
    (warning_id, message), *_ = cluster.stack_managed_warnings()
    assert warning_id == "stack-managed-auto-termination"
    assert "raise generation to 2 in the config and run make deploy" in message
    assert cluster.cluster_name == cluster.name


def test_generation_names_the_cluster(tmp_path: Path) -> None:
    cluster = _load(tmp_path, _app(clusters=[fleet_cluster(name="etl", generation=3)])).clusters[0]
    assert cluster.cluster_name == "etl-g3"
    assert cluster.name == "etl"  # the stack and every derived name keep the config name


def test_fails_binary_yaml_value(tmp_path: Path) -> None:
    _fails(tmp_path, "environment: !!binary ZGV2\n", "line 1, column 14: not valid YAML: a !!binary value is not")


def test_fails_nesting_deeper_than_any_config_needs(tmp_path: Path) -> None:
    _fails(tmp_path, "x: " + "[" * 100 + "]" * 100 + "\n", "(top level): values are nested more than 64 levels deep")
