"""The EMR rules: id, level, title, explanation and fix, each with its check written once as a pure function over a
``ClusterView`` (in ``cluster_rules``; the resource rules in ``rules_deploy``).

A rule returns ``COMPLIANT``, ``NON_COMPLIANT`` with a message (what is wrong, on this cluster) or
``NOT_APPLICABLE`` (the rule does not concern this cluster, or a value it needs cannot be resolved: a parameter,
an import from outside the template set). Rule ids are stable; the NagPack reports them as ``EmrChecks-<id>``.
"""

from __future__ import annotations

from emr_constructs.policy import cluster_rules as checks
from emr_constructs.policy.clusters import MULTI_TENANT_TAG
from emr_constructs.policy.outcomes import COMPLIANT, Level, Options, Outcome, Rule, Status, fail, skip

__all__ = [
    "BY_ID",
    "COMPLIANT",
    "JUDGED_RULES",
    "READ_RULE",
    "RULES",
    "WAIVER_RULE",
    "Level",
    "Options",
    "Outcome",
    "Rule",
    "Status",
    "fail",
    "skip",
]

RULES: tuple[Rule, ...] = (
    Rule(
        "EMR-SEC1",
        "error",
        "Security configuration referenced",
        "Encryption, IMDS and authentication settings reach an EMR cluster only through a security configuration.",
        "Create an AWS::EMR::SecurityConfiguration and set the cluster's SecurityConfiguration to it.",
        checks.security_configuration,
    ),
    Rule(
        "EMR-SEC2",
        "error",
        "S3 (EMRFS) encryption at rest",
        "Data the cluster writes to S3 through EMRFS must be encrypted; EMR reads the setting from "
        "EncryptionConfiguration.AtRestEncryptionConfiguration.S3EncryptionConfiguration.",
        "Set EnableAtRestEncryption: true and an S3EncryptionConfiguration with an EncryptionMode (SSE-KMS).",
        checks.s3_encryption,
    ),
    Rule(
        "EMR-SEC3",
        "error",
        "Local disk encryption",
        "Shuffle, spill and HDFS data on instance store and EBS must be encrypted.",
        "Add AtRestEncryptionConfiguration.LocalDiskEncryptionConfiguration with a KMS key provider.",
        checks.local_disk_encryption,
    ),
    Rule(
        "EMR-SEC4",
        "error",
        "EBS encryption",
        "Local-disk encryption alone leaves the EBS root volume unencrypted; EnableEbsEncryption covers it.",
        "Set LocalDiskEncryptionConfiguration.EnableEbsEncryption: true (emr-5.24.0+).",
        checks.ebs_encryption,
    ),
    Rule(
        "EMR-SEC5",
        "error",
        "In-transit encryption",
        "Traffic between nodes and to clients (Spark shuffle, HDFS, Hive, Presto/Trino) must use TLS.",
        "Set EnableInTransitEncryption: true with InTransitEncryptionConfiguration.TLSCertificateConfiguration.",
        checks.in_transit,
    ),
    Rule(
        "EMR-SEC6",
        "error",
        "IMDSv2 required",
        "IMDSv1 lets a server-side request forgery read the instance role's credentials.",
        "Set InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion: 2 in the security "
        "configuration.",
        checks.imdsv2,
    ),
    Rule(
        "EMR-NET1",
        "error",
        "Private subnet, no public IP",
        "Nodes with public IPs or a route to an internet gateway are reachable from the internet.",
        "Launch in private subnets (no MapPublicIpOnLaunch, no internet-gateway route); reach AWS through VPC "
        "endpoints or a NAT gateway.",
        checks.private_subnet,
    ),
    Rule(
        "EMR-NET2",
        "error",
        "Service-access security group",
        "A cluster in a private subnet needs the service-access security group through which EMR reaches it.",
        "Set Instances.ServiceAccessSecurityGroup.",
        checks.service_access_group,
    ),
    Rule(
        "EMR-LOG1",
        "error",
        "Log URI set",
        "Without LogUri, node, step and application logs are lost when the cluster terminates.",
        "Set LogUri to an S3 prefix in an encrypted, access-logged bucket.",
        checks.log_uri,
    ),
    Rule(
        "EMR-LOG2",
        "error",
        "Log encryption key set",
        "Logs EMR pushes to LogUri are encrypted with LogEncryptionKmsKeyId (emr-5.30.0+).",
        "Set LogEncryptionKmsKeyId to a customer-managed KMS key.",
        checks.log_key,
    ),
    Rule(
        "EMR-OPS1",
        "error",
        "Auto-termination or termination protection",
        "A cluster must either end on its own when idle or be protected as a long-running cluster.",
        "Set AutoTerminationPolicy.IdleTimeout, or Instances.TerminationProtected: true.",
        checks.lifecycle,
    ),
    Rule(
        "EMR-OPS2",
        "warning",
        "Spot fleets with an allocation strategy and an On-Demand fallback",
        "Spot capacity without an allocation strategy draws from few pools, and without SWITCH_TO_ON_DEMAND a "
        "Spot shortage stalls or fails the cluster.",
        "Set LaunchSpecifications.SpotSpecification.AllocationStrategy and TimeoutAction: SWITCH_TO_ON_DEMAND, or "
        "waive the rule with the reason.",
        checks.spot,
    ),
    Rule(
        "EMR-OPS3",
        "warning",
        "Managed scaling for scalable clusters",
        "Task capacity that does not scale is either idle money or a bottleneck.",
        "Add a ManagedScalingPolicy (or automatic scaling policies on instance groups).",
        checks.managed_scaling,
    ),
    Rule(
        "EMR-OPS4",
        "warning",
        "Unhealthy node replacement on",
        "Without it, a core node that YARN marks unhealthy stays in the cluster.",
        "Set Instances.UnhealthyNodeReplacement: true.",
        checks.unhealthy_replacement,
    ),
    Rule(
        "EMR-REL1",
        "error",
        "Release label not below the floor",
        "Releases out of standard support get no security fixes.",
        "Move to a supported release (see emr-standard-support.html), or set the floor explicitly.",
        checks.release_floor,
    ),
    Rule(
        "EMR-IAM1",
        "error",
        "Instance role without AmazonElasticMapReduceforEC2Role",
        "The deprecated managed policy grants s3:*, dynamodb:* and more on every resource.",
        "Give the instance role a least-privilege policy for its buckets and keys.",
        checks.instance_role_policy,
    ),
    Rule(
        "EMR-IAM2",
        "error",
        "Service role on the v2 policy",
        "AmazonElasticMapReduceRole (v1) acts on any resource; AmazonEMRServicePolicy_v2 only on tagged ones.",
        "Attach AmazonEMRServicePolicy_v2 and tag the cluster's resources for it.",
        checks.service_role_policy,
    ),
    Rule(
        "EMR-IAM3",
        "error",
        "No S3 writes on every bucket from the instance role",
        "An instance role that may write any object in any bucket turns one compromised node into an account-wide "
        "data incident.",
        "Scope s3:Put*/Delete* statements to the buckets and prefixes the cluster writes.",
        checks.s3_wildcard_writes,
    ),
    Rule(
        "EMR-AUTH1",
        "error",
        "Kerberos or runtime roles on multi-tenant clusters",
        f"On a cluster shared by several users or teams (tagged {MULTI_TENANT_TAG}=true), jobs without Kerberos or "
        "runtime roles all act as the instance role.",
        "Add a Kerberos configuration, or runtime roles (AuthorizationConfiguration.IAMConfiguration).",
        checks.multi_tenant,
    ),
)

WAIVER_RULE = Rule(
    "EMR-WAIVER",
    "error",
    "Waivers give a reason",
    "A waiver (Metadata.cdk_nag.rules_to_suppress) without a reason hides a finding without saying why.",
    "Give every suppressed rule a reason, or remove the waiver.",
    lambda view, options: COMPLIANT,
)

READ_RULE = Rule(
    "EMR-READ1",
    "error",
    "Resource properties could not be read",
    "The EmrChecks pack reads the properties of each resource of a type the rules read (clusters, state machines, "
    "security configurations, IAM roles, profiles and policies, subnets and routes, EMR Serverless applications "
    "and log groups, EMR Studios with their buckets and security groups, EMR on EKS virtual clusters, security "
    "configurations and Pod Identity associations) from its stack's template in the cloud "
    "assembly, which CDK writes before it runs validation plugins. A resource whose template is not "
    "written (the pack's validate_scope called on an app that was not synthesised) would be judged as empty and "
    "could hide a finding, so it is reported instead, with the reason, and the rules do not run on it. "
    "`emr-constructs check` reads the synthesised templates and never reports it.",
    "Register the pack with `Validations.of(app).add_plugins(...)` so that it runs during `app.synth()`, call "
    "`validate_scope` only after `app.synth()`, or run `emr-constructs check cdk.out` on the synthesised "
    "templates; acknowledge the finding only where that check runs.",
    lambda view, options: COMPLIANT,
)

# Rules over any template's resources, not clusters: rules_deploy.py (SNS topics, Lambda functions),
# serverless_rules.py (EMR Serverless applications and execution roles), studio_rules.py (EMR Studios) and
# eks_rules.py (EMR on EKS virtual clusters and job execution roles). They build on this module's types, so they are
# imported last (the package imports this module first).
from emr_constructs.policy.eks_rules import EKS_RULES  # noqa: E402
from emr_constructs.policy.rules_deploy import RESOURCE_RULES  # noqa: E402
from emr_constructs.policy.serverless_rules import SERVERLESS_RULES  # noqa: E402
from emr_constructs.policy.studio_rules import STUDIO_RULES  # noqa: E402

#: Every resource rule, in the order both adapters run them.
JUDGED_RULES = (*RESOURCE_RULES, *SERVERLESS_RULES, *STUDIO_RULES, *EKS_RULES)
BY_ID = {rule.id: rule for rule in (*RULES, *JUDGED_RULES, WAIVER_RULE, READ_RULE)}
