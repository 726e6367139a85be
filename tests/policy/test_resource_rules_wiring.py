"""The resource rules run in both adapters: ``emr-constructs check`` (engine) and the ``EmrChecks`` pack."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns

from emr_constructs.policy.engine import check_templates
from emr_constructs.policy.nag_pack import EmrChecks
from emr_constructs.policy.templates import Template, TemplateSet
from tests.policy.test_rules_deploy import template


def test_check_reports_resource_rule_findings_on_the_resource() -> None:
    body = template()
    body["Resources"]["Function"]["Properties"]["ReservedConcurrentExecutions"] = 5
    statements = body["Resources"]["TopicPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    statements[:] = [s for s in statements if s.get("Sid") != "AllowCloudWatchAlarmsToPublish"]
    templates = TemplateSet()
    templates.add(Template("raw", "raw.json", body))
    found = sorted((f.rule.id, f.logical_id, f.level) for f in check_templates(templates))
    assert found == [("EMR-DEP1", "Function", "warning"), ("EMR-MON1", "Topic", "error")]


def test_a_waiver_with_a_reason_waives_a_resource_rule() -> None:
    body = template()
    body["Resources"]["Function"]["Properties"]["ReservedConcurrentExecutions"] = 5
    body["Resources"]["Function"]["Metadata"] = {
        "cdk_nag": {"rules_to_suppress": [{"id": "EmrChecks-EMR-DEP1", "reason": "quota raised to 1000"}]}
    }
    templates = TemplateSet()
    templates.add(Template("raw", "raw.json", body))
    (finding,) = check_templates(templates)
    assert finding.rule.id == "EMR-DEP1" and finding.waived_reason == "quota raised to 1000"


def test_emr_checks_reports_a_topic_that_refuses_its_alarms_and_a_reserving_function() -> None:
    app = cdk.App(outdir=tempfile.mkdtemp(prefix="emr-checks-"))
    stack = cdk.Stack(app, "Team")
    topic = sns.Topic(stack, "Topic", enforce_ssl=True, master_key=kms.Key(stack, "Key"))
    alarm = cloudwatch.Alarm(
        stack, "Alarm", metric=cloudwatch.Metric(namespace="N", metric_name="M"), threshold=1, evaluation_periods=1
    )
    alarm.add_alarm_action(actions.SnsAction(topic))
    lambda_.Function(
        stack,
        "Function",
        runtime=lambda_.Runtime.PYTHON_3_13,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context): pass"),
        reserved_concurrent_executions=2,
    )
    cdk.Validations.of(app).add_plugins(EmrChecks(app))
    try:
        app.synth()
    except RuntimeError as error:
        assert "Validation failed" in str(error) or "ValidationFailed" in str(error)
    report = json.loads((Path(app.outdir) / "validation-report.json").read_text())
    found = sorted(
        (violation["ruleName"], violation["violatingConstructs"][0]["constructPath"])
        for plugin in report["pluginReports"]
        for violation in plugin["violations"]
    )
    assert found == [
        ("EmrChecks-EMR-DEP1", "Team/Function/Resource"),
        ("EmrChecks-EMR-MON1", "Team/Topic/Resource"),
    ]
