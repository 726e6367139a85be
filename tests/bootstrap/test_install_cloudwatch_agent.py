"""emr_constructs/monitoring/scripts/install-cloudwatch-agent.sh under bash, with stub sudo/curl/rpm/yum/ctl."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bootstrap.harness import INSTALL_CLOUDWATCH_AGENT, Node, Result

CLUSTER = "j-2AXXXXXXGAPLF"
INSTANCE = "i-0a1b2c3d4e5f60718"


def write_instance_data(node: Node, role: str = "core", cluster: str = CLUSTER) -> None:
    info = node.root / "mnt/var/lib/info/extraInstanceData.json"
    info.parent.mkdir(parents=True, exist_ok=True)
    # The shape EMR writes: flat JSON, one key a line.
    info.write_text(
        json.dumps(
            {"jobFlowId": cluster, "instanceRole": role, "region": "eu-west-1", "marketType": "on_demand"}, indent=2
        )
    )


def install(node: Node, *args: str, **env: str) -> Result:
    return node.run(INSTALL_CLOUDWATCH_AGENT, *args, **{"CURL_STUB_INSTANCE_ID": INSTANCE, **env})


def agent_config(node: Node) -> dict[str, object]:
    path = node.root / "opt/aws/amazon-cloudwatch-agent/etc/emr-constructs-node-metrics.json"
    loaded: dict[str, object] = json.loads(path.read_text())
    return loaded


def fetch_config_calls(node: Node) -> list[list[str]]:
    return [call for call in node.calls("amazon-cloudwatch-agent-ctl") if "fetch-config" in call]


@pytest.fixture
def emr_node(node: Node) -> Node:
    write_instance_data(node)
    return node


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_installs_configures_and_starts_the_agent(emr_node: Node, arch: str) -> None:
    emr_node.arch = arch
    result = install(emr_node)

    assert result.returncode == 0, result.output
    assert f"architecture: {arch}" in result.stdout
    assert emr_node.calls("yum") == [["install", "-y", "-q", "amazon-cloudwatch-agent"]]
    assert ["-n", "yum", "install", "-y", "-q", "amazon-cloudwatch-agent"] in emr_node.calls("sudo")
    config = agent_config(emr_node)
    metrics = config["metrics"]
    assert isinstance(metrics, dict)
    assert metrics["namespace"] == "CWAgent"
    collected = metrics["metrics_collected"]
    assert sorted(collected) == ["cpu", "disk", "mem", "net", "processes", "swap"]
    for plugin in collected.values():
        assert plugin["append_dimensions"] == {
            "cluster.id": CLUSTER,
            "instance.id": INSTANCE,
            "node.type": "core",
            "service.name": "system",
        }
    assert "used_percent" in collected["mem"]["measurement"]
    assert config["agent"] == {
        "metrics_collection_interval": 60,
        "logfile": "/opt/aws/amazon-cloudwatch-agent/logs/amazon-cloudwatch-agent.log",
    }
    config_path = emr_node.root / "opt/aws/amazon-cloudwatch-agent/etc/emr-constructs-node-metrics.json"
    assert fetch_config_calls(emr_node) == [["-a", "fetch-config", "-m", "ec2", "-s", "-c", f"file:{config_path}"]]
    assert f"node: cluster {CLUSTER}, core node {INSTANCE}" in result.stdout
    token_call, id_call = emr_node.calls("curl")
    assert "PUT" in token_call and "http://169.254.169.254/latest/api/token" in token_call
    assert "X-aws-ec2-metadata-token: stub-token" in id_call, "the instance id is read with the IMDSv2 token"
    assert emr_node.leftover_tmp() == []


def test_second_run_changes_nothing(emr_node: Node) -> None:
    first = install(emr_node)
    second = install(emr_node)

    assert first.returncode == 0 and second.returncode == 0, second.output
    assert len(emr_node.calls("yum")) == 1, "the package is installed once"
    assert len(fetch_config_calls(emr_node)) == 1, "the agent is not restarted"
    assert "already installed: amazon-cloudwatch-agent-" in second.stdout
    assert "unchanged:" in second.stdout
    assert "agent already running with this configuration; nothing to do" in second.stdout


def test_a_changed_interval_rewrites_and_restarts(emr_node: Node) -> None:
    assert install(emr_node).returncode == 0
    result = install(emr_node, "--interval=30")

    assert result.returncode == 0, result.output
    assert agent_config(emr_node)["agent"]["metrics_collection_interval"] == 30  # type: ignore[index]
    assert len(fetch_config_calls(emr_node)) == 2


def test_a_stopped_agent_is_started_again(emr_node: Node) -> None:
    assert install(emr_node).returncode == 0
    (emr_node.state / "agent-running").unlink()
    result = install(emr_node)

    assert result.returncode == 0, result.output
    assert len(fetch_config_calls(emr_node)) == 2


@pytest.mark.parametrize(("role", "expected"), [("MASTER", "master"), ("Task", "task")])
def test_node_type_is_lower_case_like_emr_7(node: Node, role: str, expected: str) -> None:
    write_instance_data(node, role=role)
    assert install(node).returncode == 0
    cpu = agent_config(node)["metrics"]["metrics_collected"]["cpu"]  # type: ignore[index]
    assert cpu["append_dimensions"]["node.type"] == expected


# --- failures -----------------------------------------------------------------------------------


def test_fails_when_yum_cannot_install(emr_node: Node) -> None:
    result = install(emr_node, YUM_STUB_EXIT="1")

    assert result.returncode == 1
    assert "yum could not install amazon-cloudwatch-agent" in result.stderr
    assert "S3 gateway endpoint" in result.stderr
    assert fetch_config_calls(emr_node) == []


def test_fails_when_the_agent_rejects_its_configuration(emr_node: Node) -> None:
    result = install(emr_node, AGENT_STUB_EXIT="1")

    assert result.returncode == 1
    assert "amazon-cloudwatch-agent-ctl could not load" in result.stderr


def test_fails_without_instance_metadata(emr_node: Node) -> None:
    result = install(emr_node, CURL_STUB_EXIT="28")

    assert result.returncode == 1
    assert "could not get an instance metadata (IMDSv2) token" in result.stderr
    assert emr_node.calls("yum") == []


def test_fails_outside_emr(node: Node) -> None:
    result = install(node)

    assert result.returncode == 1
    assert "extraInstanceData.json" in result.stderr
    assert "EMR bootstrap action" in result.stderr


def test_fails_on_malformed_instance_data(node: Node) -> None:
    write_instance_data(node, role="gateway")
    result = install(node)

    assert result.returncode == 1
    assert "no node role (instanceRole master, core or task)" in result.stderr


@pytest.mark.parametrize("value", ["0", "3601", "abc", "07"])
def test_fails_on_a_bad_interval(emr_node: Node, value: str) -> None:
    result = install(emr_node, "--interval", value)

    assert result.returncode == 2
    assert f"--interval must be a whole number of seconds from 1 to 3600, got '{value}'" in result.stderr
    assert emr_node.calls("yum") == []


def test_fails_on_an_unknown_architecture(emr_node: Node) -> None:
    emr_node.arch = "ppc64le"
    result = install(emr_node)

    assert result.returncode == 1
    assert "unsupported architecture 'ppc64le'" in result.stderr


def test_fails_without_passwordless_sudo(emr_node: Node) -> None:
    result = install(emr_node, SUDO_STUB_EXIT="1")

    assert result.returncode == 1
    assert "passwordless sudo is required" in result.stderr


def test_script_is_package_data() -> None:
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    assert '"**/*.sh"' in pyproject, "the script must ship in the wheel, beside the construct that adds it"
