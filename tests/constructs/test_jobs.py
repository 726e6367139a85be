"""Bootstrap actions and steps on EmrCluster: rendering, assets, grants, order, and their validators."""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template

from emr_constructs import ClusterSpec, EmrCluster
from emr_constructs.jobs import BootstrapAction, CommandStep, JarStep, SparkStep
from emr_constructs.spec import parse_cluster
from tests.constructs.test_cluster import ENV, FLEETS, _vpc
from tests.templates import cfn_lint

ROOT = Path(__file__).resolve().parents[2]
JOB = "jobs/sample_job.py"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    script = tmp_path_factory.mktemp("scripts") / "setup.sh"
    script.write_text("#!/usr/bin/env bash\nset -euo pipefail\necho ok\n")
    payload = copy.deepcopy(FLEETS)
    payload["security"] = {"kerberos_waiver": {"reason": "unit test of jobs without a KDC in the way"}}
    payload["step_concurrency"] = 1
    payload["bootstrap_actions"] = [
        {"name": "from-spec", "script": str(script), "args": ["--flag"]},
        {"name": "primary-only", "script": "s3://tools-bucket/scripts/primary.sh", "run_if": "instance.isMaster=true"},
    ]
    payload["steps"] = [
        {"name": "create-time", "at_creation": True, "command": ["echo", "hello"]},
        {"name": "daily", "spark": {"script": str(ROOT / JOB), "args": ["in", "out"], "conf": {"a": "1"}}},
        {"name": "hive", "hive": {"script": "s3://tools-bucket/q.hql"}, "action_on_failure": "CANCEL_AND_WAIT"},
    ]
    app = cdk.App()
    stack = cdk.Stack(app, "Jobs", env=ENV)
    tools = s3.Bucket.from_bucket_name(stack, "Tools", "tools-bucket")
    cluster = EmrCluster(
        stack,
        "Cluster",
        spec=ClusterSpec.model_validate(payload),
        vpc=_vpc(stack),
        bootstrap_actions=[BootstrapAction.from_s3(tools, "scripts/extra.sh", args=["x"], name="extra")],
        steps=[
            JarStep("custom-jar", "s3://tools-bucket/app.jar", "com.example.Main", ("--day", "1")),
            CommandStep("list", ("hdfs", "dfs", "-ls", "/")),
            SparkStep("class", "s3://tools-bucket/app.jar", main_class="com.example.Job"),
        ],
    )
    return {"stack": stack, "cluster": cluster, "template": Template.from_stack(stack).to_json()}


def _resources(built: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in built["template"]["Resources"].items() if v["Type"] == kind}


def _cluster(built: dict[str, Any]) -> dict[str, Any]:
    (resource,) = _resources(built, "AWS::EMR::Cluster").values()
    return resource["Properties"]  # type: ignore[no-any-return]


def test_bootstrap_actions_render_in_order(built: dict[str, Any]) -> None:
    actions = _cluster(built)["BootstrapActions"]
    assert [a["Name"] for a in actions] == ["from-spec", "primary-only", "extra"]
    assert actions[0]["ScriptBootstrapAction"]["Path"].startswith("s3://cdk-hnb659fds-assets-111111111111-eu-west-1/")
    assert actions[0]["ScriptBootstrapAction"]["Args"] == ["--flag"]
    assert actions[1]["ScriptBootstrapAction"] == {
        "Path": "s3://eu-west-1.elasticmapreduce/bootstrap-actions/run-if",
        "Args": ["instance.isMaster=true", "s3://tools-bucket/scripts/primary.sh"],
    }
    assert actions[2]["ScriptBootstrapAction"] == {"Path": "s3://tools-bucket/scripts/extra.sh", "Args": ["x"]}


def test_the_instance_role_reads_exactly_each_script(built: dict[str, Any]) -> None:
    reads = [
        statement["Resource"]
        for policy in _resources(built, "AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Action"] == "s3:GetObject"
    ]
    flat = [json.dumps(r) for r in reads]
    assert any(":s3:::tools-bucket/scripts/primary.sh" in r for r in flat)
    assert any(":s3:::tools-bucket/scripts/extra.sh" in r for r in flat)
    assert sum("cdk-hnb659fds-assets" in r for r in flat) == 2  # the bootstrap script and the Spark job
    assert not [r for r in flat if "*" in r]


def test_create_time_steps_go_into_the_cluster(built: dict[str, Any]) -> None:
    (step,) = _cluster(built)["Steps"]
    assert step == {
        "Name": "create-time",
        "ActionOnFailure": "CONTINUE",
        "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["echo", "hello"]},
    }


def test_other_steps_are_step_resources_in_order(built: dict[str, Any]) -> None:
    steps = _resources(built, "AWS::EMR::Step")
    by_name = {v["Properties"]["Name"]: (k, v) for k, v in steps.items()}
    assert list(built["cluster"].steps) == ["daily", "hive", "custom-jar", "list", "class"]
    daily = by_name["daily"][1]["Properties"]["HadoopJarStep"]
    assert daily["Jar"] == "command-runner.jar"
    assert daily["Args"][:5] == ["spark-submit", "--deploy-mode", "cluster", "--conf", "a=1"]
    assert daily["Args"][5].endswith(".py") and daily["Args"][6:] == ["in", "out"]
    hive = by_name["hive"][1]["Properties"]
    assert hive["ActionOnFailure"] == "CANCEL_AND_WAIT"
    assert hive["HadoopJarStep"]["Args"] == [
        "hive-script",
        "--run-hive-script",
        "--args",
        "-f",
        "s3://tools-bucket/q.hql",
    ]
    jar = by_name["custom-jar"][1]["Properties"]["HadoopJarStep"]
    assert jar == {"Jar": "s3://tools-bucket/app.jar", "MainClass": "com.example.Main", "Args": ["--day", "1"]}
    spark_class = by_name["class"][1]["Properties"]["HadoopJarStep"]["Args"]
    assert spark_class[:5] == ["spark-submit", "--deploy-mode", "cluster", "--class", "com.example.Job"]
    order = ["daily", "hive", "custom-jar", "list", "class"]
    for before, after in itertools.pairwise(order):
        assert by_name[before][0] in by_name[after][1]["DependsOn"]
    for _, resource in by_name.values():
        assert resource["Properties"]["JobFlowId"]["Ref"].startswith("Cluster")


def test_cfn_lint_is_clean(built: dict[str, Any]) -> None:
    assert cfn_lint(built["template"]) == []


def test_fails_missing_local_script() -> None:
    stack = cdk.Stack(cdk.App(), "Missing", env=ENV)
    payload = copy.deepcopy(FLEETS)
    payload["bootstrap_actions"] = [{"name": "nope", "script": "bootstrap/does-not-exist.sh"}]
    with pytest.raises(ValueError, match=r"'bootstrap/does-not-exist\.sh' is not a file"):
        EmrCluster(stack, "Cluster", spec=ClusterSpec.model_validate(payload), vpc=_vpc(stack))


def _with(**changes: Any) -> dict[str, Any]:
    payload = copy.deepcopy(FLEETS)
    payload.update(changes)
    return payload


def test_fails_non_continue_step_with_step_concurrency() -> None:
    payload = _with(
        step_concurrency=2, steps=[{"name": "s", "command": ["x"], "action_on_failure": "TERMINATE_CLUSTER"}]
    )
    with pytest.raises(
        Exception, match=r"steps\[0\]\.action_on_failure: with step concurrency 2, EMR accepts only CONTINUE"
    ):
        parse_cluster(payload)


def test_fails_step_with_two_kinds() -> None:
    payload = _with(steps=[{"name": "s", "command": ["x"], "jar": {"jar": "s3://tools-bucket/a.jar"}}])
    with pytest.raises(Exception, match=r"a step is exactly one of spark, hive, command and jar"):
        parse_cluster(payload)


def test_fails_more_than_sixteen_bootstrap_actions() -> None:
    actions = [{"name": f"a{i}", "script": "s3://tools-bucket/x.sh"} for i in range(17)]
    with pytest.raises(Exception, match=r"bootstrap_actions: EMR runs at most 16 bootstrap actions"):
        parse_cluster(_with(bootstrap_actions=actions))


def test_fails_repeated_step_names() -> None:
    steps = [{"name": "same", "command": ["a"]}, {"name": "same", "command": ["b"]}]
    with pytest.raises(Exception, match=r"steps: two entries share a name"):
        parse_cluster(_with(steps=steps))


def test_fails_bad_run_if_condition_and_jar_path() -> None:
    with pytest.raises(Exception, match=r"bootstrap_actions\[0\]\.run_if"):
        parse_cluster(
            _with(bootstrap_actions=[{"name": "a", "script": "s3://tools-bucket/x.sh", "run_if": "not a condition"}])
        )
    with pytest.raises(Exception, match=r"steps\[0\]\.jar\.jar"):
        parse_cluster(_with(steps=[{"name": "s", "jar": {"jar": "s3://tools-bucket/app.zip"}}]))


def test_fails_step_with_an_execution_role_on_a_cloudformation_cluster() -> None:
    stack = cdk.Stack(cdk.App(), "Role", env=ENV)
    step = CommandStep("as-role", ("echo",), execution_role_arn="arn:aws:iam::111111111111:role/runtime")
    with pytest.raises(ValueError, match=r"steps \['as-role'\] carry an execution role.*have no ExecutionRoleArn"):
        EmrCluster(stack, "Cluster", spec=ClusterSpec.model_validate(FLEETS), vpc=_vpc(stack), steps=[step])
