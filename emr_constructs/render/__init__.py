"""Renderers of the cluster spec: CloudFormation properties (and, later, the RunJobFlow request)."""

from emr_constructs.render.cloudformation import ClusterWiring, render_cluster_properties, render_instances

__all__ = ["ClusterWiring", "render_cluster_properties", "render_instances"]
