"""IAM roles for EMR clusters, and acknowledgments of granular findings known only at synthesis."""

from emr_constructs.iam._acknowledge import acknowledge_resource_finding, flatten_cfn_reference
from emr_constructs.iam.roles import EmrRoles

__all__ = ["EmrRoles", "acknowledge_resource_finding", "flatten_cfn_reference"]
