"""Private networking for EMR on EC2: VPC, endpoints, flow logs and the EMR-managed security groups."""

from emr_constructs.network.cleanup import SecurityGroupRuleCleanup
from emr_constructs.network.endpoints import INTERFACE_ENDPOINTS
from emr_constructs.network.network import EmrNetwork, availability_zones_context
from emr_constructs.network.security_groups import EmrSecurityGroups, create_emr_security_groups

__all__ = [
    "INTERFACE_ENDPOINTS",
    "EmrNetwork",
    "EmrSecurityGroups",
    "SecurityGroupRuleCleanup",
    "availability_zones_context",
    "create_emr_security_groups",
]
