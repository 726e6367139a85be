"""The hand-over from rendered CloudFormation properties to CfnCluster loses and renames nothing."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_emr as emr
from aws_cdk.assertions import Template

from emr_constructs.cluster.cfn_props import cfn_cluster_kwargs
from emr_constructs.render import ClusterWiring, render_cluster_properties
from emr_constructs.spec import ClusterSpec
from tests.constructs.test_cluster import FLEETS, GROUPS, MULTI_PRIMARY

WIRING = ClusterWiring(
    service_role="arn:aws:iam::111111111111:role/service",
    job_flow_role="instance-profile",
    auto_scaling_role="arn:aws:iam::111111111111:role/autoscaling",
    subnet_ids=["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    primary_security_group="sg-0123456789abcdef0",
    core_security_group="sg-0123456789abcdef1",
    service_access_security_group="sg-0123456789abcdef2",
    log_uri="s3://logs/emr/",
    log_encryption_kms_key_id="arn:aws:kms:eu-west-1:111111111111:key/abc",
    security_configuration="security-configuration",
)


@pytest.mark.parametrize("payload", [FLEETS, GROUPS, MULTI_PRIMARY], ids=["fleets", "groups", "multi-primary"])
def test_cfn_cluster_template_equals_the_rendered_properties(payload: dict[str, Any]) -> None:
    rendered = render_cluster_properties(ClusterSpec.model_validate(payload), WIRING)
    stack = cdk.Stack(cdk.App(), "S")
    emr.CfnCluster(stack, "Resource", **cfn_cluster_kwargs(rendered))
    (resource,) = Template.from_stack(stack).find_resources("AWS::EMR::Cluster").values()
    assert resource["Properties"] == rendered


def test_configuration_property_names_pass_through_untouched() -> None:
    kwargs = cfn_cluster_kwargs(
        {"Configurations": [{"Classification": "x", "ConfigurationProperties": {"Name": "a", "Instances": "b"}}]}
    )
    assert kwargs["configurations"] == [
        emr.CfnCluster.ConfigurationProperty(
            classification="x", configuration_properties={"Name": "a", "Instances": "b"}
        )
    ]


def test_nested_objects_become_the_public_property_classes() -> None:
    kwargs = cfn_cluster_kwargs(
        {
            "OSReleaseLabel": "2.0.20240131.0",
            "Instances": {"Ec2SubnetIds": ["subnet-1"], "TerminationProtected": False},
            "Tags": [{"Key": "team", "Value": "data"}],
            "AdditionalInfo": {"instanceAwsClientConfiguration": {"proxyPort": 8080}},
        }
    )
    assert kwargs == {
        "os_release_label": "2.0.20240131.0",
        "instances": emr.CfnCluster.JobFlowInstancesConfigProperty(
            ec2_subnet_ids=["subnet-1"], termination_protected=False
        ),
        "tags": [cdk.CfnTag(key="team", value="data")],
        "additional_info": {"instanceAwsClientConfiguration": {"proxyPort": 8080}},
    }


def test_typed_attributes_reflect_the_rendered_properties() -> None:
    rendered = render_cluster_properties(ClusterSpec.model_validate(FLEETS), WIRING)
    cluster = emr.CfnCluster(cdk.Stack(cdk.App(), "S"), "Resource", **cfn_cluster_kwargs(rendered))
    assert cluster.release_label == rendered["ReleaseLabel"]
    instances = cluster.instances
    assert isinstance(instances, emr.CfnCluster.JobFlowInstancesConfigProperty)
    assert instances.ec2_subnet_ids == rendered["Instances"]["Ec2SubnetIds"]


def test_fails_on_a_property_cfn_cluster_does_not_have() -> None:
    with pytest.raises(KeyError, match="CfnCluster has no property 'NotAProperty'"):
        cfn_cluster_kwargs({"Instances": {"NotAProperty": 1}})
    with pytest.raises(KeyError, match="CfnCluster has no property 'Instance'"):
        cfn_cluster_kwargs({"Instance": {}})
