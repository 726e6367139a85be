"""``EmrVirtualCluster`` and ``EmrContainersJob``: the security configuration, the execution role's documented
trust (IRSA and EKS Pod Identity), the job logs, the ``startJobRun.sync`` request (against botocore's
``emr-containers`` model), least-privilege IAM, the policy packs and cfn-lint; and the library API (a CDK EKS
cluster, imported virtual clusters, grants, events, bring-your-own role)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import botocore.session
import pytest
from aws_cdk import aws_eks as eks
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from botocore.validate import ParamValidator

from emr_constructs.eks import EmrContainersJob, EmrVirtualCluster
from emr_constructs.eks.cluster_access import ROLE_RULES, SERVICE_LINKED_ROLE, USER
from emr_constructs.eks.job_definition import NOTIFY_FAILURE, RUN_JOB
from emr_constructs.spec import EksJobSpec, VirtualClusterSpec
from emr_constructs.spec.eks import base36_role_name
from tests.constructs.test_cluster import ENV
from tests.constructs.test_serverless_job import _as_api, _definition, _logical_id, _statements
from tests.nag import nag_app, synth_findings
from tests.spec.test_eks import VALID
from tests.templates import cfn_lint

SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:emr-tls-AbCdEf"
QUERY_ROLE = "arn:aws:iam::111111111111:role/lf-query-engine"
PROVIDER = VALID["oidc_issuer"].removeprefix("https://")


def _spec(**changes: Any) -> VirtualClusterSpec:
    return VirtualClusterSpec.model_validate({**VALID, **changes})


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    """One app with every policy pack: an IRSA virtual cluster (defaults) with a scheduled job, and a Pod Identity
    one with TLS, Lake Formation and SSE-S3."""
    app = nag_app()
    stack = cdk.Stack(app, "Eks", env=ENV)
    irsa = EmrVirtualCluster(stack, "Irsa", spec=_spec(), execution_role_name="analytics-jobs")
    job = EmrContainersJob(
        stack,
        "Job",
        virtual_cluster=irsa,
        spec=EksJobSpec.model_validate(
            {
                "name": "nightly",
                "virtual_cluster": "analytics",
                "schedule": "cron(0 3 * * ? *)",
                "timeout_minutes": 90,
                "max_attempts": 2,
                "spark": {
                    "script": "jobs/sample_job.py",
                    "args": ["--day", "today"],
                    "conf": {"spark.executor.cores": 4},
                },
                "configurations": [
                    {"classification": "spark-defaults", "properties": {"spark.dynamicAllocation.enabled": "true"}}
                ],
            }
        ),
    )
    pods = EmrVirtualCluster(
        stack,
        "Pods",
        spec=_spec(
            name="adhoc",
            namespace="emr-adhoc",
            identity="pod_identity",
            oidc_issuer=None,
            security={
                "s3_encryption": "SSE-S3",
                "in_transit": {"private_key_secret_arn": SECRET, "public_key_secret_arn": SECRET},
                "lake_formation": {"system_namespace": "emr-adhoc-system", "query_engine_role_arn": QUERY_ROLE},
            },
        ),
    )
    findings = synth_findings(app)
    template = app.synth().get_stack_by_name("Eks").template
    return {"findings": findings, "template": template, "irsa": irsa, "job": job, "pods": pods}


def _resource(built: dict[str, Any], construct: Any) -> dict[str, Any]:
    return built["template"]["Resources"][_logical_id(construct)]


def _policy(built: dict[str, Any], policy: iam.ManagedPolicy) -> dict[str, dict[str, Any]]:
    document = _resource(built, policy)["Properties"]["PolicyDocument"]
    return {s["Sid"]: s for s in document["Statement"]}


def _security_data(built: dict[str, Any], cluster: EmrVirtualCluster) -> dict[str, Any]:
    data: dict[str, Any] = _resource(built, cluster.security_configuration)["Properties"]["SecurityConfigurationData"]
    return data


def test_every_policy_pack_and_cfn_lint_pass(built: dict[str, Any]) -> None:
    assert built["findings"] == []
    assert cfn_lint(built["template"]) == []


def test_the_virtual_cluster_uses_its_security_configuration(built: dict[str, Any]) -> None:
    properties = _resource(built, built["irsa"].cfn_virtual_cluster)["Properties"]
    assert properties["ContainerProvider"] == {
        "Id": "platform",
        "Type": "EKS",
        "Info": {"EksInfo": {"Namespace": "emr-jobs"}},
    }
    assert properties["SecurityConfigurationId"] == {
        "Fn::GetAtt": [_logical_id(built["irsa"].security_configuration), "Id"]
    }
    assert _resource(built, built["irsa"].security_configuration)["Properties"]["Name"] == "analytics-security"


def test_default_security_encrypts_local_disks_and_s3_with_one_new_key(built: dict[str, Any]) -> None:
    key = {"Fn::GetAtt": [_logical_id(built["irsa"].local_disk_key), "Arn"]}
    assert _security_data(built, built["irsa"]) == {
        "EncryptionConfiguration": {
            "AtRestEncryptionConfiguration": {
                "LocalDiskEncryptionConfiguration": {"EncryptionKeyProviderType": "AwsKms", "AwsKmsKeyId": key},
                "S3EncryptionConfiguration": {"EncryptionOption": "SSE-KMS", "KMSKeyId": key},
            }
        }
    }
    created = _resource(built, built["irsa"].local_disk_key)
    assert created["DeletionPolicy"] == "Retain" and created["Properties"]["EnableKeyRotation"] is True


def test_tls_lake_formation_and_sse_s3_render(built: dict[str, Any]) -> None:
    data = _security_data(built, built["pods"])
    assert data["EncryptionConfiguration"]["AtRestEncryptionConfiguration"]["S3EncryptionConfiguration"] == {
        "EncryptionOption": "SSE-S3"
    }
    assert data["EncryptionConfiguration"]["InTransitEncryptionConfiguration"] == {
        "TLSCertificateConfiguration": {
            "CertificateProviderType": "PEM",
            "PrivateKeySecretArn": SECRET,
            "PublicKeySecretArn": SECRET,
        }
    }
    assert data["AuthorizationConfiguration"] == {
        "LakeFormationConfiguration": {
            "AuthorizedSessionTagValue": "EMR on EKS Engine",
            "SecureNamespaceInfo": {"ClusterId": "platform", "Namespace": "emr-adhoc-system"},
            "QueryEngineRoleArn": QUERY_ROLE,
        }
    }
    access = _policy(built, built["pods"].job_access)
    assert access["ReadTlsCertificates"]["Action"] == "secretsmanager:GetSecretValue"


def test_the_irsa_trust_is_the_documented_condition(built: dict[str, Any]) -> None:
    """iam-execution-role: StringLike "<provider>:sub" on the namespace's EMR service accounts of this role, the
    role name in base 36 (aws-cli's encoding, tested against its own value in tests/spec/test_eks.py)."""
    role = _resource(built, built["irsa"].execution_role)["Properties"]
    assert role["RoleName"] == "analytics-jobs"
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {
        "StringLike": {
            f"{PROVIDER}:sub": "system:serviceaccount:emr-jobs:emr-containers-sa-*-*-111111111111-"
            + base36_role_name("analytics-jobs")
        }
    }
    assert statement["Principal"]["Federated"]["Fn::Join"][1][-1] == f":iam::111111111111:oidc-provider/{PROVIDER}"


def test_the_pod_identity_trust_and_associations(built: dict[str, Any]) -> None:
    pods = built["pods"]
    role = _resource(built, pods.execution_role)["Properties"]
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert sorted(statement["Action"]) == ["sts:AssumeRole", "sts:TagSession"]
    suffix = f"111111111111-{base36_role_name(role['RoleName'])}"
    accounts = [f"emr-containers-sa-spark-{part}-{suffix}" for part in ("client", "driver", "executor")]
    assert statement["Condition"] == {
        "StringEquals": {
            "aws:RequestTag/eks-cluster-name": "platform",
            "aws:RequestTag/kubernetes-namespace": "emr-adhoc",
            "aws:RequestTag/kubernetes-service-account": accounts,
        }
    }
    associations = [_resource(built, a)["Properties"] for a in pods.pod_identity_associations]
    assert [a["ServiceAccount"] for a in associations] == accounts
    assert {(a["ClusterName"], a["Namespace"]) for a in associations} == {("platform", "emr-adhoc")}
    assert role["RoleName"] == "Eks-adhoc"  # <stack name>-<virtual cluster> when no name is given


def test_jobs_write_their_logs_and_use_the_keys_only(built: dict[str, Any]) -> None:
    irsa = built["irsa"]
    access = _policy(built, irsa.job_access)
    assert set(access) == {"WriteS3Logs", "WriteLogGroup", "FindLogGroup", "UseKeys"}
    assert access["WriteS3Logs"]["Resource"]["Fn::Join"][1][-1] == "/emr-containers/analytics/*"
    assert access["WriteLogGroup"]["Resource"] == {"Fn::GetAtt": [_logical_id(irsa.log_group), "Arn"]}
    assert sorted(access["UseKeys"]["Action"]) == [
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:Encrypt",
        "kms:GenerateDataKey",
    ]
    group = _resource(built, irsa.log_group)
    assert group["DeletionPolicy"] == "Retain" and "KmsKeyId" in group["Properties"]


def test_the_request_validates_against_botocore(built: dict[str, Any]) -> None:
    parameters = _definition(built, "job")["States"][RUN_JOB]["Parameters"]
    model = botocore.session.get_session().get_service_model("emr-containers").operation_model("StartJobRun")
    assert model.input_shape is not None
    request = _as_api(parameters, model.input_shape)
    assert set(model.input_shape.required_members) <= set(request)
    report = ParamValidator().validate(request, model.input_shape)
    assert not report.has_errors(), report.generate_report()


def test_the_request_renders_the_spec(built: dict[str, Any]) -> None:
    definition = _definition(built, "job")
    run = definition["States"][RUN_JOB]
    parameters = run["Parameters"]
    irsa = built["irsa"]
    assert run["Resource"].endswith(":states:::emr-containers:startJobRun.sync")
    assert parameters["VirtualClusterId"] == f"<{_logical_id(irsa.cfn_virtual_cluster)}.Id>"
    assert parameters["ExecutionRoleArn"] == f"<{_logical_id(irsa.execution_role)}.Arn>"
    assert (parameters["Name"], parameters["ReleaseLabel"]) == ("nightly", VALID["release_label"])
    assert parameters["ClientToken.$"] == "States.UUID()"
    assert parameters["RetryPolicyConfiguration"] == {"MaxAttempts": 2}
    driver = parameters["JobDriver"]["SparkSubmitJobDriver"]
    assert driver["EntryPointArguments"] == ["--day", "today"]
    assert driver["SparkSubmitParameters"] == "--conf spark.executor.cores=4"
    monitoring = parameters["ConfigurationOverrides"]["MonitoringConfiguration"]
    assert monitoring["CloudWatchMonitoringConfiguration"] == {
        "LogGroupName": f"<{_logical_id(irsa.log_group)}>",
        "LogStreamNamePrefix": "analytics",
    }
    assert monitoring["S3MonitoringConfiguration"]["LogUri"].endswith("/emr-containers/analytics/")
    # No timeout in StartJobRun: the task bounds the wait, each attempt 90 minutes.
    assert run["TimeoutSeconds"] == 2 * 90 * 60
    assert definition["TimeoutSeconds"] > run["TimeoutSeconds"]
    assert run["Catch"][0]["Next"] == NOTIFY_FAILURE


def test_the_state_machine_may_start_runs_as_the_execution_role_only(built: dict[str, Any]) -> None:
    statements = _statements(built, "job")
    start = statements["StartJobRunAsExecutionRole"]
    assert start["Action"] == "emr-containers:StartJobRun"
    role_arn = {"Fn::GetAtt": [_logical_id(built["irsa"].execution_role), "Arn"]}
    assert start["Condition"] == {"StringEquals": {"emr-containers:ExecutionRoleArn": role_arn}}
    follow = statements["FollowAndCancelJobRuns"]
    assert sorted(follow["Action"]) == ["emr-containers:CancelJobRun", "emr-containers:DescribeJobRun"]
    assert follow["Resource"]["Fn::Join"][1][-1] == "/jobruns/*"
    assert built["job"].schedule_rule is not None


# -- the library API ---------------------------------------------------------------------------------------------


def _cdk_cluster(stack: cdk.Stack, mode: eks.AuthenticationMode, tmp: Path) -> eks.Cluster:
    (tmp / "kubectl").mkdir(exist_ok=True)
    return eks.Cluster(
        stack,
        "Eks",
        version=eks.KubernetesVersion.V1_31,
        kubectl_layer=lambda_.LayerVersion(stack, "Kubectl", code=lambda_.Code.from_asset(str(tmp / "kubectl"))),
        authentication_mode=mode,
        default_capacity=0,
    )


def _manifests(template: dict[str, Any]) -> list[Any]:
    return [
        r["Properties"]["Manifest"]
        for r in template["Resources"].values()
        if r["Type"] == "Custom::AWSCDK-EKS-KubernetesResource"
    ]


def test_a_cdk_cluster_with_access_entries_gets_the_namespace_only(tmp_path: Path) -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S", env=ENV)
    cluster = _cdk_cluster(stack, eks.AuthenticationMode.API_AND_CONFIG_MAP, tmp_path)
    vc = EmrVirtualCluster(stack, "VC", spec=_spec(), eks_cluster=cluster)
    template = app.synth().get_stack_by_name("S").template
    manifests = _manifests(template)
    assert len(manifests) == 1 and "emr-jobs" in str(manifests[0]) and "Namespace" in str(manifests[0])
    properties = template["Resources"][_logical_id(vc.cfn_virtual_cluster)]
    assert "Ref" in properties["Properties"]["ContainerProvider"]["Id"]  # the CDK cluster's name
    assert properties["DependsOn"]  # the namespace exists before the virtual cluster


def test_a_cdk_cluster_on_aws_auth_gets_the_documented_rbac(tmp_path: Path) -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S", env=ENV)
    cluster = _cdk_cluster(stack, eks.AuthenticationMode.CONFIG_MAP, tmp_path)
    EmrVirtualCluster(stack, "VC", spec=_spec(cluster_access="aws_auth"), eks_cluster=cluster)
    text = str(_manifests(app.synth().get_stack_by_name("S").template))
    assert '"kind":"Role"' in text and '"kind":"RoleBinding"' in text and f'"name":"{USER}"' in text
    assert '"resources":["roles","rolebindings"]' in text and len(ROLE_RULES) == 7
    assert "mapRoles" in text and f"role/{SERVICE_LINKED_ROLE}" in text.replace("\\", "")  # the aws-auth mapping


def test_fails_an_authentication_mode_that_disagrees(tmp_path: Path) -> None:
    stack = cdk.Stack(cdk.App(), "S", env=ENV)
    cluster = _cdk_cluster(stack, eks.AuthenticationMode.CONFIG_MAP, tmp_path)
    with pytest.raises(ValueError, match="does not fit the EKS cluster's authentication mode"):
        EmrVirtualCluster(stack, "VC", spec=_spec(), eks_cluster=cluster)


def test_fails_a_token_role_name() -> None:
    stack = cdk.Stack(cdk.App(), "S")  # no env: the default name holds the stack name only, fine
    with pytest.raises(ValueError, match="must be known at synth"):
        EmrVirtualCluster(stack, "VC", spec=_spec(), execution_role_name=cdk.Aws.STACK_NAME)


def test_bring_your_own_role_keeps_its_trust_and_gets_the_job_access() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S", env=ENV)
    role = iam.Role.from_role_arn(stack, "Mine", "arn:aws:iam::111111111111:role/my-emr-jobs", mutable=False)
    vc = EmrVirtualCluster(stack, "VC", spec=_spec(), execution_role=role)
    template = app.synth().get_stack_by_name("S").template
    assert not [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    assert vc.role_name == "my-emr-jobs"
    policy = template["Resources"][_logical_id(vc.job_access)]["Properties"]
    assert policy["Roles"] == ["my-emr-jobs"]


def test_an_imported_virtual_cluster_grants_and_events() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S", env=ENV)
    role = iam.Role.from_role_arn(stack, "Exec", "arn:aws:iam::111111111111:role/exec")
    imported = EmrVirtualCluster.from_virtual_cluster_attributes(
        stack, "VC", virtual_cluster_id="abc123", execution_role=role
    )
    submitter = iam.Role(stack, "Submitter", assumed_by=iam.AccountRootPrincipal())
    imported.grant_start_job_run(submitter)
    imported.on_job_run_state_change("Runs", states=["FAILED"])
    template = app.synth().get_stack_by_name("S").template
    (policy,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Policy"]
    start, listing, follow = policy["Properties"]["PolicyDocument"]["Statement"]
    # ListJobRuns authorizes on the virtual cluster (Service Authorization Reference), not on its job runs.
    assert sorted(listing["Action"]) == ["emr-containers:DescribeVirtualCluster", "emr-containers:ListJobRuns"]
    assert listing["Resource"] == start["Resource"]
    assert start["Condition"] == {
        "StringEquals": {"emr-containers:ExecutionRoleArn": "arn:aws:iam::111111111111:role/exec"}
    }
    assert start["Resource"]["Fn::Join"][1][-1] == ":emr-containers:eu-west-1:111111111111:/virtualclusters/abc123"
    assert follow["Resource"]["Fn::Join"][1][-1].endswith("/virtualclusters/abc123/jobruns/*")
    (rule,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Events::Rule"]
    assert rule["Properties"]["EventPattern"] == {
        "source": ["aws.emr-containers"],
        "detail-type": ["EMR Job Run State Change"],
        "detail": {"virtualClusterId": ["abc123"], "state": ["FAILED"]},
    }


def test_pod_identity_on_a_cdk_cluster_uses_its_name_and_waits_for_it(tmp_path: Path) -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S", env=ENV)
    cluster = _cdk_cluster(stack, eks.AuthenticationMode.API_AND_CONFIG_MAP, tmp_path)
    spec = _spec(identity="pod_identity", oidc_issuer=None)
    vc = EmrVirtualCluster(stack, "VC", spec=spec, eks_cluster=cluster)
    template = app.synth().get_stack_by_name("S").template
    name = template["Resources"][_logical_id(vc.cfn_virtual_cluster)]["Properties"]["ContainerProvider"]["Id"]
    for association in vc.pod_identity_associations:
        body = template["Resources"][_logical_id(association)]
        assert body["Properties"]["ClusterName"] == name and body["DependsOn"]
    role = template["Resources"][_logical_id(vc.execution_role)]["Properties"]
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Condition"]["StringEquals"]["aws:RequestTag/eks-cluster-name"] == name


def test_fails_pod_identity_with_a_role_whose_name_is_a_token() -> None:
    stack = cdk.Stack(cdk.App(), "S", env=ENV)
    role = iam.Role(stack, "Mine", assumed_by=iam.ServicePrincipal("pods.eks.amazonaws.com"))
    with pytest.raises(ValueError, match="pass execution_role_name"):
        EmrVirtualCluster(stack, "VC", spec=_spec(identity="pod_identity", oidc_issuer=None), execution_role=role)


def test_fails_a_job_the_virtual_cluster_cannot_run() -> None:
    stack = cdk.Stack(cdk.App(), "S", env=ENV)
    vc = EmrVirtualCluster(stack, "VC", spec=_spec(release_label="emr-6.8.0-latest"))
    job = EksJobSpec.model_validate(
        {"name": "x", "virtual_cluster": "analytics", "max_attempts": 3, "spark": {"script": "s3://bucket-a/j.py"}}
    )
    with pytest.raises(ValueError, match=r"emr-6\.9\.0"):
        EmrContainersJob(stack, "Job", virtual_cluster=vc, spec=job)


def test_job_templates_and_the_managed_endpoint_render() -> None:
    """In us-east-1, where CloudFormation offers AWS::EMRContainers::JobTemplate; every pack and cfn-lint pass."""
    app = nag_app()
    stack = cdk.Stack(app, "S", env=cdk.Environment(account="111111111111", region="us-east-1"))
    spec = _spec(
        oidc_issuer=VALID["oidc_issuer"].replace("eu-west-1", "us-east-1"),
        job_templates=[
            {
                "name": "adhoc",
                "spark": {
                    "script": "jobs/sample_job.py",
                    "args": ["--day", "${Day}"],
                    "conf": {"spark.executor.instances": "${N}"},
                },
                "parameters": {"Day": {"default": "today"}, "N": {"type": "NUMBER"}},
            }
        ],
        managed_endpoint={"name": "notebooks", "idle_timeout_minutes": 60},
    )
    vc = EmrVirtualCluster(stack, "VC", spec=spec)
    assert synth_findings(app) == []
    template = app.synth().get_stack_by_name("S").template
    assert cfn_lint(template, region="us-east-1") == []
    (job_template,) = vc.job_templates
    data = template["Resources"][_logical_id(job_template)]["Properties"]["JobTemplateData"]
    assert data["ExecutionRoleArn"] == {"Fn::GetAtt": [_logical_id(vc.execution_role), "Arn"]}
    assert data["ReleaseLabel"] == VALID["release_label"]
    assert data["ParameterConfiguration"] == {
        "Day": {"Type": "STRING", "DefaultValue": "today"},
        "N": {"Type": "NUMBER"},
    }
    driver = data["JobDriver"]["SparkSubmitJobDriver"]
    assert driver["EntryPointArguments"] == ["--day", "${Day}"]
    assert driver["SparkSubmitParameters"] == "--conf spark.executor.instances=${N}"
    assert data["ConfigurationOverrides"]["MonitoringConfiguration"]["S3MonitoringConfiguration"]
    assert vc.managed_endpoint is not None
    endpoint = template["Resources"][_logical_id(vc.managed_endpoint)]["Properties"]
    assert (endpoint["Type"], endpoint["Name"], endpoint["SessionIdleTimeoutInMinutes"]) == (
        "JUPYTER_ENTERPRISE_GATEWAY",
        "notebooks",
        60,
    )
    assert endpoint["VirtualClusterId"] == {"Fn::GetAtt": [_logical_id(vc.cfn_virtual_cluster), "Id"]}
    assert endpoint["ExecutionRoleArn"] == data["ExecutionRoleArn"]
