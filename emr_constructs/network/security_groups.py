"""The three EMR-managed security groups of a cluster in private subnets, with the documented minimum rules.

EMR Management Guide, "Working with Amazon EMR-managed security groups": a cluster in a private subnet has
a primary ("ElasticMapReduce-Master-Private"), a core/task ("ElasticMapReduce-Slave-Private") and a
service-access ("ElasticMapReduce-ServiceAccess") group. The service-access group admits TCP 9443 from the
primary group (EMR 5.30.0 and later) and sends TCP 8443 to the primary and core/task groups. EMR adds the
other inbound rules it needs when it starts a cluster; it adds no outbound rules to custom groups.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from emr_constructs.tagging import tag_for_emr_managed_policy

#: The port on which the EMR cluster manager reaches the primary and core/task instances.
CLUSTER_MANAGER_PORT = 8443
#: The port on which the primary instance reaches the service-access group (EMR 5.30.0 and later).
SERVICE_ACCESS_PORT = 9443


@dataclass(frozen=True)
class EmrSecurityGroups:
    """The primary, core/task and service-access security groups EMR manages for a cluster."""

    primary: ec2.SecurityGroup
    core: ec2.SecurityGroup
    service_access: ec2.SecurityGroup

    def all(self) -> list[ec2.SecurityGroup]:
        """The three groups, primary first."""
        return [self.primary, self.core, self.service_access]


def create_emr_security_groups(scope: Construct, vpc: ec2.IVpc) -> EmrSecurityGroups:
    """Create the three groups in ``vpc`` under ``scope``, wire the documented rules and tag them for EMR."""
    primary = ec2.SecurityGroup(
        scope,
        "PrimarySecurityGroup",
        vpc=vpc,
        description="EMR-managed security group for the primary instance (private subnets)",
        allow_all_outbound=True,
    )
    core = ec2.SecurityGroup(
        scope,
        "CoreSecurityGroup",
        vpc=vpc,
        description="EMR-managed security group for the core and task instances (private subnets)",
        allow_all_outbound=True,
    )
    service_access = ec2.SecurityGroup(
        scope,
        "ServiceAccessSecurityGroup",
        vpc=vpc,
        description="EMR-managed service access security group for clusters in private subnets",
        allow_all_outbound=False,
    )
    service_access.add_ingress_rule(
        primary,
        ec2.Port.tcp(SERVICE_ACCESS_PORT),
        "EMR 5.30.0+ - the primary instance reaches the EMR service access group on 9443",
    )
    service_access.connections.allow_to(
        primary,
        ec2.Port.tcp(CLUSTER_MANAGER_PORT),
        "EMR cluster manager reaches the primary instance on 8443",
    )
    service_access.connections.allow_to(
        core,
        ec2.Port.tcp(CLUSTER_MANAGER_PORT),
        "EMR cluster manager reaches the core and task instances on 8443",
    )
    groups = EmrSecurityGroups(primary=primary, core=core, service_access=service_access)
    for group in groups.all():
        tag_for_emr_managed_policy(group)
    return groups
