"""The apps in ``examples/`` synthesise clean against the built wheel, the way a user runs them.

Each example is copied to a directory outside the repository and synthesised once by the CDK CLI from the
repository's ``node_modules``, with the session's venv (``tests.packaging.wheel``: the wheel and its core
dependencies, no ``cli`` extra) first on ``PATH``, so that its ``cdk.json`` (``python3 app.py``) runs the installed
package. No AWS credentials or configuration are visible. Every app attaches cdk-nag's AwsSolutions, HIPAA Security
and NIST 800-53 R5 packs and ``EmrChecks`` itself: the CLI must exit 0 with no violation in the validation report,
and cfn-lint (the venv's) must find no error and no warning. One mutated copy proves that a finding fails the synth.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.packaging.wheel import REPO, Installed

EXAMPLES = REPO / "examples"
NAMES = ("own-vpc-and-roles", "imported-cluster", "transient-job-flow", "serverless-job", "emr-on-eks")
CDK = REPO / "node_modules" / ".bin" / "cdk"
REGION = "eu-west-1"
#: The imported-cluster example with its Lambda acknowledgments removed and a reserved concurrency added.
MUTANT = "imported-cluster-unacknowledged"
EMR_TAG = {"Key": "for-use-with-amazon-emr-managed-policies", "Value": "true"}
_ANNOTATION = re.compile(r"^\s*(\[(Error|Warning|Info) at |(ERROR|WARNING|INFO) )", re.MULTILINE)
_CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE")


@dataclass(frozen=True)
class Synth:
    name: str
    out: Path
    synth: subprocess.CompletedProcess[str]
    lint: subprocess.CompletedProcess[str] | None

    @property
    def output(self) -> str:
        return self.synth.stdout + self.synth.stderr

    @property
    def report(self) -> dict[str, Any]:
        path = self.out / "validation-report.json"
        assert path.exists(), f"{self.name}: no validation report: were the policy packs attached?\n{self.output}"
        report: dict[str, Any] = json.loads(path.read_text())
        return report

    def templates(self) -> dict[str, dict[str, Any]]:
        return {path.name: json.loads(path.read_text()) for path in sorted(self.out.glob("*.template.json"))}

    def template(self) -> dict[str, Any]:
        (only,) = self.templates().values()
        return only


def _environment(installed: Installed, root: Path) -> dict[str, str]:
    """The environment of a user's shell with the venv activated, without AWS credentials or configuration."""
    env = installed.environment(
        PATH=f"{installed.bin}{os.pathsep}{os.environ.get('PATH', '')}",
        VIRTUAL_ENV=str(installed.venv),
        CDK_DISABLE_VERSION_CHECK="1",
        CDK_DISABLE_CLI_TELEMETRY="1",
        AWS_CONFIG_FILE=str(root / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(root / "no-aws-credentials"),
    )
    for name in _CREDENTIALS:
        env.pop(name, None)
    return env


def _copy(name: str, target: Path) -> Path:
    source = EXAMPLES / name
    assert (source / "app.py").is_file() and (source / "cdk.json").is_file(), f"examples/{name} is incomplete"
    ignore = shutil.ignore_patterns("cdk.out", "__pycache__", "cdk.context.json", ".venv")
    return Path(shutil.copytree(source, target / name, ignore=ignore))


def _mutate(app: Path) -> None:
    """Drop the submitter's acknowledgments and reserve concurrency for it: findings of cdk-nag and of EmrChecks."""
    text = app.read_text()
    call = "        _acknowledge_submitter_findings(submitter, role)\n"
    timeout = "            timeout=cdk.Duration.seconds(30),\n"
    assert call in text and timeout in text, "the imported-cluster example changed: update _mutate"
    app.write_text(text.replace(call, "").replace(timeout, timeout + "            reserved_concurrent_executions=5,\n"))


@pytest.fixture(scope="module")
def synthesised(installed: Installed, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Synth]:
    if not CDK.exists():
        pytest.fail(f"the CDK CLI is missing ({CDK}). Fix: make setup (npm ci)")
    root = tmp_path_factory.mktemp("examples")
    assert REPO not in root.parents, "the copies must live outside the repository"
    env = _environment(installed, root)
    apps = {name: _copy(name, root / "apps") for name in NAMES}
    apps[MUTANT] = Path(shutil.copytree(apps["imported-cluster"], root / "apps" / MUTANT))
    _mutate(apps[MUTANT] / "app.py")

    # With --no-version-reporting (as `make synth` runs it) aws-cdk-lib's built-in "CloudFormation Validate" plugin
    # also runs (observed with aws-cdk-lib 2.275 and CLI 2.1148; a plain `cdk synth` skipped it): the stricter run.
    def synth(name: str) -> subprocess.CompletedProcess[str]:
        argv = [str(CDK), "synth", "--no-notices", "--no-version-reporting", "--quiet", "-o", str(root / name)]
        return subprocess.run(argv, cwd=apps[name], env=env, capture_output=True, text=True, timeout=600, check=False)

    def lint(name: str) -> subprocess.CompletedProcess[str]:
        templates = sorted(str(path) for path in (root / name).glob("*.template.json"))
        argv = ["cfn-lint", "--non-zero-exit-code", "warning", "--regions", REGION, "--", *templates]
        return installed.run(*argv, cwd=root, env=env)

    # Two at a time: each synth is a Node CLI, a Python app and a Node jsii kernel, and the machine has two cores.
    with ThreadPoolExecutor(max_workers=2) as pool:
        synths = dict(zip(apps, pool.map(synth, apps), strict=True))
        clean = [name for name in NAMES if synths[name].returncode == 0]
        lints = dict(zip(clean, pool.map(lint, clean), strict=True))
    return {name: Synth(name, root / name, synths[name], lints.get(name)) for name in apps}


# -- every example ---------------------------------------------------------------------------------------------


def _violations(report: dict[str, Any]) -> Iterator[str]:
    for plugin in report.get("pluginReports", []):
        for violation in plugin.get("violations", []):
            for construct in violation.get("violatingConstructs", []):
                yield f"{plugin['pluginName']}: {violation['ruleName']} at {construct['constructPath']}"
        if plugin.get("conclusion") != "success":
            yield f"{plugin['pluginName']}: conclusion {plugin.get('conclusion')}"


def _by_aws_cdk_lib(violation: dict[str, Any]) -> bool:
    """aws-cdk-lib's own acknowledgment, on the whole stack, of the availability zones that ec2.Vpc writes from
    the context (``Stack._silenceLiteralAzWarning``): the one acknowledgment neither the examples nor the library
    make."""
    return (
        violation["acknowledgedId"] == "CloudFormation-Validate::W3010"
        and "/" not in violation["acknowledgedAt"]
        and violation.get("reason", "").startswith("Literal AZs in template are the result of accessing")
    )


def _suppressed(report: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The acknowledged findings of every plugin, except aws-cdk-lib's own (``_by_aws_cdk_lib``)."""
    for plugin in report.get("pluginReports", []):
        for violation in plugin.get("suppressedViolations", []):
            if not _by_aws_cdk_lib(violation):
                yield violation


def _acknowledged(report: dict[str, Any]) -> set[str]:
    return {violation["acknowledgedId"] for violation in _suppressed(report)}


@pytest.mark.parametrize("name", NAMES)
def test_synthesises_with_every_policy_pack_clean(synthesised: dict[str, Synth], name: str) -> None:
    result = synthesised[name]
    assert result.synth.returncode == 0, f"cdk synth of examples/{name} failed:\n{result.output[-6000:]}"
    assert list(_violations(result.report)) == []
    for marker in ("Validation failed", "Synthesis finished with errors", "Traceback"):
        assert marker not in result.output, result.output[-6000:]
    # Annotations, in the CLI's older ("[Warning at /path]") and newer ("WARNING message (Annotation)") layouts.
    assert _ANNOTATION.search(result.output) is None, result.output[-6000:]
    assert result.templates(), f"examples/{name} synthesised no template"


@pytest.mark.parametrize("name", NAMES)
def test_cfn_lint_finds_nothing(synthesised: dict[str, Synth], name: str) -> None:
    lint = synthesised[name].lint
    assert lint is not None, f"examples/{name} did not synthesise"
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_a_finding_fails_the_synth(synthesised: dict[str, Synth]) -> None:
    """The harness can fail: without its acknowledgments the Lambda function is reported by cdk-nag's packs, and
    its reserved concurrency by EmrChecks, and the CLI exits non-zero."""
    result = synthesised[MUTANT]
    assert result.synth.returncode != 0, result.output[-6000:]
    found = {finding.split(" at ")[0] for finding in _violations(result.report)}
    for rule in (
        "HIPAA.Security: HIPAA.Security-LambdaDLQ",
        "NIST.800.53.R5: NIST.800.53.R5-LambdaInsideVPC",
        "EmrChecks: EmrChecks-EMR-DEP1",
    ):
        assert rule in found, sorted(found)


@pytest.mark.parametrize("name", NAMES)
def test_every_app_attaches_the_four_policy_packs(name: str) -> None:
    """The validation report lists only packs that found something, so the attachment is read from the source:
    ``cdk.Validations.of(app).add_plugins(...)`` with the three cdk-nag packs and ``EmrChecks``."""
    tree = ast.parse((EXAMPLES / name / "app.py").read_text())
    attached = {
        argument.func.id
        for call in ast.walk(tree)
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "add_plugins"
        for argument in call.args
        if isinstance(argument, ast.Call) and isinstance(argument.func, ast.Name)
    }
    assert attached == {"AwsSolutionsChecks", "HIPAASecurityChecks", "NIST80053R5Checks", "EmrChecks"}


@pytest.mark.parametrize("name", NAMES)
def test_acknowledgments_are_specific_and_on_the_resource_they_excuse(synthesised: dict[str, Synth], name: str) -> None:
    """Every acknowledged finding (the example's and the library's) was acknowledged on the very resource that
    raised it, never on a stack or a parent construct, and the IAM4/IAM5 ones name the policy, action or
    resource they excuse."""
    for violation in _suppressed(synthesised[name].report):
        ack = violation["acknowledgedId"]
        paths = [construct["constructPath"] for construct in violation["violatingConstructs"]]
        assert paths == [violation["acknowledgedAt"]], f"{ack} acknowledged at {violation['acknowledgedAt']}"
        if re.search(r"-IAM[45]\b", ack):
            assert re.search(r"-IAM[45]\[(Policy|Action|Resource)::.+\]$", ack), ack


# -- examples/imported-cluster -----------------------------------------------------------------------------------

CLUSTER_ARN = "arn:aws:elasticmapreduce:eu-west-1:111111111111:cluster/j-2AXXXXXXGAPLF"


def _resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {key: value for key, value in template["Resources"].items() if value["Type"] == kind}


def _at(template: dict[str, Any], path: str) -> tuple[str, dict[str, Any]]:
    """The resource whose construct path is ``path``."""
    (found,) = [
        (key, value)
        for key, value in template["Resources"].items()
        if value.get("Metadata", {}).get("aws:cdk:path") == path
    ]
    return found


def _statements_for(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    return [
        statement
        for policy in _resources(template, "AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"].get("Roles", [])
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)


def test_imported_cluster_lambda_may_add_steps_to_that_cluster_only(synthesised: dict[str, Synth]) -> None:
    template = synthesised["imported-cluster"].template()
    (function,) = _resources(template, "AWS::Lambda::Function").values()
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    assert function["Properties"]["Environment"]["Variables"] == {"CLUSTER_ID": "j-2AXXXXXXGAPLF"}
    emr = [s for s in _statements_for(template, role) if any(a.startswith("elasticmapreduce:") for a in _actions(s))]
    assert len(emr) == 1 and "elasticmapreduce:AddJobFlowSteps" in _actions(emr[0]), emr
    assert emr[0]["Resource"] == CLUSTER_ARN


def test_imported_cluster_readers_may_describe_it(synthesised: dict[str, Synth]) -> None:
    template = synthesised["imported-cluster"].template()
    readers, _ = _at(template, "SharedClusterAccess/ClusterReaders/Resource")
    (statement,) = _statements_for(template, readers)
    assert "elasticmapreduce:DescribeCluster" in _actions(statement)
    assert "elasticmapreduce:AddJobFlowSteps" not in _actions(statement)
    assert statement["Resource"] == CLUSTER_ARN


def test_imported_cluster_is_monitored_by_its_id(synthesised: dict[str, Synth]) -> None:
    template = synthesised["imported-cluster"].template()
    alarms = _resources(template, "AWS::CloudWatch::Alarm").values()
    assert alarms
    for alarm in alarms:
        assert {"Name": "JobFlowId", "Value": "j-2AXXXXXXGAPLF"} in alarm["Properties"]["Dimensions"]
    assert _resources(template, "AWS::CloudWatch::Dashboard") and _resources(template, "AWS::Events::Rule")


def test_imported_cluster_acknowledges_only_its_own_lambda_findings(synthesised: dict[str, Synth]) -> None:
    acknowledged = _acknowledged(synthesised["imported-cluster"].report)
    assert {
        f"{pack}::{pack}-{rule}"
        for pack in ("HIPAA.Security", "NIST.800.53.R5")
        for rule in ("LambdaDLQ", "LambdaInsideVPC", "LambdaConcurrency", "IAMNoInlinePolicy")
    } == acknowledged


# -- examples/transient-job-flow ---------------------------------------------------------------------------------


def _definition(template: dict[str, Any]) -> str:
    (machine,) = _resources(template, "AWS::StepFunctions::StateMachine").values()
    return json.dumps(machine["Properties"]["DefinitionString"])


def test_transient_job_flow_runs_a_spark_step_on_a_cluster_it_creates(synthesised: dict[str, Synth]) -> None:
    template = synthesised["transient-job-flow"].template()
    definition = _definition(template)
    assert "arn:aws:states:::aws-sdk:emr:runJobFlow" in definition
    assert "arn:aws:states:::elasticmapreduce:addStep.sync" in definition
    assert "spark-submit" in definition and "daily_totals.py" not in definition  # the script is an asset
    assert "arn:aws:states:::elasticmapreduce:terminateCluster.sync" in definition
    assets = list(synthesised["transient-job-flow"].out.glob("asset.*.py"))
    assert [path.read_text().count("def main(") for path in assets] == [1], assets


def test_transient_job_flow_is_scheduled_and_startable_by_the_operators(synthesised: dict[str, Synth]) -> None:
    template = synthesised["transient-job-flow"].template()
    (machine,) = _resources(template, "AWS::StepFunctions::StateMachine")
    (rule,) = _resources(template, "AWS::Events::Rule").values()
    assert rule["Properties"]["ScheduleExpression"] == "cron(0 3 * * ? *)"
    assert rule["Properties"]["Targets"][0]["Arn"] == {"Ref": machine}
    operators, _ = _at(template, "DailyTotals/Operators/Resource")
    (statement,) = _statements_for(template, operators)
    assert _actions(statement) == {"states:StartExecution"}
    assert statement["Resource"] == {"Ref": machine}


# -- examples/serverless-job -------------------------------------------------------------------------------------


def test_serverless_job_runs_on_an_application_in_the_private_subnets(synthesised: dict[str, Synth]) -> None:
    template = synthesised["serverless-job"].template()
    (application,) = _resources(template, "AWS::EMRServerless::Application").values()
    properties = application["Properties"]
    assert properties["MaximumCapacity"] == {"Cpu": "32 vCPU", "Memory": "128 GB", "Disk": "400 GB"}
    assert properties["Architecture"] == "ARM64"
    subnets = [ref["Ref"] for ref in properties["NetworkConfiguration"]["SubnetIds"]]
    assert subnets and all("PrivateSubnet" in subnet for subnet in subnets)
    definition = _definition(template)
    assert "arn:aws:states:::emr-serverless:startJobRun.sync" in definition
    assert "daily_totals.py" not in definition  # the script is an asset
    assets = list(synthesised["serverless-job"].out.glob("asset.*.py"))
    assert [path.read_text().count("def main(") for path in assets] == [1], assets
    (rule,) = _resources(template, "AWS::Events::Rule").values()
    assert rule["Properties"]["ScheduleExpression"] == "cron(0 3 * * ? *)"


def test_serverless_operators_may_rerun_the_job_and_submit_runs(synthesised: dict[str, Synth]) -> None:
    template = synthesised["serverless-job"].template()
    operators, _ = _at(template, "ServerlessJob/Operators/Resource")
    actions = set().union(*(_actions(statement) for statement in _statements_for(template, operators)))
    assert {"states:StartExecution", "emr-serverless:StartJobRun", "iam:PassRole", "kms:GenerateDataKey"} <= actions
    (passing,) = [s for s in _statements_for(template, operators) if _actions(s) == {"iam:PassRole"}]
    assert passing["Condition"] == {"StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}}


# -- examples/emr-on-eks -----------------------------------------------------------------------------------------


def test_emr_on_eks_runs_on_a_virtual_cluster_with_its_security_configuration(synthesised: dict[str, Synth]) -> None:
    template = synthesised["emr-on-eks"].template()
    (cluster,) = _resources(template, "AWS::EMRContainers::VirtualCluster").values()
    (security,) = _resources(template, "AWS::EMRContainers::SecurityConfiguration")
    assert cluster["Properties"]["SecurityConfigurationId"] == {"Fn::GetAtt": [security, "Id"]}
    (role,) = [r for r in _resources(template, "AWS::IAM::Role").values() if "RoleName" in r["Properties"]]
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    ((key, subject),) = trust["Condition"]["StringLike"].items()
    assert key.endswith(":sub") and subject.startswith("system:serviceaccount:emr-analytics:emr-containers-sa-*-*-")
    definition = _definition(template)
    assert "arn:aws:states:::emr-containers:startJobRun.sync" in definition
    assert "daily_totals.py" not in definition  # the script is an asset


def test_emr_on_eks_operators_start_runs_as_the_execution_role_only(synthesised: dict[str, Synth]) -> None:
    template = synthesised["emr-on-eks"].template()
    operators, _ = _at(template, "EmrOnEks/Operators/Resource")
    statements = _statements_for(template, operators)
    (start,) = [s for s in statements if _actions(s) == {"emr-containers:StartJobRun"}]
    assert list(start["Condition"]["StringEquals"]) == ["emr-containers:ExecutionRoleArn"]
    assert {"states:StartExecution"} <= set().union(*(_actions(s) for s in statements))


# -- examples/own-vpc-and-roles ----------------------------------------------------------------------------------


def _cluster(template: dict[str, Any]) -> dict[str, Any]:
    (cluster,) = _resources(template, "AWS::EMR::Cluster").values()
    properties: dict[str, Any] = cluster["Properties"]
    return properties


def test_own_vpc_cluster_launches_into_the_users_private_subnets_tagged_for_emr(
    synthesised: dict[str, Synth],
) -> None:
    template = synthesised["own-vpc-and-roles"].template()
    private = [_at(template, f"Analytics/Network/Vpc/PrivateSubnet{n}/Subnet") for n in (1, 2)]
    assert _cluster(template)["Instances"]["Ec2SubnetIds"] == [{"Ref": key} for key, _ in private]
    for _, subnet in private:
        assert EMR_TAG in subnet["Properties"]["Tags"]
    for n in (1, 2):  # the subnets it does not launch into stay untagged
        _, public = _at(template, f"Analytics/Network/Vpc/PublicSubnet{n}/Subnet")
        assert EMR_TAG not in public["Properties"]["Tags"]
    (vpc,) = _resources(template, "AWS::EC2::VPC")
    (flow_log,) = _resources(template, "AWS::EC2::FlowLog").values()
    assert flow_log["Properties"]["ResourceId"] == {"Ref": vpc}


def test_own_vpc_cluster_runs_with_the_users_roles(synthesised: dict[str, Synth]) -> None:
    template = synthesised["own-vpc-and-roles"].template()
    service_role, service = _at(template, "Analytics/Iam/EmrServiceRole/Resource")
    instance_role, instance = _at(template, "Analytics/Iam/EmrInstanceRole/Resource")
    cluster = _cluster(template)
    assert cluster["ServiceRole"] == {"Fn::GetAtt": [service_role, "Arn"]}
    profile_key = cluster["JobFlowRole"]["Ref"]
    profile = template["Resources"][profile_key]
    assert profile["Type"] == "AWS::IAM::InstanceProfile"
    assert profile["Properties"]["Roles"] == [{"Ref": instance_role}]
    # EMR requires the profile to carry its role's name.
    assert profile["Properties"]["InstanceProfileName"] == {"Ref": instance_role}

    (trust,) = service["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "elasticmapreduce.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": "111111111111"}
    assert json.dumps(service["Properties"]["ManagedPolicyArns"]).endswith(
        ':iam::aws:policy/service-role/AmazonEMRServicePolicy_v2"]]}]'
    )
    (trust,) = instance["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "ec2.amazonaws.com"}

    # The cluster adds customer-managed policies only: nothing inline, nothing about the roles themselves.
    for role in (service, instance):
        assert "Policies" not in role["Properties"]
    for policy in _resources(template, "AWS::IAM::Policy").values():
        assert {"Ref": service_role} not in policy["Properties"].get("Roles", [])
        assert {"Ref": instance_role} not in policy["Properties"].get("Roles", [])
    _, access = _at(template, "Analytics/Cluster/Roles/ServiceRoleAccess/Resource")
    assert access["Properties"]["Roles"] == [{"Ref": service_role}]
    (passing,) = access["Properties"]["PolicyDocument"]["Statement"]
    assert passing["Action"] == "iam:PassRole"
    assert passing["Resource"] == {"Fn::GetAtt": [instance_role, "Arn"]}
    assert passing["Condition"] == {"StringLike": {"iam:PassedToService": "ec2.amazonaws.com*"}}


def test_own_vpc_cluster_makes_its_security_groups_and_their_rule_cleanup(synthesised: dict[str, Synth]) -> None:
    template = synthesised["own-vpc-and-roles"].template()
    instances = _cluster(template)["Instances"]
    groups = {
        "EmrManagedMasterSecurityGroup": "PrimarySecurityGroup",
        "EmrManagedSlaveSecurityGroup": "CoreSecurityGroup",
        "ServiceAccessSecurityGroup": "ServiceAccessSecurityGroup",
    }
    keys = []
    for field, name in groups.items():
        key, group = _at(template, f"Analytics/Cluster/SecurityGroups/{name}/Resource")
        assert instances[field] == {"Fn::GetAtt": [key, "GroupId"]}
        assert EMR_TAG in group["Properties"]["Tags"]
        keys.append(key)
    (cleanup,) = _resources(template, "Custom::EmrSecurityGroupCleanup").values()
    assert all(key in json.dumps(cleanup["Properties"]) for key in keys), cleanup["Properties"]


def test_own_vpc_acknowledges_only_its_own_findings_on_its_own_resources(synthesised: dict[str, Synth]) -> None:
    """The example's acknowledgments (the library's live under Analytics/Cluster): one per finding and resource."""
    report = synthesised["own-vpc-and-roles"].report
    own = {
        (violation["acknowledgedId"], violation["acknowledgedAt"])
        for violation in _suppressed(report)
        if not violation["acknowledgedAt"].startswith("Analytics/Cluster/")
    }
    routes = {
        (f"{pack}::{pack}-VPCNoUnrestrictedRouteToIGW", f"Analytics/Network/Vpc/PublicSubnet{n}/DefaultRoute")
        for pack in ("HIPAA.Security", "NIST.800.53.R5")
        for n in (1, 2)
    }
    flow_log_policy = {
        (f"{pack}::{pack}-IAMNoInlinePolicy", "Analytics/Network/FlowLogRole/DefaultPolicy/Resource")
        for pack in ("HIPAA.Security", "NIST.800.53.R5")
    }
    iam_team = {
        (
            "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonEMRServicePolicy_v2]",
            "Analytics/Iam/EmrServiceRole/Resource",
        ),
        (
            "AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:s3:::analytics-raw-111111111111-eu-west-1/*]",
            "Analytics/Iam/RawDataRead/Resource",
        ),
    }
    assert own == routes | flow_log_policy | iam_team
