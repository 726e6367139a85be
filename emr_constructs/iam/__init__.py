"""IAM roles for EMR clusters."""

from emr_constructs.iam.roles import EmrRoles

__all__ = ["EmrRoles"]
