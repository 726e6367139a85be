"""EMR on EKS in the spec: the virtual cluster's identity, security configuration and release rules, its jobs,
and the config checks across virtual clusters, jobs and the rest of the app."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from emr_constructs.spec import AppConfig, EksJobSpec, VirtualClusterSpec
from emr_constructs.spec.eks_checks import execution_role_name
from emr_constructs.spec.eks_jobs import MAX_CONFIGURATIONS, job_on_virtual_cluster_problems
from tests.spec.test_eks import VALID

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "examples" / "emr-on-eks.yaml"
ISSUER = VALID["oidc_issuer"]
ROLE = "arn:aws:iam::111111111111:role/lf-query-engine"
SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:emr-tls-AbCdEf"
LAKE_FORMATION = {"system_namespace": "emr-jobs-system", "query_engine_role_arn": ROLE}


def _cluster(**changes: Any) -> dict[str, Any]:
    payload = copy.deepcopy(VALID)
    payload.update(copy.deepcopy(changes))
    return payload


def _rejects(payload: dict[str, Any], pattern: str) -> str:
    with pytest.raises(ValidationError) as info:
        VirtualClusterSpec.model_validate(payload)
    assert re.search(pattern, str(info.value)), str(info.value)
    return str(info.value)


def _example() -> dict[str, Any]:
    raw = yaml.safe_load(EXAMPLE.read_text())
    assert isinstance(raw, dict)
    return raw


def _config_rejects(payload: dict[str, Any], pattern: str) -> str:
    with pytest.raises(ValidationError) as info:
        AppConfig.model_validate(payload)
    assert re.search(pattern, str(info.value)), str(info.value)
    return str(info.value)


# -- the virtual cluster ---------------------------------------------------------------------------------------


def test_defaults_are_irsa_access_entries_and_encryption() -> None:
    spec = VirtualClusterSpec.model_validate(VALID)
    assert (spec.identity, spec.cluster_access) == ("irsa", "access_entries")
    assert spec.oidc_provider == "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
    assert (spec.security.local_disk_encryption, spec.security.s3_encryption) == (True, "SSE-KMS")
    assert spec.security.in_transit is None and spec.security.lake_formation is None


def test_fails_irsa_without_the_oidc_issuer() -> None:
    _rejects(_cluster(oidc_issuer=None), r"oidc_issuer: IAM roles for service accounts trust")


def test_fails_pod_identity_with_an_oidc_issuer() -> None:
    _rejects(_cluster(identity="pod_identity"), r"oidc_issuer: EKS Pod Identity uses no OIDC provider")


def test_fails_pod_identity_before_7_3() -> None:
    _rejects(
        _cluster(identity="pod_identity", oidc_issuer=None, release_label="emr-7.2.0-latest"),
        r"identity: EKS Pod Identity needs emr-7.3.0",
    )


def test_pod_identity_from_7_3() -> None:
    spec = VirtualClusterSpec.model_validate(
        _cluster(identity="pod_identity", oidc_issuer=None, release_label="emr-7.3.0-20240920")
    )
    assert spec.release_version == (7, 3, 0)


@pytest.mark.parametrize(
    "issuer",
    [
        "http://oidc.eks.eu-west-1.amazonaws.com/id/ABC",
        "https://oidc.eks.eu-west-1.amazonaws.com/ABC",
        "https://example.com/id/ABC",
        "oidc.eks.eu-west-1.amazonaws.com/id/ABC",
    ],
)
def test_fails_an_issuer_that_is_no_eks_issuer(issuer: str) -> None:
    _rejects(_cluster(oidc_issuer=issuer), "oidc_issuer")


@pytest.mark.parametrize("name", ["has space", "x" * 65, "slash/name"])
def test_fails_a_role_name_iam_rejects(name: str) -> None:
    _rejects(_cluster(execution_role_name=name), "execution_role_name")


def test_fails_lake_formation_before_7_7_and_in_the_jobs_namespace() -> None:
    text = _rejects(
        _cluster(
            release_label="emr-7.6.0-latest",
            security={"lake_formation": {**LAKE_FORMATION, "system_namespace": "emr-jobs"}},
        ),
        r"needs emr-7.7.0",
    )
    assert "system driver runs in a namespace of its own" in text  # both problems in one run


def test_lake_formation_and_tls_from_7_7() -> None:
    spec = VirtualClusterSpec.model_validate(
        _cluster(
            security={
                "lake_formation": LAKE_FORMATION,
                "in_transit": {"private_key_secret_arn": SECRET, "public_key_secret_arn": SECRET},
                "s3_encryption": "CSE-KMS",
            }
        )
    )
    assert spec.security.lake_formation is not None
    assert spec.security.lake_formation.authorized_session_tag_value == "EMR on EKS Engine"


@pytest.mark.parametrize(
    ("security", "field"),
    [
        ({"s3_encryption": "SSE-C"}, "s3_encryption"),
        ({"in_transit": {"private_key_secret_arn": "arn:aws:s3:::b", "public_key_secret_arn": SECRET}}, "private_key"),
        ({"lake_formation": {**LAKE_FORMATION, "query_engine_role_arn": "role/x"}}, "query_engine_role_arn"),
        ({"lake_formation": {**LAKE_FORMATION, "system_namespace": "Upper"}}, "system_namespace"),
        ({"lake_formation": {**LAKE_FORMATION, "authorized_session_tag_value": "a*b"}}, "authorized_session_tag"),
    ],
)
def test_fails_a_security_value(security: dict[str, Any], field: str) -> None:
    _rejects(_cluster(security=security), field)


# -- jobs ------------------------------------------------------------------------------------------------------

JOB: dict[str, Any] = {
    "name": "nightly",
    "virtual_cluster": "analytics",
    "spark": {"script": "s3://bucket-a/jobs/job.py"},
}


def test_a_job_with_its_defaults() -> None:
    job = EksJobSpec.model_validate(JOB)
    assert (job.timeout_minutes, job.max_attempts, job.schedule, job.release_label) == (720, 1, None, None)
    assert job.release_on(VirtualClusterSpec.model_validate(VALID)) == VALID["release_label"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("timeout_minutes", 0), ("timeout_minutes", 7 * 24 * 60 + 1), ("max_attempts", 0), ("max_attempts", 11)],
)
def test_fails_out_of_range(field: str, value: int) -> None:
    with pytest.raises(ValidationError, match=field):
        EksJobSpec.model_validate({**JOB, field: value})


def test_fails_more_configurations_than_start_job_run_takes() -> None:
    assert MAX_CONFIGURATIONS == 100  # botocore's emr-containers ConfigurationList
    configurations = [{"classification": "spark-defaults"}] * (MAX_CONFIGURATIONS + 1)
    with pytest.raises(ValidationError, match="configurations"):
        EksJobSpec.model_validate({**JOB, "configurations": configurations})


def test_fails_a_bad_schedule() -> None:
    with pytest.raises(ValidationError, match="schedule"):
        EksJobSpec.model_validate({**JOB, "schedule": "every day"})


def test_fails_retries_before_6_9_and_pod_identity_jobs_before_7_3() -> None:
    cluster = VirtualClusterSpec.model_validate(
        _cluster(identity="pod_identity", oidc_issuer=None, release_label="emr-7.3.0-latest")
    )
    job = EksJobSpec.model_validate({**JOB, "release_label": "emr-6.8.0-latest", "max_attempts": 2})
    problems = {p.path: p.message for p in job_on_virtual_cluster_problems(job, cluster)}
    assert "emr-6.9.0" in problems["max_attempts"]
    assert "emr-7.3.0" in problems["release_label"]
    assert job_on_virtual_cluster_problems(EksJobSpec.model_validate(JOB), cluster) == []


# -- the config ------------------------------------------------------------------------------------------------


def test_the_example_config_loads() -> None:
    config = AppConfig.model_validate(_example())
    assert [c.name for c in config.virtual_clusters] == ["spark-batch", "spark-adhoc"]
    assert [execution_role_name(config, c) for c in config.virtual_clusters] == [
        "emr-ex-eks-spark-batch-jobs",
        "emr-ex-eks-adhoc-jobs",
    ]
    assert not config.clusters and not config.serverless_applications  # virtual clusters alone deploy something


def test_fails_config_problems_all_in_one_run() -> None:
    raw = _example()
    raw["virtual_clusters"].append(copy.deepcopy(raw["virtual_clusters"][0]))  # same name: same stack
    raw["virtual_clusters"][0]["oidc_issuer"] = ISSUER.replace("eu-west-1", "us-east-1")
    raw["virtual_clusters"][1]["name"] = "stateful"
    raw["eks_jobs"].append({**raw["eks_jobs"][0], "virtual_cluster": "nowhere"})
    text = _config_rejects(raw, r"virtual_clusters\[0\]\.oidc_issuer")
    assert "virtual_clusters[2].name" in text and "another virtual cluster" in text
    assert "virtual_clusters[1].name" in text and "the app's own stack" in text
    assert "eks_jobs[2].name" in text and "eks_jobs[2].virtual_cluster" in text


def test_fails_a_default_role_name_longer_than_iam_takes() -> None:
    raw = _example()
    raw["virtual_clusters"][0]["name"] = "n" * 60
    raw["data_buckets"][0]["access"] = []
    raw["eks_jobs"] = []
    _config_rejects(raw, r"virtual_clusters\[0\]\.execution_role_name.*at most 64")


def test_fails_a_job_the_virtual_cluster_cannot_run() -> None:
    raw = _example()
    raw["eks_jobs"][1]["release_label"] = "emr-7.2.0-latest"  # on the Pod Identity virtual cluster
    _config_rejects(raw, r"eks_jobs\[1\]\.release_label.*EKS Pod Identity")


def test_fails_data_access_for_an_unknown_name() -> None:
    raw = _example()
    raw["data_buckets"][0]["access"].append({"cluster": "spark-nowhere", "prefix": "x/", "access": "read"})
    _config_rejects(raw, r"no cluster, serverless application or virtual cluster has this name")


def test_fails_a_virtual_cluster_named_like_a_serverless_application() -> None:
    raw = _example()
    raw["serverless_applications"] = [
        {
            "name": "spark-batch",
            "release_label": "emr-7.12.0",
            "type": "Spark",
            "maximum_capacity": {"cpu_vcpu": 4, "memory_gb": 16},
        }
    ]
    _config_rejects(raw, r"virtual_clusters\[0\]\.name.*a serverless application")


# -- job templates and managed endpoints -----------------------------------------------------------------------

TEMPLATE: dict[str, Any] = {
    "name": "adhoc",
    "spark": {
        "script": "s3://bucket-a/jobs/job.py",
        "args": ["--day", "${Day}"],
        "conf": {"spark.executor.instances": "${N}"},
    },
    "parameters": {"Day": {"default": "today"}, "N": {"type": "NUMBER", "default": "2"}},
}


def test_a_job_template_with_parameters() -> None:
    spec = VirtualClusterSpec.model_validate(_cluster(job_templates=[TEMPLATE], managed_endpoint={"name": "notebooks"}))
    (template,) = spec.job_templates
    assert template.parameters["N"].type == "NUMBER" and template.parameters["Day"].type == "STRING"
    assert spec.managed_endpoint is not None and spec.managed_endpoint.idle_timeout_minutes is None


def test_fails_undeclared_and_unused_parameters_in_one_run() -> None:
    template = {**TEMPLATE, "parameters": {"Day": {}, "Unused": {}}}
    text = _rejects(_cluster(job_templates=[template]), r"references a parameter the template does not declare")
    assert "'${N}'" in text and "parameters.Unused" in text


def test_fails_more_than_100_parameters() -> None:
    many = {f"P{i}": {} for i in range(101)}
    _rejects(_cluster(job_templates=[{**TEMPLATE, "parameters": many}]), "parameters")


def test_fails_a_parameter_name_the_api_rejects() -> None:
    template = {
        **TEMPLATE,
        "spark": {**TEMPLATE["spark"], "args": ["${Day}", "${b@d}"]},
        "parameters": {"Day": {}, "N": {}, "b@d": {}},
    }
    _rejects(_cluster(job_templates=[template]), r"parameters\.b@d")


def test_fails_two_templates_with_one_name() -> None:
    _rejects(_cluster(job_templates=[TEMPLATE, TEMPLATE]), r"job_templates\[1\]\.name")


@pytest.mark.parametrize(
    ("field", "value"), [("name", "-lead"), ("idle_timeout_minutes", 0), ("idle_timeout_minutes", 1441)]
)
def test_fails_a_managed_endpoint_value(field: str, value: Any) -> None:
    _rejects(_cluster(managed_endpoint={"name": "notebooks", field: value}), field)


def test_fails_job_templates_where_cloudformation_does_not_offer_them() -> None:
    """cfn-lint's registry schemas: no AWS::EMRContainers::JobTemplate in eu-west-1, one in us-east-1."""
    raw = _example()
    raw["virtual_clusters"][0]["job_templates"] = [
        {**TEMPLATE, "spark": {"script": "s3://bucket-a/jobs/job.py"}, "parameters": {}}
    ]
    _config_rejects(
        raw, r"virtual_clusters\[0\]\.job_templates.*does not offer AWS::EMRContainers::JobTemplate in eu-west-1"
    )
    raw["region"] = "us-east-1"
    raw["availability_zones"] = ["us-east-1a", "us-east-1b"]
    for cluster in raw["virtual_clusters"]:
        if cluster.get("oidc_issuer"):
            cluster["oidc_issuer"] = cluster["oidc_issuer"].replace("eu-west-1", "us-east-1")
    assert AppConfig.model_validate(raw).virtual_clusters[0].job_templates


def test_fails_two_virtual_clusters_with_one_execution_role() -> None:
    raw = _example()
    raw["virtual_clusters"][1]["execution_role_name"] = "emr-ex-eks-spark-batch-jobs"
    _config_rejects(raw, r"virtual_clusters\[1\]\.execution_role_name.*the same IAM role")


def test_fails_runtime_or_instance_roles_on_a_virtual_cluster_entry() -> None:
    raw = _example()
    raw["data_buckets"][0]["access"][0]["instance_role"] = True
    _config_rejects(raw, r"data_buckets\[0\]\.access\[0\].*no runtime or instance role")
