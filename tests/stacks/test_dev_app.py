"""The default app from config/dev.yaml: stacks, cross-stack wiring, policy checks, cfn-lint, snapshots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

from tests.stacks.conftest import SynthesisedApp
from tests.templates import cfn_lint, normalise

STATEFUL = "emr-dev-stateful"
CLUSTER = "emr-dev-analytics"
JOB_FLOW = "emr-dev-daily-totals"
SERVERLESS = "emr-dev-spark-serverless"
STUDIO = "emr-dev-studio"


def _cluster(dev_app: SynthesisedApp) -> dict[str, Any]:
    resources = dev_app.templates[CLUSTER]["Resources"]
    (cluster,) = [r for r in resources.values() if r["Type"] == "AWS::EMR::Cluster"]
    return cluster["Properties"]  # type: ignore[no-any-return]


def test_app_has_one_stateful_and_one_cluster_stack(dev_app: SynthesisedApp) -> None:
    assert sorted(dev_app.templates) == [CLUSTER, JOB_FLOW, SERVERLESS, STATEFUL, STUDIO]


def test_synth_needs_no_context_lookup(dev_app: SynthesisedApp) -> None:
    manifest = json.loads((Path(dev_app.assembly.directory) / "manifest.json").read_text())
    assert "missing" not in manifest, "synth asked for context (an AWS lookup)"
    assert {stack.environment.account for stack in dev_app.assembly.stacks} == {"111111111111"}


def test_policy_checks_pass_with_no_findings(dev_app: SynthesisedApp) -> None:
    # app.synth() raises on any unacknowledged finding; the report records each pack's conclusion.
    report = json.loads((Path(dev_app.assembly.directory) / "validation-report.json").read_text())
    conclusions = {plugin["pluginName"]: plugin["conclusion"] for plugin in report["pluginReports"]}
    assert {"AwsSolutions", "HIPAA.Security", "NIST.800.53.R5"} <= set(conclusions)
    assert set(conclusions.values()) == {"success"}


@pytest.mark.parametrize("stack", [STATEFUL, CLUSTER, JOB_FLOW, SERVERLESS, STUDIO])
def test_cfn_lint_is_clean(dev_app: SynthesisedApp, stack: str) -> None:
    assert cfn_lint(dev_app.templates[stack]) == []


@pytest.mark.parametrize("stack", [STATEFUL, CLUSTER, JOB_FLOW, SERVERLESS, STUDIO])
def test_snapshot(dev_app: SynthesisedApp, stack: str, snapshot: Any) -> None:
    assert normalise(dev_app.templates[stack]) == snapshot


def test_stateful_stack_is_termination_protected_and_retains_data(dev_app: SynthesisedApp) -> None:
    stack = next(s for s in dev_app.assembly.stacks if s.stack_name == STATEFUL)
    assert stack.termination_protection is True
    template = Template.from_json(dev_app.templates[STATEFUL])
    for resource_type in ("AWS::S3::Bucket", "AWS::KMS::Key"):
        for resource in template.find_resources(resource_type).values():
            assert resource["DeletionPolicy"] == "Retain"
            assert resource["UpdateReplacePolicy"] == "Retain"


def test_cluster_has_spot_task_fleet_with_on_demand_fallback(dev_app: SynthesisedApp) -> None:
    (task,) = _cluster(dev_app)["Instances"]["TaskInstanceFleets"]
    assert task["TargetSpotCapacity"] == 4
    assert task["LaunchSpecifications"]["SpotSpecification"] == {
        "AllocationStrategy": "price-capacity-optimized",
        "TimeoutAction": "SWITCH_TO_ON_DEMAND",
        "TimeoutDurationMinutes": 30,
    }
    assert task["LaunchSpecifications"]["OnDemandSpecification"] == {"AllocationStrategy": "lowest-price"}
    assert {t["InstanceType"] for t in task["InstanceTypeConfigs"]} >= {"m7g.4xlarge", "m6i.4xlarge"}


def test_core_fleet_mixes_families_and_graviton(dev_app: SynthesisedApp) -> None:
    core = _cluster(dev_app)["Instances"]["CoreInstanceFleet"]
    types = [t["InstanceType"] for t in core["InstanceTypeConfigs"]]
    assert len({t.split(".")[0][0] for t in types}) >= 2
    assert any(t.startswith(("m7g", "r7g")) for t in types)
    assert core["InstanceTypeConfigs"][0]["EbsConfiguration"] == {
        "EbsBlockDeviceConfigs": [
            {"VolumeSpecification": {"SizeInGB": 128, "VolumeType": "gp3"}, "VolumesPerInstance": 1}
        ]
    }


def test_primary_fleet_is_on_demand(dev_app: SynthesisedApp) -> None:
    primary = _cluster(dev_app)["Instances"]["MasterInstanceFleet"]
    assert primary["TargetOnDemandCapacity"] == 1
    assert "TargetSpotCapacity" not in primary or primary["TargetSpotCapacity"] == 0


def test_managed_scaling_and_auto_termination(dev_app: SynthesisedApp) -> None:
    properties = _cluster(dev_app)
    assert properties["ManagedScalingPolicy"] == {
        "ComputeLimits": {
            "UnitType": "InstanceFleetUnits",
            "MinimumCapacityUnits": 6,
            "MaximumCapacityUnits": 40,
            "MaximumOnDemandCapacityUnits": 12,
            "MaximumCoreCapacityUnits": 8,
        }
    }
    assert properties["AutoTerminationPolicy"] == {"IdleTimeout": 3600}


def test_logs_are_encrypted_with_the_stateful_key(dev_app: SynthesisedApp) -> None:
    properties = _cluster(dev_app)
    assert properties["LogUri"] == "s3://emr-constructs-dev-logs-111111111111-eu-west-1/emr/analytics/"
    key = properties["LogEncryptionKmsKeyId"]["Fn::GetStackOutput"]
    assert key["StackName"] == STATEFUL and "LogsKey" in key["OutputName"]


def test_cluster_runs_in_private_subnets_with_the_managed_security_groups(dev_app: SynthesisedApp) -> None:
    instances = _cluster(dev_app)["Instances"]
    assert len(instances["Ec2SubnetIds"]) == 3
    for key in ("EmrManagedMasterSecurityGroup", "EmrManagedSlaveSecurityGroup", "ServiceAccessSecurityGroup"):
        assert instances[key]["Fn::GetStackOutput"]["StackName"] == STATEFUL
    for subnet in instances["Ec2SubnetIds"]:
        assert "PrivateSubnet" in subnet["Fn::GetStackOutput"]["OutputName"]


def test_cross_stack_references_are_weak_so_no_export_can_deadlock(dev_app: SynthesisedApp) -> None:
    # cdk.json sets @aws-cdk/core:defaultCrossStackReferences to "weak" (as `cdk init` does): the cluster
    # stack reads the stateful stack's outputs with Fn::GetStackOutput, so no CloudFormation export exists
    # that a later deploy could be blocked by.
    for template in dev_app.templates.values():
        assert "Fn::ImportValue" not in json.dumps(template)
        assert all("Export" not in output for output in template.get("Outputs", {}).values())


def test_service_role_is_v2_and_instance_role_is_not_the_deprecated_policy(dev_app: SynthesisedApp) -> None:
    template = Template.from_json(dev_app.templates[CLUSTER])
    template.has_resource_properties(
        "AWS::IAM::Role",
        {
            "ManagedPolicyArns": Match.array_with(
                [
                    Match.object_like(
                        {
                            "Fn::Join": Match.array_with(
                                [Match.array_with([Match.string_like_regexp("AmazonEMRServicePolicy_v2")])]
                            )
                        }
                    )
                ]
            )
        },
    )
    text = str(dev_app.templates[CLUSTER])
    assert "AmazonElasticMapReduceforEC2Role" not in text
    assert "AmazonElasticMapReduceRole" not in text.replace("AmazonElasticMapReduceRole_", "")


def test_cluster_is_tagged_for_the_v2_managed_policy(dev_app: SynthesisedApp) -> None:
    tags = {t["Key"]: t["Value"] for t in _cluster(dev_app)["Tags"]}
    assert tags["for-use-with-amazon-emr-managed-policies"] == "true"
    assert tags["team"] == "data-platform"


def test_configurations_are_rendered_with_nesting(dev_app: SynthesisedApp) -> None:
    configurations = _cluster(dev_app)["Configurations"]
    warehouse = "s3://emr-constructs-dev-curated-111111111111-eu-west-1/warehouse/"
    assert configurations[0] == {
        "Classification": "spark-defaults",
        "ConfigurationProperties": {
            "spark.dynamicAllocation.enabled": "true",
            "spark.sql.adaptive.enabled": "true",
            # From the Iceberg table format, merged into the user's spark-defaults.
            "spark.sql.catalog.glue_catalog": "org.apache.iceberg.spark.SparkCatalog",
            "spark.sql.catalog.glue_catalog.catalog-impl": "org.apache.iceberg.aws.glue.GlueCatalog",
            "spark.sql.catalog.glue_catalog.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
            "spark.sql.catalog.glue_catalog.warehouse": warehouse,
            "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
        },
    }
    assert configurations[1] == {
        "Classification": "spark-env",
        "Configurations": [
            {"Classification": "export", "ConfigurationProperties": {"PYSPARK_PYTHON": "/usr/bin/python3"}}
        ],
    }


def _acknowledged(construct: Any) -> set[str]:
    return {
        rule
        for entry in construct.node.metadata
        if entry.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        for rule in entry.data
    }


def test_cluster_acknowledges_only_the_broken_rules_and_the_declared_kerberos_waiver(dev_app: SynthesisedApp) -> None:
    cluster = dev_app.app.node.find_child(CLUSTER).node.find_child("Cluster")
    assert _acknowledged(cluster.cfn_cluster) == {  # type: ignore[attr-defined]
        "AwsSolutions::AwsSolutions-EMR4",
        "AwsSolutions::AwsSolutions-EMR5",
        "AwsSolutions::AwsSolutions-EMR6",
        "HIPAA.Security::HIPAA.Security-EMRKerberosEnabled",
    }


def test_kerberos_waiver_reason_is_printed_at_synth(dev_app: SynthesisedApp) -> None:
    # The CLI prints every aws:cdk:warning of the stack's metadata at synth.
    metadata = json.loads((Path(dev_app.assembly.directory) / f"{CLUSTER}.metadata.json").read_text())
    warnings = [
        entry["data"] for entries in metadata.values() for entry in entries if entry["type"] == "aws:cdk:warning"
    ]
    assert any("runs without Kerberos: Development cluster with no shared users" in str(w) for w in warnings)


def test_security_configuration_encrypts_everything_and_requires_imdsv2(dev_app: SynthesisedApp) -> None:
    resources = dev_app.templates[CLUSTER]["Resources"]
    (configuration,) = [r for r in resources.values() if r["Type"] == "AWS::EMR::SecurityConfiguration"]
    document = configuration["Properties"]["SecurityConfiguration"]
    encryption = document["EncryptionConfiguration"]
    at_rest = encryption["AtRestEncryptionConfiguration"]
    assert encryption["EnableAtRestEncryption"] is True and encryption["EnableInTransitEncryption"] is True
    assert at_rest["S3EncryptionConfiguration"]["EncryptionMode"] == "SSE-KMS"
    assert "S3DataKey" in at_rest["S3EncryptionConfiguration"]["AwsKmsKey"]["Fn::GetStackOutput"]["OutputName"]
    assert at_rest["LocalDiskEncryptionConfiguration"]["EnableEbsEncryption"] is True
    assert (
        "LocalDiskKey" in at_rest["LocalDiskEncryptionConfiguration"]["AwsKmsKey"]["Fn::GetStackOutput"]["OutputName"]
    )
    assert (
        encryption["InTransitEncryptionConfiguration"]["TLSCertificateConfiguration"]["CertificateProviderType"]
        == "EMR"
    )
    assert document["InstanceMetadataServiceConfiguration"]["MinimumInstanceMetadataServiceVersion"] == 2
    for key in ("EnableAtRestEncryption", "EnableInTransitEncryption", "AtRestEncryptionConfiguration"):
        assert key not in document  # EMR's nesting, not the one cdk-nag's EMR4/EMR5 read


def test_nightly_job_flow_runs_the_sample_job_and_reads_only_its_data(dev_app: SynthesisedApp) -> None:
    template = Template.from_json(dev_app.templates[JOB_FLOW])
    template.resource_count_is("AWS::StepFunctions::StateMachine", 1)
    template.has_resource_properties("AWS::Events::Rule", {"ScheduleExpression": "cron(0 3 * * ? *)"})
    text = json.dumps(dev_app.templates[JOB_FLOW])
    assert "emr-constructs-dev-raw-111111111111-eu-west-1/orders/*" in text
    assert "emr-constructs-dev-curated-111111111111-eu-west-1/sales/*" in text
    assert "emr-constructs-dev-raw-111111111111-eu-west-1/*" not in text
    assert "AWS::EMR::Cluster" not in text  # Step Functions creates the cluster at run time


def test_the_cluster_is_monitored_with_alarms_dashboard_and_notifications(dev_app: SynthesisedApp) -> None:
    template = Template.from_json(dev_app.templates[CLUSTER])
    cluster_ref = {"Ref": next(iter(template.find_resources("AWS::EMR::Cluster")))}
    alarms = template.find_resources("AWS::CloudWatch::Alarm")
    assert len(alarms) == 8
    assert not [k for k in alarms if "Idle" in k], "dev auto-terminates after an hour idle: no idle alarm"
    with_dimensions = [a["Properties"]["Dimensions"] for a in alarms.values() if "Dimensions" in a["Properties"]]
    assert with_dimensions and all({"Name": "JobFlowId", "Value": cluster_ref} in d for d in with_dimensions)
    template.resource_count_is("AWS::CloudWatch::Dashboard", 1)
    template.has_resource_properties("AWS::CloudWatch::Dashboard", {"DashboardName": "emr-dev-analytics"})
    rules = template.find_resources("AWS::Events::Rule")
    detail_types = sorted(t for r in rules.values() for t in r["Properties"]["EventPattern"]["detail-type"])
    assert detail_types == [
        "EMR Cluster State Change",
        "EMR Instance Fleet Provisioning",
        "EMR Instance Fleet Resize",
        "EMR Instance Fleet State Change",
        "EMR Step Status Change",
    ]
    assert all(r["Properties"]["EventPattern"]["detail"]["clusterId"] == [cluster_ref] for r in rules.values())
    (topic,) = template.find_resources("AWS::SNS::Topic").values()
    assert "Fn::GetAtt" in topic["Properties"]["KmsMasterKeyId"], "a customer-managed key, not aws/sns"
    outputs = dev_app.templates[CLUSTER]["Outputs"]
    assert "AlarmTopicArn" in outputs


def test_the_job_flow_sends_no_field_step_functions_does_not_confirm(dev_app: SynthesisedApp) -> None:
    """The default app's first deploy must not depend on Step Functions accepting RunJobFlow fields its
    documentation does not confirm (MonitoringConfiguration, Instances.UnhealthyNodeReplacement)."""
    (machine,) = [
        json.dumps(r["Properties"]["DefinitionString"])
        for r in dev_app.templates[JOB_FLOW]["Resources"].values()
        if r["Type"] == "AWS::StepFunctions::StateMachine"
    ]
    assert "aws-sdk:emr:runJobFlow" in machine
    assert "MonitoringConfiguration" not in machine and "UnhealthyNodeReplacement" not in machine


def test_the_stack_managed_cluster_warns_that_auto_termination_leaves_a_dead_cluster(dev_app: SynthesisedApp) -> None:
    metadata = json.loads((Path(dev_app.assembly.directory) / f"{CLUSTER}.metadata.json").read_text())
    warnings = [
        str(entry["data"]) for entries in metadata.values() for entry in entries if entry["type"] == "aws:cdk:warning"
    ]
    assert any(
        "stack-managed-auto-termination" in w and "raise generation to 2 in the config and run make deploy" in w
        for w in warnings
    ), warnings
    (properties,) = [
        r["Properties"] for r in dev_app.templates[CLUSTER]["Resources"].values() if r["Type"] == "AWS::EMR::Cluster"
    ]
    assert properties["Name"] == "analytics", "generation 1 keeps the configured name"
    assert properties["AutoTerminationPolicy"] == {"IdleTimeout": 3600}
