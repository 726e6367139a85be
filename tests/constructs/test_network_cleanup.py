"""The security group cleanup handler, offline: botocore Stubber for EC2, a fake urlopen for responses."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from emr_constructs.network.cleanup_handler import index

PRIMARY, CORE, SERVICE = "sg-0aaaaaaaaaaaaaaa1", "sg-0bbbbbbbbbbbbbbb2", "sg-0ccccccccccccccc3"
OTHER = "sg-0ddddddddddddddd4"
GROUP_IDS = [PRIMARY, CORE, SERVICE]
FILTERS = [{"Name": "group-id", "Values": sorted(GROUP_IDS)}]
RESPONSE_URL = "https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/x?sig=1"


def rule(rule_id: str, group: str, *, egress: bool = False, ref: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"SecurityGroupRuleId": rule_id, "GroupId": group, "IsEgress": egress}
    out |= {"ReferencedGroupInfo": {"GroupId": ref}} if ref else {"CidrIpv4": "0.0.0.0/0"}
    return out


def event(request_type: str, **extra: Any) -> dict[str, Any]:
    return {
        "RequestType": request_type,
        "ResponseURL": RESPONSE_URL,
        "StackId": "arn:aws:cloudformation:eu-west-1:111111111111:stack/Net/1",
        "RequestId": "req-1",
        "LogicalResourceId": "NetworkSecurityGroupCleanup",
        "ResourceType": "Custom::EmrSecurityGroupCleanup",
        "ResourceProperties": {"ServiceToken": "arn:fn", "SecurityGroupIds": list(GROUP_IDS)},
        **extra,
    }


@dataclass
class Context:
    log_stream_name: str = "2026/01/01/[$LATEST]abc"


@dataclass
class Responses:
    """What the handler PUT to the response URL, decoded."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    @property
    def only(self) -> dict[str, Any]:
        assert len(self.sent) == 1, self.sent
        return self.sent[0]


class _FakeResponse:
    status = 200

    def __enter__(self) -> _FakeResponse:
        return self

    def __exit__(self, *args: object) -> None:
        return None


@pytest.fixture
def ec2(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    client = boto3.client("ec2", region_name="eu-west-1")
    monkeypatch.setattr(index, "_ec2_client", lambda: client)
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def responses(monkeypatch: pytest.MonkeyPatch) -> Responses:
    captured = Responses()

    def fake_urlopen(request: Any, timeout: float) -> _FakeResponse:
        assert request.get_method() == "PUT"
        assert timeout <= index.RESPONSE_TIMEOUT_SECONDS
        captured.urls.append(request.full_url)
        captured.sent.append(json.loads(request.data))
        return _FakeResponse()

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    return captured


def stub_rules(ec2: Stubber, rules: list[dict[str, Any]]) -> None:
    ec2.add_response("describe_security_group_rules", {"SecurityGroupRules": rules}, {"Filters": FILTERS})


def stub_revoke(ec2: Stubber, group: str, rule_ids: list[str], *, egress: bool = False) -> None:
    operation = "revoke_security_group_egress" if egress else "revoke_security_group_ingress"
    ec2.add_response(operation, {"Return": True}, {"GroupId": group, "SecurityGroupRuleIds": rule_ids})


def test_delete_revokes_exactly_the_cross_references(ec2: Stubber, responses: Responses) -> None:
    stub_rules(
        ec2,
        [
            rule("sgr-primary-from-core", PRIMARY, ref=CORE),
            rule("sgr-primary-from-self", PRIMARY, ref=PRIMARY),
            rule("sgr-primary-out-anywhere", PRIMARY, egress=True),
            rule("sgr-core-from-other", CORE, ref=OTHER),
            rule("sgr-core-from-service", CORE, ref=SERVICE),
            rule("sgr-service-to-primary", SERVICE, egress=True, ref=PRIMARY),
            rule("sgr-service-from-cidr", SERVICE),
        ],
    )
    stub_revoke(ec2, PRIMARY, ["sgr-primary-from-core", "sgr-primary-from-self"])
    stub_revoke(ec2, CORE, ["sgr-core-from-service"])
    stub_revoke(ec2, SERVICE, ["sgr-service-to-primary"], egress=True)

    index.handler(event("Delete", PhysicalResourceId="emr-sg-cleanup:x"), Context())

    answer = responses.only
    assert answer["Status"] == "SUCCESS"
    assert answer["PhysicalResourceId"] == "emr-sg-cleanup:x"
    assert answer["Reason"].startswith("Revoked 4 cross-referencing rule(s).")
    assert (answer["StackId"], answer["RequestId"], answer["LogicalResourceId"]) == (
        "arn:aws:cloudformation:eu-west-1:111111111111:stack/Net/1",
        "req-1",
        "NetworkSecurityGroupCleanup",
    )
    assert responses.urls == [RESPONSE_URL]


def test_delete_with_nothing_to_revoke_succeeds(ec2: Stubber, responses: Responses) -> None:
    stub_rules(ec2, [rule("sgr-out", PRIMARY, egress=True)])

    index.handler(event("Delete", PhysicalResourceId="emr-sg-cleanup:x"), Context())

    assert responses.only["Status"] == "SUCCESS"
    assert responses.only["Reason"].startswith("Revoked 0 ")


def test_delete_tolerates_a_rule_removed_meanwhile(ec2: Stubber, responses: Responses) -> None:
    stub_rules(ec2, [rule("sgr-gone", PRIMARY, ref=CORE), rule("sgr-here", PRIMARY, ref=SERVICE)])
    ec2.add_client_error(
        "revoke_security_group_ingress",
        "InvalidSecurityGroupRuleId.NotFound",
        expected_params={"GroupId": PRIMARY, "SecurityGroupRuleIds": ["sgr-gone", "sgr-here"]},
    )
    ec2.add_client_error(
        "revoke_security_group_ingress",
        "InvalidSecurityGroupRuleId.NotFound",
        expected_params={"GroupId": PRIMARY, "SecurityGroupRuleIds": ["sgr-gone"]},
    )
    stub_revoke(ec2, PRIMARY, ["sgr-here"])

    index.handler(event("Delete", PhysicalResourceId="emr-sg-cleanup:x"), Context())

    assert responses.only["Status"] == "SUCCESS"
    assert responses.only["Reason"].startswith("Revoked 1 ")


def test_create_answers_without_calling_ec2(ec2: Stubber, responses: Responses) -> None:
    index.handler(event("Create"), Context())

    answer = responses.only
    assert answer["Status"] == "SUCCESS"
    assert answer["PhysicalResourceId"] == "emr-sg-cleanup:" + ",".join(sorted(GROUP_IDS))


def test_update_to_new_groups_gets_a_new_physical_id(ec2: Stubber, responses: Responses) -> None:
    update = event("Update", PhysicalResourceId="emr-sg-cleanup:old")
    update["ResourceProperties"]["SecurityGroupIds"] = [OTHER]

    index.handler(update, Context())

    assert responses.only["Status"] == "SUCCESS"
    assert responses.only["PhysicalResourceId"] == f"emr-sg-cleanup:{OTHER}"


def test_failure_answers_failed_with_the_reason(ec2: Stubber, responses: Responses) -> None:
    ec2.add_client_error(
        "describe_security_group_rules",
        "UnauthorizedOperation",
        "You are not authorized to perform this operation.",
        expected_params={"Filters": FILTERS},
    )

    index.handler(event("Delete", PhysicalResourceId="emr-sg-cleanup:x"), Context())

    answer = responses.only
    assert answer["Status"] == "FAILED"
    assert "UnauthorizedOperation" in answer["Reason"]
    assert Context.log_stream_name in answer["Reason"]
    assert answer["PhysicalResourceId"] == "emr-sg-cleanup:x"


def test_failed_revoke_answers_failed(ec2: Stubber, responses: Responses) -> None:
    stub_rules(ec2, [rule("sgr-1", CORE, ref=PRIMARY)])
    ec2.add_client_error(
        "revoke_security_group_ingress",
        "DependencyViolation",
        expected_params={"GroupId": CORE, "SecurityGroupRuleIds": ["sgr-1"]},
    )

    index.handler(event("Delete", PhysicalResourceId="emr-sg-cleanup:x"), Context())

    assert responses.only["Status"] == "FAILED"
    assert "DependencyViolation" in responses.only["Reason"]


@pytest.mark.parametrize("group_ids", [None, [], "sg-1", [1]])
def test_bad_properties_answer_failed(ec2: Stubber, responses: Responses, group_ids: object) -> None:
    bad = event("Create")
    bad["ResourceProperties"]["SecurityGroupIds"] = group_ids

    index.handler(bad, Context())

    answer = responses.only
    assert answer["Status"] == "FAILED"
    assert "SecurityGroupIds" in answer["Reason"]
    assert answer["PhysicalResourceId"].startswith(index.FAILED_CREATE_PREFIX)  # never empty


def test_delete_after_a_failed_create_succeeds_without_ec2_calls(ec2: Stubber, responses: Responses) -> None:
    rollback = event("Delete", PhysicalResourceId=f"{index.FAILED_CREATE_PREFIX}stream")
    rollback["ResourceProperties"]["SecurityGroupIds"] = None

    index.handler(rollback, Context())

    assert responses.only["Status"] == "SUCCESS"
    assert responses.only["PhysicalResourceId"] == f"{index.FAILED_CREATE_PREFIX}stream"


def test_response_failure_is_retried_and_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def broken_urlopen(request: Any, timeout: float) -> _FakeResponse:
        calls.append(request.full_url)
        raise OSError("connection reset")

    monkeypatch.setattr(urllib.request, "urlopen", broken_urlopen)
    monkeypatch.setattr(time, "sleep", lambda seconds: None)

    index.send_response(event("Create"), "SUCCESS", "ok", "id-1")

    assert len(calls) == index.RESPONSE_ATTEMPTS


def test_reason_is_capped_below_the_response_limit(responses: Responses) -> None:
    index.send_response(event("Create"), "FAILED", "x" * 10_000, "id-1")

    assert len(responses.only["Reason"]) == index.MAX_REASON_CHARS


def test_non_https_response_url_is_not_called(responses: Responses) -> None:
    index.send_response(event("Create", ResponseURL="file:///etc/passwd"), "SUCCESS", "ok", "id-1")

    assert responses.sent == []


# -- the synthesised function: no reserved concurrency ------------------------------------------------------------

LAMBDA_CONCURRENCY_DOC = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html"


@dataclass(frozen=True)
class Synthesised:
    template: dict[str, Any]
    findings: list[str]
    acknowledged: dict[str, str]


@pytest.fixture(scope="module")
def synthesised() -> Synthesised:
    """The cleanup construct alone, with cdk-nag's three packs, as the stateful stack creates it."""
    import aws_cdk as cdk
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_kms as kms
    from aws_cdk import aws_logs as logs

    from emr_constructs.network.cleanup import SecurityGroupRuleCleanup
    from tests.nag import nag_app, synth_findings

    app = nag_app()
    stack = cdk.Stack(app, "Cleanup", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    vpc = ec2.Vpc.from_vpc_attributes(
        stack, "Vpc", vpc_id="vpc-0123456789abcdef0", availability_zones=["eu-west-1a"], private_subnet_ids=["s-1"]
    )
    groups = [ec2.SecurityGroup(stack, f"Group{i}", vpc=vpc) for i in range(3)]
    cleanup = SecurityGroupRuleCleanup(
        stack,
        "SecurityGroupCleanup",
        security_groups=groups,
        log_key=kms.Key(stack, "LogKey", enable_key_rotation=True),
        log_retention=logs.RetentionDays.ONE_YEAR,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    findings = [str(f) for f in synth_findings(app) if "/SecurityGroupCleanup/" in f.path]
    function = cleanup.function.node.default_child
    assert function is not None
    acknowledged = {
        rule: reason
        for entry in function.node.metadata
        if entry.type == "aws:cdk:acknowledged-rules"
        for rule, reason in entry.data.items()
    }
    template = json.loads((Path(app.outdir) / "Cleanup.template.json").read_text())
    return Synthesised(template, findings, acknowledged)


def _function(synthesised: Synthesised) -> dict[str, Any]:
    (function,) = [r for r in synthesised.template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    return function


def test_the_function_reserves_no_concurrency(synthesised: Synthesised) -> None:
    """AWS Lambda Developer Guide, "Configuring reserved concurrency": "You can reserve up to the Unreserved account
    concurrency value minus 100"; any reservation fails creation where the quota is at that minimum."""
    properties = _function(synthesised)["Properties"]
    assert "ReservedConcurrentExecutions" not in properties
    assert properties["Runtime"] == "python3.14" and properties["Timeout"] == 120


def test_lambda_concurrency_is_acknowledged_with_the_reason_on_the_function_only(synthesised: Synthesised) -> None:
    for pack in ("HIPAA.Security", "NIST.800.53.R5"):
        reason = synthesised.acknowledged[f"Annotation::{pack}-LambdaConcurrency"]
        assert LAMBDA_CONCURRENCY_DOC in reason and "minus 100" in reason
    assert not [f for f in synthesised.findings if "LambdaConcurrency" in f]


def test_the_cleanup_construct_has_no_policy_findings(synthesised: Synthesised) -> None:
    assert synthesised.findings == []


def test_the_function_passes_the_reserved_concurrency_rule(synthesised: Synthesised) -> None:
    from emr_constructs.policy import Options
    from emr_constructs.policy.rules_deploy import RESOURCE_RULES
    from emr_constructs.policy.templates import Template, TemplateSet

    templates = TemplateSet()
    templates.add(Template("Cleanup", "Cleanup.template.json", synthesised.template, "Cleanup"))
    (rule,) = [r for r in RESOURCE_RULES if r.id == "EMR-DEP1"]
    assert [(r.type, o.status) for r, o in rule.judge(templates, Options())] == [("AWS::Lambda::Function", "COMPLIANT")]
