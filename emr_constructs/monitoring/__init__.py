"""Monitoring of EMR clusters: alarms, dashboard and notifications, and node metrics from the CloudWatch agent."""

from emr_constructs.monitoring.emr_monitoring import EmrMonitoring
from emr_constructs.monitoring.node_metrics import AGENT_SCRIPT, grant_node_metrics, node_agent_bootstrap_action

__all__ = ["AGENT_SCRIPT", "EmrMonitoring", "grant_node_metrics", "node_agent_bootstrap_action"]
