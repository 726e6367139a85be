"""``EmrMonitoring``: alarms, a dashboard and EventBridge notifications for one long-running cluster."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import aws_chatbot as chatbot
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_events as events
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from emr_constructs.monitoring.alarms import MetricFactory, cluster_alarms
from emr_constructs.monitoring.dashboard import cluster_dashboard
from emr_constructs.monitoring.events import add_event_rules
from emr_constructs.monitoring.topic import ALARM_AND_EVENT_PUBLISHERS, admit_alarms, encrypted_topic
from emr_constructs.spec import ClusterSpec
from emr_constructs.spec.monitoring import MonitoringSpec

if TYPE_CHECKING:  # the cluster package imports monitoring: no import back at run time
    from emr_constructs.cluster.interface import IEmrCluster


def _metrics_of(cluster: IEmrCluster) -> MetricFactory:
    def metric(name: str, statistic: str) -> cloudwatch.Metric:
        return cluster.metric(name, statistic=statistic)

    return metric


class EmrMonitoring(Construct):
    """Alarms on the cluster's EMR metrics (thresholds from ``monitoring``, defaults in
    ``emr_constructs.spec.monitoring.ALARMS``), a dashboard, and EventBridge rules on its state, step, instance
    fleet or group, resize and provisioning events, all delivered to ``topic``.

    ``topic`` defaults to a new TLS-only topic encrypted with a new customer-managed key (RETAIN) that CloudWatch
    alarms and EventBridge rules may use (``monitoring.topic``); the topic policy admits exactly these alarms and
    rules (``aws:SourceArn``). A given ``topic`` construct gets the same topic policy statements; an imported one
    gets none, and its policy and key must admit ``cloudwatch.amazonaws.com`` and ``events.amazonaws.com`` (the
    ``EmrChecks`` rules EMR-MON1 and EMR-MON2 tell). ``emails`` and ``slack`` channels subscribe to it.
    ``function`` (or ``monitoring.lambda_function_arn``) also receives every matched event as is.
    ``dashboard_name`` defaults to ``emr-<cluster name>``.

    The cluster is ``cluster`` (an ``EmrCluster`` or ``EmrCluster.from_cluster_attributes``; the alarms are built
    from its ``metric()``) or, as before, ``cluster_id`` (a ``j-...`` id or token): exactly one of them. Both give
    the same alarms.

    :param spec: the cluster's spec (required); names the topic, the dashboard and the Slack configurations.
    :param cluster: the cluster to watch, an ``IEmrCluster``; give this or ``cluster_id``.
        Default: ``None``, then ``cluster_id`` is required.
    :param cluster_id: the cluster's id (``j-...`` or a token); give this or ``cluster``.
        Default: ``None``, then ``cluster`` is required.
    :param monitoring: alarm thresholds, dashboard, notifications, subscribers.
        Default: ``spec.monitoring``, else ``MonitoringSpec()`` (every alarm, the dashboard and the
        notifications on, no subscribers).
    :param topic: where alarms and notifications go.
        Default: a new TLS-only topic with a new rotating customer-managed key (``RemovalPolicy.RETAIN``).
    :param function: a Lambda function that also receives every matched event as is.
        Default: the function of ``monitoring.lambda_function_arn``, else none.
    :param dashboard_name: name of the CloudWatch dashboard (made only when ``monitoring.dashboard`` is on).
        Default: ``emr-<spec.name>``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: ClusterSpec,
        cluster: IEmrCluster | None = None,
        cluster_id: str | None = None,
        monitoring: MonitoringSpec | None = None,
        topic: sns.ITopic | None = None,
        function: lambda_.IFunction | None = None,
        dashboard_name: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        if (cluster is None) == (cluster_id is None):
            raise ValueError(
                f"EmrMonitoring {id!r}: pass exactly one of cluster (an IEmrCluster) and cluster_id. "
                "Fix: pass cluster=<EmrCluster or EmrCluster.from_cluster_attributes(...)>"
            )
        metrics: str | MetricFactory
        if cluster is not None:
            cluster_id, metrics = cluster.cluster_id, _metrics_of(cluster)
        else:
            assert cluster_id is not None
            metrics = cluster_id
        self.monitoring = monitoring or spec.monitoring or MonitoringSpec()
        self.topic_key: kms.IKey | None = None
        if topic is None:
            topic, self.topic_key = encrypted_topic(
                self,
                "Topic",
                purpose=f"the alarms and notifications of EMR cluster {spec.name}",
                display_name=f"EMR {spec.name}"[:100],
                publishers=ALARM_AND_EVENT_PUBLISHERS,
            )
        self.topic = topic
        for email in self.monitoring.emails:
            topic.add_subscription(subscriptions.EmailSubscription(email))
        for index, channel in enumerate(self.monitoring.slack):
            chatbot.SlackChannelConfiguration(
                self,
                f"Slack{index}",
                slack_channel_configuration_name=f"emr-{spec.name}-{index}"[:128],
                slack_workspace_id=channel.workspace_id,
                slack_channel_id=channel.channel_id,
                notification_topics=[topic],
                logging_level=chatbot.LoggingLevel.ERROR,
            )
        if function is None and self.monitoring.lambda_function_arn is not None:
            function = lambda_.Function.from_function_arn(self, "Function", self.monitoring.lambda_function_arn)
        self.alarms: dict[str, cloudwatch.Alarm] = cluster_alarms(
            Construct(self, "Alarms"), spec, self.monitoring, metrics
        )
        action = actions.SnsAction(topic)
        for alarm in self.alarms.values():
            alarm.add_alarm_action(action)
            alarm.add_ok_action(action)
        alarm_arns = [alarm.alarm_arn for alarm in self.alarms.values()]  # read once: each read is a kernel call
        admit_alarms(topic, alarm_arns)
        self.rules: dict[str, events.Rule] = (
            add_event_rules(Construct(self, "Events"), spec, cluster_id, topic, function)
            if self.monitoring.notifications
            else {}
        )
        self.dashboard = (
            cluster_dashboard(
                self,
                "Dashboard",
                spec=spec,
                cluster_id=cluster_id,
                dashboard_name=dashboard_name or f"emr-{spec.name}",
                alarm_arns=alarm_arns,
            )
            if self.monitoring.dashboard
            else None
        )
