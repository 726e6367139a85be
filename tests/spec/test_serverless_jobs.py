"""ServerlessJobSpec, the serverless data lake, and the config's checks of applications and jobs together."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from emr_constructs.spec import AppConfig, ServerlessApplicationSpec, ServerlessJobSpec
from emr_constructs.spec.datalake import GLUE_CLIENT_FACTORY
from emr_constructs.spec.serverless_checks import construct_id
from emr_constructs.spec.serverless_datalake import ICEBERG_JAR
from emr_constructs.spec.serverless_jobs import (
    SEVEN_DAYS_MINUTES,
    api_timeout_maximum,
    job_on_application_problems,
    timeout_problem,
)
from tests.spec.test_datalake import DEV_YAML
from tests.spec.test_serverless import BASE

JOB: dict[str, Any] = {
    "name": "nightly",
    "application": "spark-serverless",
    "spark": {"script": "s3://bucket-a/jobs/job.py", "args": ["--day", "today"], "conf": {"spark.executor.cores": 4}},
}


def _job(**changes: Any) -> dict[str, Any]:
    payload = copy.deepcopy(JOB)
    payload.update(copy.deepcopy(changes))
    return payload


def _app(**changes: Any) -> ServerlessApplicationSpec:
    payload = copy.deepcopy(BASE)
    payload.update(copy.deepcopy(changes))
    return ServerlessApplicationSpec.model_validate(payload)


def _dev() -> dict[str, Any]:
    raw = yaml.safe_load(DEV_YAML.read_text())
    assert isinstance(raw, dict)
    return raw


def _config_rejects(payload: dict[str, Any], pattern: str) -> list[str]:
    with pytest.raises(ValidationError) as info:
        AppConfig.model_validate(payload)
    text = str(info.value)
    assert __import__("re").search(pattern, text), text
    return text.splitlines()


# -- the job on its own ----------------------------------------------------------------------------------------


def test_a_spark_job_with_its_defaults() -> None:
    job = ServerlessJobSpec.model_validate(JOB)
    assert (job.type, job.timeout_minutes, job.max_attempts, job.schedule) == ("Spark", 720, 1, None)
    assert job.spark is not None and job.spark.conf == {"spark.executor.cores": "4"}


def test_a_hive_job() -> None:
    job = ServerlessJobSpec.model_validate(
        _job(spark=None, hive={"query": "s3://bucket-a/q.sql", "parameters": {"hive.exec.scratchdir": "s3://b/t/"}})
    )
    assert job.type == "Hive"


@pytest.mark.parametrize("drivers", [{}, {"hive": {"query": "s3://bucket-a/q.sql"}}])
def test_fails_without_exactly_one_driver(drivers: dict[str, Any]) -> None:
    payload = _job(**drivers) if drivers else {k: v for k, v in JOB.items() if k != "spark"}
    with pytest.raises(ValidationError, match=r"a serverless job runs exactly one of spark and hive"):
        ServerlessJobSpec.model_validate(payload)


def test_fails_a_conf_value_with_a_blank() -> None:
    with pytest.raises(ValidationError, match=r"holds a blank, which would split it in the submit parameters"):
        ServerlessJobSpec.model_validate(_job(spark={"script": "s3://b-a/j.py", "conf": {"spark.x": "a b"}}))


def test_fails_a_hive_parameter_with_a_blank() -> None:
    with pytest.raises(ValidationError, match=r"hive.parameters\n  Value error, hive.x='a b' holds a blank"):
        ServerlessJobSpec.model_validate(
            _job(spark=None, hive={"query": "s3://b-a/q.sql", "parameters": {"hive.x": "a b"}})
        )


def test_fails_a_bad_schedule() -> None:
    with pytest.raises(ValidationError, match=r"not an EventBridge schedule expression"):
        ServerlessJobSpec.model_validate(_job(schedule="every night"))


@pytest.mark.parametrize(("field", "value"), [("max_attempts", 11), ("max_attempts", 0), ("timeout_minutes", 0)])
def test_fails_out_of_range(field: str, value: int) -> None:
    with pytest.raises(ValidationError, match=field):
        ServerlessJobSpec.model_validate(_job(**{field: value}))


@pytest.mark.parametrize("name", ["", "-starts-with-hyphen", "has space", "x" * 65])
def test_fails_a_bad_name(name: str) -> None:
    with pytest.raises(ValidationError, match="name"):
        ServerlessJobSpec.model_validate(_job(name=name))


# -- the job on its application ----------------------------------------------------------------------------------


def test_timeouts_follow_the_release() -> None:
    """release-version-7110: from 7.11.0 at most 7 days; before, botocore's Duration maximum."""
    assert timeout_problem("emr-7.11.0", SEVEN_DAYS_MINUTES) is None
    assert "7 days" in str(timeout_problem("emr-7.11.0", SEVEN_DAYS_MINUTES + 1))
    assert timeout_problem("emr-7.10.0", SEVEN_DAYS_MINUTES + 1) is None
    assert api_timeout_maximum() == 1_000_000  # botocore's emr-serverless model
    assert "at most 1000000" in str(timeout_problem("emr-6.15.0", 1_000_001))


def test_fails_a_job_longer_than_seven_days_from_7_11() -> None:
    problems = job_on_application_problems(
        ServerlessJobSpec.model_validate(_job(timeout_minutes=SEVEN_DAYS_MINUTES + 1)), _app()
    )
    assert [p.path for p in problems] == ["timeout_minutes"]


def test_fails_retries_before_7_1() -> None:
    problems = job_on_application_problems(
        ServerlessJobSpec.model_validate(_job(max_attempts=3)), _app(release_label="emr-7.0.0", initial_capacity={})
    )
    assert [(p.path, p.value) for p in problems] == [("max_attempts", 3)]
    assert "emr-7.1.0" in problems[0].message


def test_fails_a_spark_job_on_a_hive_application() -> None:
    problems = job_on_application_problems(
        ServerlessJobSpec.model_validate(JOB), _app(type="Hive", initial_capacity={})
    )
    assert [p.path for p in problems] == ["spark"]


# -- the application's data lake ------------------------------------------------------------------------------------


def test_the_catalog_points_spark_at_glue_and_iceberg_adds_its_catalog() -> None:
    app = _app(
        data_lake={
            "catalog": {"databases": ["raw"], "catalog_id": "222222222222"},
            "iceberg": {"warehouse": "s3://b-a/w/"},
        },
        configurations=[{"classification": "spark-defaults", "properties": {"spark.sql.adaptive.enabled": True}}],
    )
    (spark,) = app.merged_configurations()
    assert spark.classification == "spark-defaults"
    assert spark.properties["spark.sql.adaptive.enabled"] == "true"
    assert spark.properties["spark.hadoop.hive.metastore.client.factory.class"] == GLUE_CLIENT_FACTORY
    assert spark.properties["spark.hadoop.hive.metastore.glue.catalogid"] == "222222222222"
    assert spark.properties["spark.jars"] == ICEBERG_JAR
    assert spark.properties["spark.sql.catalog.glue_catalog.warehouse"] == "s3://b-a/w/"
    assert spark.properties["spark.sql.catalog.glue_catalog.glue.id"] == "222222222222"


def test_a_hive_application_uses_hive_site() -> None:
    app = _app(type="Hive", initial_capacity={}, data_lake={"catalog": {"databases": ["raw"]}})
    (hive,) = app.merged_configurations()
    assert (hive.classification, hive.properties) == (
        "hive-site",
        {"hive.metastore.client.factory.class": GLUE_CLIENT_FACTORY},
    )


def test_no_data_lake_adds_nothing() -> None:
    assert _app().merged_configurations() == ()


def test_fails_iceberg_without_the_catalog() -> None:
    with pytest.raises(ValidationError, match=r"iceberg: the Iceberg catalog is backed by the Glue Data Catalog"):
        _app(data_lake={"iceberg": {"warehouse": "s3://b-a/w/"}})


def test_fails_iceberg_on_a_hive_application() -> None:
    with pytest.raises(ValidationError, match=r"data_lake.iceberg: Iceberg tables are read and written by Spark"):
        _app(
            type="Hive",
            initial_capacity={},
            data_lake={"catalog": {"databases": ["raw"]}, "iceberg": {"warehouse": "s3://b-a/w/"}},
        )


def test_fails_a_configuration_that_disagrees_with_the_data_lake() -> None:
    with pytest.raises(ValidationError, match=r"configuration conflict in spark-defaults property 'spark.hadoop"):
        _app(
            data_lake={"catalog": {"databases": ["raw"]}},
            configurations=[
                {
                    "classification": "spark-defaults",
                    "properties": {"spark.hadoop.hive.metastore.client.factory.class": "x"},
                }
            ],
        )


def test_fails_more_than_100_runtime_configurations() -> None:
    many = [{"classification": f"c{index}", "properties": {"k": "v"}} for index in range(101)]
    with pytest.raises(ValidationError, match=r"at most 100 runtime configurations"):
        _app(configurations=many)


def test_fails_prometheus_before_7_1() -> None:
    url = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write"
    _app(prometheus_remote_write_url=url)
    with pytest.raises(ValidationError, match=r"Prometheus need emr-7.1.0 or later"):
        _app(release_label="emr-7.0.0", initial_capacity={}, prometheus_remote_write_url=url)


def test_fails_a_prometheus_url_that_is_no_remote_write_endpoint() -> None:
    with pytest.raises(ValidationError, match="prometheus_remote_write_url"):
        _app(prometheus_remote_write_url="https://example.com/api/v1/remote_write")


def test_fails_auto_stop_off_without_a_reason() -> None:
    with pytest.raises(ValidationError, match=r"auto_stop: without auto-stop .*Fix: keep auto_stop on"):
        _app(auto_stop=False)
    assert _app(auto_stop=False, always_on_reason="a streaming job keeps it busy").always_on_reason


# -- the whole config ----------------------------------------------------------------------------------------------


def test_the_dev_config_has_its_serverless_application_and_job() -> None:
    config = AppConfig.model_validate(_dev())
    (app,) = config.serverless_applications
    (job,) = config.serverless_jobs
    assert (app.name, job.application, job.schedule) == ("spark-serverless", app.name, "cron(0 4 * * ? *)")
    assert config.stack_name(construct_id(app.name)) == "emr-dev-spark-serverless"


def test_fails_a_job_on_an_unknown_application() -> None:
    payload = _dev()
    payload["serverless_jobs"][0]["application"] = "elsewhere"
    lines = _config_rejects(
        payload,
        r"serverless_jobs\[0\]\.application: no serverless application has this name \(got 'elsewhere'\)\. "
        r"Fix: use one of \['spark-serverless'\]",
    )
    assert len([line for line in lines if "serverless_jobs" in line]) == 1


def test_fails_two_jobs_with_one_name_and_a_timeout_the_release_refuses() -> None:
    payload = _dev()
    second = copy.deepcopy(payload["serverless_jobs"][0])
    second["timeout_minutes"] = SEVEN_DAYS_MINUTES + 1
    payload["serverless_jobs"].append(second)
    text = "\n".join(_config_rejects(payload, r"serverless_jobs\[1\]\.name: two serverless jobs share a name"))
    assert "serverless_jobs[1].timeout_minutes: from emr-7.11.0 a job runs at most 7 days" in text


@pytest.mark.parametrize("name", ["analytics", "daily-totals", "stateful", "spark/serverless#2"])
def test_fails_an_application_whose_stack_would_collide(name: str) -> None:
    payload = _dev()
    extra = copy.deepcopy(payload["serverless_applications"][0])
    extra["name"] = name
    payload["serverless_applications"].append(extra)
    if name == "spark/serverless#2":
        payload["serverless_applications"].append({**copy.deepcopy(extra), "name": "spark-serverless-2"})
    _config_rejects(payload, r"serverless_applications\[\d\]\.name: its stack emr-dev-")


def test_application_names_become_stack_names() -> None:
    assert construct_id("team/spark#2.x") == "team-spark-2-x"


def test_fails_runtime_roles_on_a_serverless_access_entry() -> None:
    payload = _dev()
    entry = next(e for e in payload["data_buckets"][0]["access"] if e["cluster"] == "spark-serverless")
    entry["runtime_roles"] = ["etl"]
    _config_rejects(payload, r"a serverless application's jobs run as its execution role")


def test_fails_an_iceberg_warehouse_outside_the_data_buckets() -> None:
    payload = _dev()
    payload["serverless_applications"][0]["data_lake"]["iceberg"] = {"warehouse": "s3://someone-elses/wh/"}
    _config_rejects(
        payload,
        r"serverless_applications\[0\]\.data_lake\.iceberg\.warehouse: the location is not in a data bucket",
    )


def test_fails_an_image_that_is_not_in_ecr_and_a_worker_key_of_another_type() -> None:
    """The pattern is botocore's (ImageConfigurationInput.imageUri), not a hand-written one."""
    with pytest.raises(ValidationError, match=r"worker_images.Driver\n  String should match pattern"):
        _app(worker_images={"Driver": "docker.io/library/spark:3"})
    with pytest.raises(ValidationError, match=r"worker_images.HiveDriver: a Spark application's workers are"):
        _app(worker_images={"HiveDriver": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/hive:1"})
    with pytest.raises(ValidationError, match=r"worker_images: custom images need emr-6.9.0 or later"):
        _app(
            release_label="emr-6.8.0",
            initial_capacity={},
            worker_images={"Driver": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/spark:1"},
        )


# -- the config's EMR Studio -------------------------------------------------------------------------------------


def test_the_dev_config_has_a_studio_on_the_cluster_and_the_application() -> None:
    config = AppConfig.model_validate(_dev())
    assert config.studio is not None
    assert (config.studio.clusters, config.studio.serverless_applications) == (("analytics",), ("spark-serverless",))


@pytest.mark.parametrize(
    ("edit", "pattern"),
    [
        (lambda raw: raw["studio"].update(clusters=["nowhere"]), r"studio.clusters\[0\]: no long-running cluster"),
        (
            lambda raw: raw["studio"].update(clusters=["daily-totals"]),
            r"studio.clusters\[0\]: no long-running cluster has this name \(got 'daily-totals'\)",
        ),
        (
            lambda raw: raw["clusters"][0].update(applications=["Spark", "Hadoop", "Livy"]),
            r"studio.clusters\[0\]: Workspaces need Spark, Livy, JupyterEnterpriseGateway; missing "
            r"JupyterEnterpriseGateway",
        ),
        (
            lambda raw: raw["serverless_applications"][0].update(studio=False),
            r"studio.serverless_applications\[0\]: the application's interactive Studio use is off",
        ),
        (
            lambda raw: raw["studio"].update(serverless_applications=["elsewhere"]),
            r"studio.serverless_applications\[0\]: no serverless application has this name",
        ),
        (
            lambda raw: raw["job_flows"][0]["cluster"].update(name="studio"),
            r"job_flows\[0\].cluster.name: the EMR Studio's stack is emr-dev-studio",
        ),
    ],
    ids=["unknown-cluster", "transient-cluster", "no-jupyter", "studio-off", "unknown-application", "stack-name"],
)
def test_fails_a_studio_on_what_it_cannot_attach(edit: Any, pattern: str) -> None:
    raw = _dev()
    edit(raw)
    _config_rejects(raw, pattern)
