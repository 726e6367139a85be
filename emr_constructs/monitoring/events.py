"""EventBridge rules on this cluster's EMR events, delivered to the monitoring topic as readable text and,
optionally, to a Lambda function as the raw event (EMR Management Guide, "Monitoring Amazon EMR events with
EventBridge"; Amazon EventBridge User Guide, "Events from Amazon EMR")."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from constructs import Construct

from emr_constructs.monitoring.topic import TopicTarget, admit_rules
from emr_constructs.spec import ClusterSpec

SOURCE = "aws.emr"


@dataclass(frozen=True)
class EventRule:
    """One rule: the detail-types it matches and the ``detail`` filter beside the cluster id."""

    id: str
    description: str
    detail_types: tuple[str, ...]
    detail: dict[str, object]


def cluster_event_rules(spec: ClusterSpec) -> list[EventRule]:
    """The notifications for ``spec``'s shape (fleets or instance groups)."""
    fleets = spec.instance_fleets is not None
    kind = "Fleet" if fleets else "Group"
    rules = [
        EventRule(
            "ClusterTerminated",
            "the cluster terminated (any reason: a long-running cluster is not expected to stop)",
            ("EMR Cluster State Change",),
            {"state": ["TERMINATED", "TERMINATED_WITH_ERRORS"]},
        ),
        EventRule("StepFailed", "a step failed", ("EMR Step Status Change",), {"state": ["FAILED"]}),
        EventRule(
            f"Instance{kind}Trouble",
            f"an instance {kind.lower()} changed state with a warning or error (suspended, arrested, failed)",
            (f"EMR Instance {kind} State Change",),
            {"severity": [{"anything-but": ["INFO"]}]},
        ),
        EventRule(
            f"Instance{kind}InsufficientCapacity",
            "EC2 could not provide the instances at launch or resize (insufficient capacity)",
            (f"EMR Instance {kind} Provisioning",),
            {"eventCode": [{"prefix": "EC2 provisioning"}]},
        ),
    ]
    if fleets:
        # The codes are sentences whose capitalisation differs between AWS's own examples ("Spot Provisioning
        # timeout", "On-Demand provisioning timeout - continuing resize"): match both spellings.
        rules.append(
            EventRule(
                "InstanceFleetProvisioningTimeout",
                "a fleet resize gave up waiting for Spot or On-Demand capacity (provisioning timeout)",
                ("EMR Instance Fleet Resize",),
                {"eventCode": [{"wildcard": "*rovisioning timeout*"}]},
            )
        )
    return rules


@cache
def _field(path: str) -> str:
    """The token of the event's field at ``path``. A token stands for the same value in every stack and app of the
    process, so each is made once."""
    return events.EventField.from_path(path)


def readable_message(spec: ClusterSpec) -> events.RuleTargetInput:
    """The text an email or chat reader gets: what happened, to which cluster, why, and the console link."""
    field = _field
    cluster_id = field("$.detail.clusterId")
    region = field("$.region")
    return events.RuleTargetInput.from_text(
        f"[{field('$.detail.severity')}] {field('$.detail-type')} on EMR cluster {spec.name} ({cluster_id}) at "
        f"{field('$.time')}: {field('$.detail.message')} | state: {field('$.detail.state')} | event: "
        f"{field('$.detail.eventCode')} | reason: {field('$.detail.stateChangeReason')} | console: "
        f"https://{region}.console.aws.amazon.com/emr/home?region={region}#/clusterDetails/{cluster_id}"
    )


def add_event_rules(
    scope: Construct,
    spec: ClusterSpec,
    cluster_id: str,
    topic: sns.ITopic,
    function: lambda_.IFunction | None = None,
) -> dict[str, events.Rule]:
    """Create the rules under ``scope``, each filtered to ``cluster_id``, and admit exactly them to ``topic``'s
    policy (``admit_rules``: ``events.amazonaws.com`` scoped by ``aws:SourceArn``)."""
    created: dict[str, events.Rule] = {}
    to_topic = TopicTarget(topic, readable_message(spec))  # stateless: one target object serves every rule
    for rule in cluster_event_rules(spec):
        pattern = events.EventPattern(
            source=[SOURCE],
            detail_type=list(rule.detail_types),
            detail={"clusterId": [cluster_id], **rule.detail},
        )
        rule_targets: list[events.IRuleTarget] = [to_topic]
        if function is not None:
            rule_targets.append(targets.LambdaFunction(function, retry_attempts=2, max_event_age=cdk.Duration.hours(1)))
        created[rule.id] = events.Rule(
            scope,
            rule.id,
            description=f"EMR cluster {spec.name}: {rule.description}",
            event_pattern=pattern,
            targets=rule_targets,
        )
    admit_rules(topic, list(created.values()))
    return created
