"""Node metrics in synthesised templates: the agent application and its classification on 7.x, the agent's
bootstrap action below 7.0, the instance role's permissions, in EmrCluster and in TransientJobFlow."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import botocore.session
import pytest
from aws_cdk import aws_s3 as s3
from botocore.validate import ParamValidator

from emr_constructs import ClusterSpec, EmrCluster
from emr_constructs.jobflow import TransientJobFlow
from emr_constructs.jobflow import states as names
from emr_constructs.jobs import CommandStep
from emr_constructs.monitoring import AGENT_SCRIPT
from stacks import project_context
from tests.constructs.test_cluster import ENV, FLEETS, GROUPS, _vpc, acknowledge_imported_subnets
from tests.constructs.test_transient_job_flow import _definition
from tests.nag import add_nag_packs, policy_failures, synth_findings
from tests.templates import cfn_lint

ENDPOINT = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1a2b3c4d-5e6f/api/v1/remote_write"
WAIVER = {"reason": "test cluster; Kerberos is covered by the security tests"}
MODERN = {
    **copy.deepcopy(FLEETS),
    "release_label": "emr-7.12.0",
    "security": {"kerberos_waiver": WAIVER},
    "node_metrics": {
        "application_metrics": {"yarn-resourcemanager": "recommended"},
        "export_interval_seconds": 60,
        "prometheus_endpoint": ENDPOINT,
    },
}
LEGACY = {
    **copy.deepcopy(GROUPS),
    "security": {**GROUPS["security"], "kerberos_waiver": WAIVER},
    "node_metrics": {},
}
LEGACY_TRANSIENT = {**copy.deepcopy(LEGACY), "auto_termination_idle_seconds": 3600}
STACKS = ("Modern", "Legacy", "LegacyFlow", "ModernFlow")


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    app = cdk.App(context=project_context())
    add_nag_packs(app)
    out: dict[str, Any] = {}
    for name, payload in (("Modern", MODERN), ("Legacy", LEGACY)):
        stack = cdk.Stack(app, name, env=ENV)
        out[name] = EmrCluster(stack, "Cluster", spec=ClusterSpec.model_validate(payload), vpc=_vpc(stack))
    for name, payload in (
        ("LegacyFlow", LEGACY_TRANSIENT),
        ("ModernFlow", {**MODERN, "termination_protection": False}),
    ):
        stack = cdk.Stack(app, name, env=ENV)
        out[name] = TransientJobFlow(
            stack,
            "JobFlow",
            spec=ClusterSpec.model_validate(payload),
            steps=[CommandStep("list", ("hdfs", "dfs", "-ls", "/"))],
            vpc=_vpc(stack),
            log_bucket=s3.Bucket.from_bucket_name(stack, "Logs", "logs-bucket"),
        )
    for name in STACKS:
        acknowledge_imported_subnets(app.node.find_child(name))
    out["findings"] = synth_findings(app)
    out["templates"] = {name: json.loads((Path(app.outdir) / f"{name}.template.json").read_text()) for name in STACKS}
    return out


def _cluster(built: dict[str, Any], name: str) -> dict[str, Any]:
    (resource,) = [r for r in built["templates"][name]["Resources"].values() if r["Type"] == "AWS::EMR::Cluster"]
    return resource


def _policy(built: dict[str, Any], name: str) -> tuple[str, dict[str, Any]]:
    (found,) = [
        (logical_id, resource)
        for logical_id, resource in built["templates"][name]["Resources"].items()
        if resource["Type"] == "AWS::IAM::ManagedPolicy" and "NodeMetricsPolicy" in logical_id
    ]
    return found


def test_7x_installs_the_agent_application_with_its_classification(built: dict[str, Any]) -> None:
    properties = _cluster(built, "Modern")["Properties"]
    assert {"Name": "AmazonCloudWatchAgent"} in properties["Applications"]
    (metrics,) = [c for c in properties["Configurations"] if c["Classification"] == "emr-metrics"]
    assert metrics["ConfigurationProperties"] == {"metrics_destination": "PROMETHEUS", "prometheus_endpoint": ENDPOINT}
    (nested,) = metrics["Configurations"]
    assert nested["Classification"] == "emr-hadoop-yarn-resourcemanager-metrics"
    assert nested["ConfigurationProperties"]["otel.metric.export.interval"] == "60000"
    assert "BootstrapActions" not in properties or all(
        action["Name"] != "node-metrics-agent" for action in properties["BootstrapActions"]
    )


def test_the_instance_role_may_publish_to_cwagent_only_and_write_to_the_workspace(built: dict[str, Any]) -> None:
    logical_id, policy = _policy(built, "Modern")
    statements = {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    publish = statements["PublishNodeMetricsToCWAgentNamespace"]
    assert publish["Action"] == "cloudwatch:PutMetricData"
    assert publish["Condition"] == {"StringEquals": {"cloudwatch:namespace": "CWAgent"}}
    remote_write = statements["RemoteWriteNodeMetricsToPrometheus"]
    assert remote_write["Action"] == "aps:RemoteWrite"
    assert remote_write["Resource"] == "arn:aws:aps:eu-west-1:111111111111:workspace/ws-1a2b3c4d-5e6f"
    roles = policy["Properties"]["Roles"]
    assert len(roles) == 1 and "InstanceRole" in roles[0]["Ref"]
    assert logical_id in _cluster(built, "Modern")["DependsOn"], "nodes must not start before they may publish"


def test_below_7_the_agent_is_the_first_bootstrap_action(built: dict[str, Any]) -> None:
    properties = _cluster(built, "Legacy")["Properties"]
    assert {"Name": "AmazonCloudWatchAgent"} not in properties["Applications"]
    first = properties["BootstrapActions"][0]
    assert first["Name"] == "node-metrics-agent"
    assert "Args" not in first["ScriptBootstrapAction"]
    path = json.dumps(first["ScriptBootstrapAction"]["Path"])
    assert ".sh" in path, "the packaged script is shipped as an asset"
    assert not any(c["Classification"] == "emr-metrics" for c in properties.get("Configurations", []))
    _, policy = _policy(built, "Legacy")
    assert [s["Sid"] for s in policy["Properties"]["PolicyDocument"]["Statement"]] == [
        "PublishNodeMetricsToCWAgentNamespace"
    ]


def test_the_agent_script_is_readable_by_the_instance_role(built: dict[str, Any]) -> None:
    template = built["templates"]["Legacy"]
    first = _cluster(built, "Legacy")["Properties"]["BootstrapActions"][0]
    key = json.dumps(first["ScriptBootstrapAction"]["Path"]).split("/")[-1].split('"')[0]
    reads = [
        statement
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::IAM::Policy"
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
        if statement["Action"] == "s3:GetObject" and key in json.dumps(statement["Resource"])
    ]
    assert len(reads) == 1
    assert AGENT_SCRIPT.is_file()


def test_transient_job_flows_carry_the_agent_too(built: dict[str, Any]) -> None:
    model = botocore.session.get_session().get_service_model("emr").operation_model("RunJobFlow")
    assert model.input_shape is not None
    legacy = _definition(built, "LegacyFlow")["States"][names.CREATE_CLUSTER]["Parameters"]
    modern = _definition(built, "ModernFlow")["States"][names.CREATE_CLUSTER]["Parameters"]
    for request in (legacy, modern):
        report = ParamValidator().validate(request, model.input_shape)
        assert not report.has_errors(), report.generate_report()
    assert legacy["BootstrapActions"][0]["Name"] == "node-metrics-agent"
    assert {"Name": "AmazonCloudWatchAgent"} in modern["Applications"]
    assert any(c["Classification"] == "emr-metrics" for c in modern["Configurations"])
    _policy(built, "LegacyFlow")
    _policy(built, "ModernFlow")


def test_no_policy_findings(built: dict[str, Any]) -> None:
    assert policy_failures(built["findings"]) == []


@pytest.mark.parametrize("name", STACKS)
def test_cfn_lint_is_clean(built: dict[str, Any], name: str) -> None:
    assert cfn_lint(built["templates"][name]) == []
