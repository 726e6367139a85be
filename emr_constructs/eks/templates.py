"""Job templates and managed endpoints of a virtual cluster, rendered as plain data in one L1 call each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_cdk import aws_emrcontainers as emrcontainers

from emr_constructs.jobs.bootstrap import script_location
from emr_constructs.serverless.job_definition import configuration_json, spark_driver
from emr_constructs.spec.eks_templates import JUPYTER_ENTERPRISE_GATEWAY, EksJobTemplateSpec, ManagedEndpointSpec

if TYPE_CHECKING:
    from emr_constructs.eks.virtual_cluster import EmrVirtualCluster


def _id(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name)


def job_template(cluster: EmrVirtualCluster, spec: EksJobTemplateSpec) -> emrcontainers.CfnJobTemplate:
    """``AWS::EMRContainers::JobTemplate``: the virtual cluster's role, release and logs, the Spark driver and the
    declared parameters."""
    spark = spec.spark
    entry_point = script_location(cluster, f"TemplateScript-{_id(spec.name)}", spark.script, cluster.execution_role)
    overrides: dict[str, Any] = {"MonitoringConfiguration": cluster.monitoring_configuration()}
    if spec.configurations:
        overrides["ApplicationConfiguration"] = [configuration_json(c) for c in spec.configurations]
    data: dict[str, Any] = {
        "ExecutionRoleArn": cluster.execution_role.role_arn,
        "ReleaseLabel": spec.release_label or cluster.spec.release_label,
        "JobDriver": {
            "SparkSubmitJobDriver": spark_driver(entry_point, spark.args, spark.conf, spark.main_class)["SparkSubmit"]
        },
        "ConfigurationOverrides": overrides,
    }
    if spec.parameters:
        data["ParameterConfiguration"] = {
            name: {"Type": p.type, **({"DefaultValue": p.default} if p.default is not None else {})}
            for name, p in sorted(spec.parameters.items())
        }
    cfn = emrcontainers.CfnJobTemplate
    # The L1 checks its required fields; the whole data then goes over as CloudFormation's own JSON in one call.
    resource = cfn(
        cluster,
        f"JobTemplate-{_id(spec.name)}",
        name=spec.name,
        job_template_data=cfn.JobTemplateDataProperty(
            execution_role_arn=data["ExecutionRoleArn"],
            release_label=data["ReleaseLabel"],
            job_driver=cfn.JobDriverProperty(
                spark_submit_job_driver=cfn.SparkSubmitJobDriverProperty(entry_point=entry_point)
            ),
        ),
    )
    resource.add_property_override("JobTemplateData", data)
    return resource


def managed_endpoint(cluster: EmrVirtualCluster, spec: ManagedEndpointSpec) -> emrcontainers.CfnEndpoint:
    """``AWS::EMRContainers::Endpoint`` (Jupyter Enterprise Gateway) with the virtual cluster's role, release and
    logs."""
    resource = emrcontainers.CfnEndpoint(
        cluster,
        "ManagedEndpoint",
        name=spec.name,
        type=JUPYTER_ENTERPRISE_GATEWAY,
        virtual_cluster_id=cluster.virtual_cluster_id,
        release_label=cluster.spec.release_label,
        execution_role_arn=cluster.execution_role.role_arn,
        session_idle_timeout_in_minutes=spec.idle_timeout_minutes,
    )
    resource.add_property_override(
        "ConfigurationOverrides", {"MonitoringConfiguration": cluster.monitoring_configuration()}
    )
    return resource
