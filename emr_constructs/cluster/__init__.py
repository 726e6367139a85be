"""The EMR cluster construct, its interface and its importer."""

from emr_constructs.cluster.base import ClusterBase
from emr_constructs.cluster.cluster import EmrCluster
from emr_constructs.cluster.imported import ImportedEmrCluster
from emr_constructs.cluster.interface import IEmrCluster

__all__ = ["ClusterBase", "EmrCluster", "IEmrCluster", "ImportedEmrCluster"]
