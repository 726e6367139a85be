"""The EMR cluster construct."""

from emr_constructs.cluster.cluster import EmrCluster

__all__ = ["EmrCluster"]
