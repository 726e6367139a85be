"""EMR on EKS: virtual clusters, their job execution roles and security configurations, and job runners."""

from emr_constructs.eks.base import IEmrVirtualCluster, ImportedEmrVirtualCluster
from emr_constructs.eks.job import EmrContainersJob
from emr_constructs.eks.virtual_cluster import EmrVirtualCluster

__all__ = ["EmrContainersJob", "EmrVirtualCluster", "IEmrVirtualCluster", "ImportedEmrVirtualCluster"]
