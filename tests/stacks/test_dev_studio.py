"""The default app's EMR Studio: IAM mode, Workspaces in the stateful stack's bucket under their own key, attached to
the analytics cluster (its primary node admits the engine on 18888) and to the Serverless application."""

from __future__ import annotations

import json
from typing import Any

from tests.stacks.conftest import SynthesisedApp
from tests.stacks.test_dev_app import CLUSTER, SERVERLESS, STATEFUL, STUDIO


def _of(dev_app: SynthesisedApp, stack: str, kind: str) -> list[dict[str, Any]]:
    return [r for r in dev_app.templates[stack]["Resources"].values() if r["Type"] == kind]


def test_the_studio_is_in_iam_mode_in_the_private_subnets_with_stateful_storage(dev_app: SynthesisedApp) -> None:
    (studio,) = _of(dev_app, STUDIO, "AWS::EMR::Studio")
    properties = studio["Properties"]
    assert (properties["Name"], properties["AuthMode"]) == ("dev-notebooks", "IAM")
    assert all("PrivateSubnet" in s["Fn::GetStackOutput"]["OutputName"] for s in properties["SubnetIds"])
    assert properties["EncryptionKeyArn"]["Fn::GetStackOutput"]["StackName"] == STATEFUL
    assert "StudioKey" in properties["EncryptionKeyArn"]["Fn::GetStackOutput"]["OutputName"]
    buckets = [r for r in _of(dev_app, STATEFUL, "AWS::S3::Bucket") if r["DeletionPolicy"] == "Retain"]
    assert any("StudioKey" in json.dumps(b["Properties"]["BucketEncryption"]) for b in buckets)


def test_the_analytics_primary_node_admits_the_engine_on_18888(dev_app: SynthesisedApp) -> None:
    rules = [r["Properties"] for r in _of(dev_app, STUDIO, "AWS::EC2::SecurityGroupIngress")]
    to_primary = [r for r in rules if "PrimarySecurityGroup" in json.dumps(r["GroupId"])]
    assert [(r["FromPort"], r["ToPort"], r["IpProtocol"]) for r in to_primary] == [(18888, 18888, "tcp")]
    assert json.dumps(to_primary[0]["SourceSecurityGroupId"]).count("EngineSecurityGroup") == 1


def test_the_attached_resources_are_those_of_the_config(dev_app: SynthesisedApp) -> None:
    (analytics,) = _of(dev_app, CLUSTER, "AWS::EMR::Cluster")
    assert {"Name": "JupyterEnterpriseGateway"} in analytics["Properties"]["Applications"]
    (application,) = _of(dev_app, SERVERLESS, "AWS::EMRServerless::Application")
    assert application["Properties"]["InteractiveConfiguration"]["StudioEnabled"] is True
    (policy,) = [r for k, r in dev_app.templates[STUDIO]["Resources"].items() if k.startswith("StudioUserPolicy")]
    document = json.dumps(policy["Properties"]["PolicyDocument"])
    assert "emr-serverless:AccessInteractiveEndpoints" in document
    assert "elasticmapreduce:DescribeCluster" in document
    assert "Roles" not in policy["Properties"]  # nobody gets it by default


def test_the_studio_url_is_an_output(dev_app: SynthesisedApp) -> None:
    assert {"StudioUrl", "StudioId"} <= set(dev_app.templates[STUDIO]["Outputs"])
