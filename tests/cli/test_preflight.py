"""``emr-constructs preflight``: every check against stubbed AWS answers (botocore's Stubber), nothing leaves the
machine. Each test starts from answers under which the config is clean and changes one of them."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from emr_constructs.cli import main
from emr_constructs.operations import clients
from emr_constructs.preflight import Preflight
from emr_constructs.preflight.checks import ON_DEMAND_QUOTA, SPOT_QUOTA
from emr_constructs.spec import AppConfig, load_config
from tests.cli.conftest import REGION

REPO = Path(__file__).resolve().parents[2]
DEV = REPO / "config" / "dev.yaml"
KEY = f"arn:aws:kms:{REGION}:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SUBNETS = ("subnet-0123456789abcdef0", "subnet-0123456789abcdef1", "subnet-0123456789abcdef2")
#: vCPUs of the types the configs use (EC2 User Guide, instance type specifications).
VCPUS = {"xlarge": 4, "2xlarge": 8, "4xlarge": 16, "8xlarge": 32}


def _types(config: AppConfig) -> list[str]:
    found: set[str] = set()
    for cluster in [*config.clusters, *(flow.cluster for flow in config.job_flows)]:
        if cluster.instance_fleets is not None:
            found |= {t.instance_type for _, f in cluster.instance_fleets.named() for t in f.instance_types}
        else:
            groups = cluster.instance_groups
            assert groups is not None
            found |= {g.instance_type for g in (groups.primary, groups.core, *groups.tasks) if g is not None}
    return sorted(found)


class Answers:
    """The AWS answers of a clean account; tests change one before ``stub``."""

    def __init__(self, config: AppConfig) -> None:
        self.config = config
        types = _types(config)
        zones = list(config.availability_zones)
        self.releases = [c.release_label.label for c in config.clusters] + ["emr-7.11.0"]
        self.supported = types
        self.offerings = [(t, z) for t in types for z in zones]
        self.vcpus = {t: VCPUS[t.split(".")[1]] for t in types}
        self.subnets = [(s, z, 200) for s, z in zip(SUBNETS, zones, strict=False)]
        self.running: list[dict[str, Any]] = []
        self.quotas = {ON_DEMAND_QUOTA[0]: 5000.0, SPOT_QUOTA[0]: 5000.0}
        self.key_state: str | None = "Enabled"
        self.bootstrap = True
        self.block_public_access = {
            "BlockPublicSecurityGroupRules": True,
            "PermittedPublicSecurityGroupRuleRanges": [{"MinRange": 22, "MaxRange": 22}],
        }

    def stub(self) -> Callable[[str], Any]:
        made = {s: boto3.client(s, region_name=REGION) for s in ("emr", "ec2", "service-quotas", "kms", "ssm")}
        stubs = {s: Stubber(c) for s, c in made.items()}
        emr, ec2 = stubs["emr"], stubs["ec2"]
        emr.add_response("list_release_labels", {"ReleaseLabels": self.releases}, {})
        if self.config.network.existing is not None:
            ec2.add_response(
                "describe_subnets",
                {
                    "Subnets": [
                        {"SubnetId": s, "AvailabilityZone": z, "AvailableIpAddressCount": n} for s, z, n in self.subnets
                    ]
                },
                {"SubnetIds": list(self.config.network.existing.private_subnet_ids)},
            )
        ec2.add_response(
            "describe_instance_type_offerings",
            {
                "InstanceTypeOfferings": [
                    {"InstanceType": t, "Location": z, "LocationType": "availability-zone"} for t, z in self.offerings
                ]
            },
        )
        ec2.add_response(
            "describe_instance_types",
            {"InstanceTypes": [{"InstanceType": t, "VCpuInfo": {"DefaultVCpus": v}} for t, v in self.vcpus.items()]},
        )
        clusters = [*self.config.clusters, *(flow.cluster for flow in self.config.job_flows)]
        for cluster in clusters:
            if cluster.release_label.label in self.releases:
                emr.add_response(
                    "list_supported_instance_types",
                    {"SupportedInstanceTypes": [{"Type": t} for t in self.supported]},
                    {"ReleaseLabel": cluster.release_label.label},
                )
        ec2.add_response(
            "describe_instances",
            {"Reservations": [{"Instances": self.running}]} if self.running else {"Reservations": []},
        )
        for code in (ON_DEMAND_QUOTA[0], SPOT_QUOTA[0]):
            stubs["service-quotas"].add_response(
                "get_service_quota",
                {"Quota": {"QuotaCode": code, "Value": self.quotas[code]}},
                {"ServiceCode": "ec2", "QuotaCode": code},
            )
        keys = {a for c in clusters for a in c.security.given_node_key_arns if a.split(":")[3] == REGION}
        for key in sorted(keys):
            if self.key_state is None:
                stubs["kms"].add_client_error("describe_key", "NotFoundException", "no such key", 400, {"KeyId": key})
            else:
                stubs["kms"].add_response(
                    "describe_key", {"KeyMetadata": {"KeyId": key, "KeyState": self.key_state}}, {"KeyId": key}
                )
        name = f"/cdk-bootstrap/{self.config.bootstrap_qualifier}/version"
        if self.bootstrap:
            stubs["ssm"].add_response("get_parameter", {"Parameter": {"Name": name, "Value": "27"}}, {"Name": name})
        else:
            stubs["ssm"].add_client_error("get_parameter", "ParameterNotFound", "not found", 400, {"Name": name})
        emr.add_response(
            "get_block_public_access_configuration",
            {
                "BlockPublicAccessConfiguration": self.block_public_access,
                "BlockPublicAccessConfigurationMetadata": {
                    "CreationDateTime": datetime(2026, 1, 1, tzinfo=UTC),
                    "CreatedByArn": "arn:aws:iam::111111111111:root",
                },
            },
        )
        for stub in stubs.values():
            stub.activate()
        self.stubs = stubs
        return lambda service: made[service]


def _config(tmp_path: Path, change: Callable[[dict[str, Any]], None] | None = None) -> Path:
    """config/dev.yaml, changed by ``change`` and written beside the test."""
    import yaml

    data = yaml.safe_load(DEV.read_text())
    if change is not None:
        change(data)
    path = tmp_path / "env.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _run(path: Path, answers: Answers) -> tuple[list[Any], Answers]:
    findings = Preflight(load_config(path), answers.stub()).run()
    for stub in answers.stubs.values():
        stub.assert_no_pending_responses()
    return findings, answers


def _dev(tmp_path: Path, change: Callable[[dict[str, Any]], None] | None = None) -> tuple[Path, Answers]:
    path = _config(tmp_path, change)
    return path, Answers(load_config(path))


def _existing(data: dict[str, Any]) -> None:
    data["network"] = {"existing": {"vpc_id": "vpc-0123456789abcdef0", "private_subnet_ids": list(SUBNETS)}}


def _with_key(data: dict[str, Any]) -> None:
    data["clusters"][0].setdefault("security", {})["s3_encryption"] = {"mode": "SSE-KMS", "kms_key_arn": KEY}


def _blocking(findings: list[Any]) -> list[tuple[str, str]]:
    return [(f.check, f.message) for f in findings if f.severity == "blocking"]


def test_a_clean_account_has_no_findings(tmp_path: Path) -> None:
    path, answers = _dev(tmp_path, lambda d: (_existing(d), _with_key(d)))
    findings, _ = _run(path, answers)
    assert findings == []


def test_fails_a_release_the_region_does_not_offer(tmp_path: Path) -> None:
    path, answers = _dev(tmp_path)
    answers.releases = ["emr-7.11.0"]
    findings, _ = _run(path, answers)
    assert ("release", "release emr-7.12.0 is not offered in eu-west-1") in _blocking(findings)


def test_fails_an_instance_type_emr_does_not_support(tmp_path: Path) -> None:
    path, answers = _dev(tmp_path)
    answers.supported = [t for t in answers.supported if t != "m7g.xlarge"]
    findings, _ = _run(path, answers)
    (finding,) = [f for f in findings if f.check == "instance-type" and f.cluster == "analytics"]
    assert "m7g.xlarge is not supported by EMR emr-7.12.0" in finding.message
    assert "list-supported-instance-types --release-label emr-7.12.0" in finding.fix


def test_fails_a_type_offered_in_none_of_the_zones_and_warns_for_some(tmp_path: Path) -> None:
    path, answers = _dev(tmp_path)
    answers.offerings = [(t, z) for t, z in answers.offerings if t != "m6a.4xlarge"]
    answers.offerings = [(t, z) for t, z in answers.offerings if not (t == "c7g.4xlarge" and z == "eu-west-1c")]
    findings, _ = _run(path, answers)
    assert [f.message for f in findings if f.check == "offering" and f.severity == "blocking"] == [
        "m6a.4xlarge is offered in none of the zones ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']"
    ]
    (warning,) = [f for f in findings if f.check == "offering" and f.severity == "warning"]
    assert "c7g.4xlarge is offered only in ['eu-west-1a', 'eu-west-1b']" in warning.message


def test_fails_the_on_demand_vcpu_quota_with_the_running_instances(tmp_path: Path) -> None:
    path, answers = _dev(tmp_path)
    answers.quotas[ON_DEMAND_QUOTA[0]] = 100.0
    answers.running = [
        {
            "InstanceId": "i-0123456789abcdef0",
            "InstanceType": "m5.4xlarge",
            "CpuOptions": {"CoreCount": 8, "ThreadsPerCore": 2},
        },
        {
            "InstanceId": "i-0123456789abcdef1",
            "InstanceType": "p4d.24xlarge",
            "CpuOptions": {"CoreCount": 48, "ThreadsPerCore": 2},
        },
    ]
    findings, _ = _run(path, answers)
    (quota,) = [f for f in findings if f.check == "quota"]
    # Maximum capacity, counted with each fleet's largest type per unit: analytics 4 (primary) + 8 x 8 (core
    # On-Demand) + 4 units x 8 (task On-Demand, 16 vCPUs per weight 2) = 100; the job flow's cluster 4 + 2 x 8 = 20.
    # In use: the m5.4xlarge's 16 vCPUs (the GPU instance is not in the Standard families).
    assert quota.severity == "blocking"
    assert quota.message == (
        f"120 on-demand vCPUs at maximum capacity, but {ON_DEMAND_QUOTA[1]} ({ON_DEMAND_QUOTA[0]}) "
        "is 100 with 16 in use"
    )
    assert (
        f"request an increase of '{ON_DEMAND_QUOTA[1]}' ({ON_DEMAND_QUOTA[0]}) in Service Quotas to at least 136"
        in (quota.fix)
    )


def test_fails_the_spot_quota(tmp_path: Path) -> None:
    path, answers = _dev(tmp_path)
    answers.quotas[SPOT_QUOTA[0]] = 8.0
    findings, _ = _run(path, answers)
    (quota,) = [f for f in findings if f.check == "quota"]
    assert SPOT_QUOTA[1] in quota.message and "analytics" in quota.cluster


def test_fails_subnets_without_free_addresses(tmp_path: Path) -> None:
    path, answers = _dev(tmp_path, _existing)
    answers.subnets = [(s, z, 10) for s, z, _ in answers.subnets]
    findings, _ = _run(path, answers)
    assert any(c == "addresses" and "no subnet has" in m for c, m in _blocking(findings))


def test_warns_for_some_small_subnets(tmp_path: Path) -> None:
    path, answers = _dev(tmp_path, _existing)
    answers.subnets = [*answers.subnets[:2], (answers.subnets[2][0], answers.subnets[2][1], 3)]
    findings, _ = _run(path, answers)
    # The analytics cluster at maximum needs more than 3 addresses; the job flow's small cluster fits.
    (finding,) = [f for f in findings if f.check == "addresses"]
    assert (finding.severity, finding.cluster) == ("warning", "analytics") and SUBNETS[2] in finding.message


def test_fails_a_missing_key(tmp_path: Path) -> None:
    path, answers = _dev(tmp_path, _with_key)
    answers.key_state = None
    findings, _ = _run(path, answers)
    assert ("kms", f"key {KEY}: NotFoundException") in _blocking(findings)


def test_fails_a_disabled_key(tmp_path: Path) -> None:
    path, answers = _dev(tmp_path, _with_key)
    answers.key_state = "Disabled"
    findings, _ = _run(path, answers)
    assert ("kms", f"key {KEY} is Disabled") in _blocking(findings)


def test_fails_an_account_without_the_cdk_bootstrap(tmp_path: Path) -> None:
    path, answers = _dev(tmp_path)
    answers.bootstrap = False
    findings, _ = _run(path, answers)
    (finding,) = [f for f in findings if f.check == "bootstrap"]
    assert "ParameterNotFound" in finding.message and "cdk bootstrap aws://" in finding.fix


def test_warns_when_block_public_access_is_off(tmp_path: Path) -> None:
    path, answers = _dev(tmp_path)
    answers.block_public_access = {"BlockPublicSecurityGroupRules": False}
    findings, _ = _run(path, answers)
    assert [(f.severity, f.check) for f in findings] == [("warning", "block-public-access")]


def test_warns_when_the_account_permits_other_ports_than_the_baseline(tmp_path: Path) -> None:
    def baseline(data: dict[str, Any]) -> None:
        data["account_baseline"] = {"enabled": True, "permitted_public_port_ranges": []}

    path, answers = _dev(tmp_path, baseline)
    findings, _ = _run(path, answers)
    (finding,) = findings
    assert finding.check == "block-public-access" and "[(22, 22)]" in finding.message


def test_the_command_exits_1_on_blocking_and_prints_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], aws_env: None
) -> None:
    path, answers = _dev(tmp_path)
    answers.bootstrap = False
    factory = answers.stub()
    monkeypatch.setattr(clients, "client_factory", lambda service, region: factory(service))
    assert main(["preflight", str(path), "--format", "json"]) == 1
    (finding,) = json.loads(capsys.readouterr().out)
    assert finding["severity"] == "blocking" and finding["check"] == "bootstrap"


def test_the_command_exits_0_with_warnings_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], aws_env: None
) -> None:
    path, answers = _dev(tmp_path)
    answers.block_public_access = {"BlockPublicSecurityGroupRules": False}
    factory = answers.stub()
    monkeypatch.setattr(clients, "client_factory", lambda service, region: factory(service))
    assert main(["preflight", str(path)]) == 0
    out = capsys.readouterr().out
    assert "WARNING" in out and "preflight: 0 blocking, 1 warnings" in out


def test_fails_without_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["preflight", str(_config(tmp_path))]) == 2
    assert "no AWS credentials" in capsys.readouterr().err


def test_fails_a_bad_config_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preflight", str(tmp_path / "missing.yaml")]) == 2
    assert "file not found" in capsys.readouterr().err
