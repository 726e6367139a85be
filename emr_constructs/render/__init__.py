"""Renderers of the cluster spec: CloudFormation properties (and, later, the RunJobFlow request)."""

from emr_constructs.render.cloudformation import render_cluster_properties, render_instances
from emr_constructs.render.run_job_flow import JobFlowWiring, render_job_flow_instances, render_run_job_flow
from emr_constructs.render.wiring import ClusterWiring

__all__ = [
    "ClusterWiring",
    "JobFlowWiring",
    "render_cluster_properties",
    "render_instances",
    "render_job_flow_instances",
    "render_run_job_flow",
]
