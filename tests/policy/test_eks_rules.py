"""The EMR on EKS rules (EMR-EKS1, EMR-EKS2) on raw templates: the compliant template, each way to break a rule,
which roles are judged as job execution roles, values the template set cannot resolve (not applicable, never a
guessed failure), and both adapters (``emr-constructs check`` and the ``EmrChecks`` pack)."""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_eks as eks
from aws_cdk import aws_emrcontainers as emrcontainers
from aws_cdk import aws_iam as iam

from emr_constructs.policy.eks_rules import EKS_RULES
from emr_constructs.policy.engine import check_templates
from emr_constructs.policy.nag_pack import EmrChecks
from emr_constructs.policy.rules import BY_ID, JUDGED_RULES
from tests.nag import emr_checks_violations
from tests.policy.fixtures import check_command_text, rule_outcomes, template_set

Body = dict[str, Any]
EKS = [rule.id for rule in EKS_RULES]
ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
SUB = f"{ISSUER}:sub"
ENCODED = "6hi5ks3xl6rusbjrlqqjrs9pfox4jt5xz6zc7b22yb"
ACCOUNT = {"Ref": "AWS::AccountId"}
PROVIDER = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", ACCOUNT, f":oidc-provider/{ISSUER}"]]}


def _subject(namespace: str = "emr-batch") -> Body:
    prefix = f"system:serviceaccount:{namespace}:emr-containers-sa-*-*-"
    return {"Fn::Join": ["", [prefix, ACCOUNT, f"-{ENCODED}"]]}


def _pod_account(component: str) -> Body:
    return {"Fn::Join": ["", [f"emr-containers-sa-spark-{component}-", ACCOUNT, f"-{ENCODED}"]]}


IRSA_TRUST: Body = {
    "Effect": "Allow",
    "Principal": {"Federated": PROVIDER},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringLike": {SUB: _subject()}},
}
POD_TRUST: Body = {
    "Effect": "Allow",
    "Principal": {"Service": "pods.eks.amazonaws.com"},
    "Action": ["sts:AssumeRole", "sts:TagSession"],
    "Condition": {
        "StringEquals": {
            "aws:RequestTag/eks-cluster-name": "analytics",
            "aws:RequestTag/kubernetes-namespace": "emr-jobs",
            "aws:RequestTag/kubernetes-service-account": [_pod_account(c) for c in ("client", "driver", "executor")],
        }
    },
}
START_JOB_RUN = "arn:aws:states:::emr-containers:startJobRun.sync"


def _machine(role: str, resource: str = START_JOB_RUN) -> Body:
    """A state machine whose one task starts a job run as ``role``, written as CDK writes it."""
    head = (
        '{"StartAt":"RunJob","States":{"RunJob":{"Type":"Task","Resource":"' + resource + '","Parameters":{'
        '"VirtualClusterId":"'
    )
    return {
        "Type": "AWS::StepFunctions::StateMachine",
        "Properties": {
            "RoleArn": {"Fn::GetAtt": ["MachineRole", "Arn"]},
            "DefinitionString": {
                "Fn::Join": [
                    "",
                    [
                        head,
                        {"Fn::GetAtt": ["VirtualCluster", "Id"]},
                        '","ExecutionRoleArn":"',
                        {"Fn::GetAtt": [role, "Arn"]},
                        '","ReleaseLabel":"emr-7.5.0-latest"},"End":true}}}',
                    ],
                ]
            },
        },
    }


def _association(component: str, role: str = "PodRole", account: Any = None) -> Body:
    return {
        "Type": "AWS::EKS::PodIdentityAssociation",
        "Properties": {
            "ClusterName": "analytics",
            "Namespace": "emr-jobs",
            "ServiceAccount": account or _pod_account(component),
            "RoleArn": {"Fn::GetAtt": [role, "Arn"]},
        },
    }


_TEMPLATE: Body = {
    "Parameters": {"Elsewhere": {"Type": "String"}},
    "Resources": {
        "SecurityConfiguration": {
            "Type": "AWS::EMRContainers::SecurityConfiguration",
            "Properties": {
                "Name": "spark-jobs-security",
                "SecurityConfigurationData": {
                    "EncryptionConfiguration": {
                        "AtRestEncryptionConfiguration": {
                            "LocalDiskEncryptionConfiguration": {
                                "EncryptionKeyProviderType": "AwsKms",
                                "AwsKmsKeyId": "arn:aws:kms:eu-west-1:111111111111:key/0a1b",
                            }
                        }
                    }
                },
            },
        },
        "VirtualCluster": {
            "Type": "AWS::EMRContainers::VirtualCluster",
            "Properties": {
                "ContainerProvider": {
                    "Id": "analytics",
                    "Info": {"EksInfo": {"Namespace": "emr-batch"}},
                    "Type": "EKS",
                },
                "Name": "spark-jobs",
                "SecurityConfigurationId": {"Fn::GetAtt": ["SecurityConfiguration", "Id"]},
            },
        },
        "IrsaRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [IRSA_TRUST]}},
        },
        "PodRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [POD_TRUST]}},
        },
        "PodClient": _association("client"),
        "PodDriver": _association("driver"),
        "PodExecutor": _association("executor"),
        "MachineRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "states.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ]
                }
            },
        },
        "Machine": _machine("IrsaRole"),
    },
}


def template() -> Body:
    return copy.deepcopy(_TEMPLATE)


def _outcomes(*bodies: Body) -> dict[str, dict[str, tuple[str, str]]]:
    """Rule id -> logical id -> (status, message)."""
    return rule_outcomes(*bodies, rules=EKS_RULES)


def _outcome(rule_id: str, body: Body, logical_id: str) -> tuple[str, str]:
    return _outcomes(body)[rule_id][logical_id]


def _changed(change: Callable[[Body], None]) -> Body:
    body = template()
    change(body)
    return body


def _properties(body: Body, logical_id: str) -> dict[str, Any]:
    properties: dict[str, Any] = body["Resources"][logical_id]["Properties"]
    return properties


def _trust(body: Body, role: str) -> list[Body]:
    statements: list[Body] = _properties(body, role)["AssumeRolePolicyDocument"]["Statement"]
    return statements


def _conditions(body: Body, role: str, operator: str) -> dict[str, Any]:
    condition: dict[str, Any] = _trust(body, role)[0]["Condition"][operator]
    return condition


# -- the compliant template and the rules' registration ------------------------------------------------------------


def test_the_compliant_template_passes_every_eks_rule() -> None:
    assert _outcomes(template()) == {
        "EMR-EKS1": {"VirtualCluster": ("COMPLIANT", "")},
        "EMR-EKS2": {"IrsaRole": ("COMPLIANT", ""), "PodRole": ("COMPLIANT", "")},
    }


def test_the_rules_are_registered_with_their_levels() -> None:
    assert {rule.id: rule.level for rule in EKS_RULES} == {"EMR-EKS1": "error", "EMR-EKS2": "error"}
    for rule in EKS_RULES:
        assert BY_ID[rule.id] is rule and rule in JUDGED_RULES and rule.title and rule.explanation and rule.fix
    assert "CreateVirtualCluster" in BY_ID["EMR-EKS1"].explanation
    assert "iam-execution-role" in BY_ID["EMR-EKS2"].explanation and "pod-id-role" in BY_ID["EMR-EKS2"].explanation


def test_a_template_without_emr_on_eks_is_not_judged() -> None:
    def change(body: Body) -> None:
        for logical_id in ("VirtualCluster", "IrsaRole", "PodRole", "PodClient", "PodDriver", "PodExecutor", "Machine"):
            del body["Resources"][logical_id]

    assert _outcomes(_changed(change)) == {rule_id: {} for rule_id in EKS}


# -- EMR-EKS1: a security configuration ----------------------------------------------------------------------------


def test_fails_without_a_security_configuration() -> None:
    body = _changed(lambda b: _properties(b, "VirtualCluster").pop("SecurityConfigurationId"))
    status, message = _outcome("EMR-EKS1", body, "VirtualCluster")
    assert status == "NON_COMPLIANT" and message.startswith("SecurityConfigurationId is not set")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"Ref": "SecurityConfiguration"}, "is the Ref of SecurityConfiguration (its ARN), not its Id"),
        ({"Fn::GetAtt": ["SecurityConfiguration", "Arn"]}, "is the Fn::GetAtt Arn of SecurityConfiguration"),
        ({"Fn::GetAtt": ["IrsaRole", "RoleId"]}, "names IrsaRole (AWS::IAM::Role), not a security configuration"),
        ("", "SecurityConfigurationId is empty"),
    ],
    ids=["Ref", "Arn", "another type", "empty"],
)
def test_fails_on_something_other_than_a_security_configuration_id(value: Any, expected: str) -> None:
    body = _changed(lambda b: _properties(b, "VirtualCluster").update(SecurityConfigurationId=value))
    status, message = _outcome("EMR-EKS1", body, "VirtualCluster")
    assert status == "NON_COMPLIANT" and expected in message


def test_a_literal_id_or_one_from_another_stack_passes() -> None:
    body = _changed(lambda b: _properties(b, "VirtualCluster").update(SecurityConfigurationId="0a1b2c3d4e5f"))
    assert _outcome("EMR-EKS1", body, "VirtualCluster") == ("COMPLIANT", "")
    shared: Body = {
        "Resources": {"SecurityConfiguration": _TEMPLATE["Resources"]["SecurityConfiguration"]},
        "Outputs": {"Id": {"Value": {"Fn::GetAtt": ["SecurityConfiguration", "Id"]}}},
    }
    reference = {"Fn::GetStackOutput": {"StackName": "t1", "Region": "eu-west-1", "OutputName": "Id"}}
    body = _changed(lambda b: _properties(b, "VirtualCluster").update(SecurityConfigurationId=reference))
    assert _outcomes(body, shared)["EMR-EKS1"]["VirtualCluster"] == ("COMPLIANT", "")


def test_an_id_from_a_parameter_is_not_applicable() -> None:
    body = _changed(lambda b: _properties(b, "VirtualCluster").update(SecurityConfigurationId={"Ref": "Elsewhere"}))
    assert _outcome("EMR-EKS1", body, "VirtualCluster") == (
        "NOT_APPLICABLE",
        "SecurityConfigurationId is not resolvable",
    )


# -- EMR-EKS2: which roles are execution roles ---------------------------------------------------------------------


def test_a_role_is_judged_by_its_trust_alone() -> None:
    """Without the state machine and the associations, the trusts still name the EMR service accounts."""

    def change(body: Body) -> None:
        for logical_id in ("Machine", "PodClient", "PodDriver", "PodExecutor"):
            del body["Resources"][logical_id]

    assert _outcomes(_changed(change))["EMR-EKS2"] == {"IrsaRole": ("COMPLIANT", ""), "PodRole": ("COMPLIANT", "")}


def test_a_role_that_a_job_run_names_is_judged_whatever_its_trust() -> None:
    body = _changed(lambda b: _conditions(b, "IrsaRole", "StringLike").update({SUB: "system:serviceaccount:emr:*"}))
    status, message = _outcome("EMR-EKS2", body, "IrsaRole")
    assert status == "NON_COMPLIANT" and "admits other service accounts than emr-containers-sa-" in message
    del body["Resources"]["Machine"]
    assert "IrsaRole" not in _outcomes(body)["EMR-EKS2"]


def test_the_aws_sdk_integration_names_its_role_too() -> None:
    def change(body: Body) -> None:
        body["Resources"]["Machine"] = _machine("MachineRole", "arn:aws:states:::aws-sdk:emrcontainers:startJobRun")

    assert _outcome("EMR-EKS2", _changed(change), "MachineRole") == (
        "NON_COMPLIANT",
        'trust statement 1 lets {"Service": "states.amazonaws.com"} assume the role beyond the EMR on EKS service '
        "accounts; no trust statement admits the EMR on EKS service accounts (IRSA or EKS Pod Identity)",
    )


def test_an_association_for_another_service_account_does_not_make_an_execution_role() -> None:
    def change(body: Body) -> None:
        body["Resources"]["Dns"] = _association("dns", role="MachineRole", account="external-dns")

    assert "MachineRole" not in _outcomes(_changed(change))["EMR-EKS2"]


# -- EMR-EKS2: IRSA ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        (_subject("*"), "subject 'system:serviceaccount:*:emr-containers-sa-*-*-<token>-6hi5"),
        (_subject("emr-*"), "admits any namespace"),
        ("system:serviceaccount:emr:*", "admits other service accounts than emr-containers-sa-*-*-<account>-"),
        ("system:serviceaccount:emr-batch:emr-containers-sa-*", "admits other service accounts"),
        ("system:serviceaccount:emr-batch:emr-containers-sa-*-*-*-abc", "admits other service accounts"),
        (_subject("Emr_Batch"), "names 'Emr_Batch', not a Kubernetes namespace"),
        ("repo:org/*", "is not system:serviceaccount:<namespace>:<service account>"),
        ([_subject("emr-batch"), _subject("emr-adhoc")], "holds 2 subjects ("),
    ],
    ids=["any namespace", "namespace pattern", "any account", "any role", "any account id", "bad name", "other", "two"],
)
def test_fails_on_a_subject_beyond_one_namespace_s_emr_service_accounts(subject: Any, expected: str) -> None:
    body = _changed(lambda b: _conditions(b, "IrsaRole", "StringLike").update({SUB: subject}))
    status, message = _outcome("EMR-EKS2", body, "IrsaRole")
    assert status == "NON_COMPLIANT" and message.startswith("trust statement 1 (IRSA) ") and expected in message


def test_fails_without_a_sub_condition() -> None:
    body = _changed(lambda b: _trust(b, "IrsaRole")[0].update(Condition={"StringEquals": {f"{ISSUER}:aud": "x"}}))
    assert _outcome("EMR-EKS2", body, "IrsaRole") == (
        "NON_COMPLIANT",
        "trust statement 1 (IRSA) has no StringLike or StringEquals condition on the provider's :sub",
    )
    del _trust(body, "IrsaRole")[0]["Condition"]
    assert _outcome("EMR-EKS2", body, "IrsaRole")[0] == "NON_COMPLIANT"


def test_fails_on_another_action() -> None:
    body = _changed(lambda b: _trust(b, "IrsaRole")[0].update(Action=["sts:AssumeRoleWithWebIdentity", "sts:*"]))
    status, message = _outcome("EMR-EKS2", body, "IrsaRole")
    assert status == "NON_COMPLIANT" and "not only sts:AssumeRoleWithWebIdentity" in message


@pytest.mark.parametrize(
    "change",
    [
        lambda b: _conditions(b, "IrsaRole", "StringLike").update({SUB: [_subject()]}),
        lambda b: _trust(b, "IrsaRole")[0].update(Condition={"StringEquals": {SUB: _subject()}}),
        lambda b: _conditions(b, "IrsaRole", "StringLike").update(
            {SUB: f"system:serviceaccount:emr-batch:emr-containers-sa-*-*-111111111111-{ENCODED}"}
        ),
        lambda b: _trust(b, "IrsaRole")[0]["Principal"].update(
            Federated=f"arn:aws:iam::111111111111:oidc-provider/{ISSUER}"
        ),
        lambda b: _trust(b, "IrsaRole").append({"Effect": "Deny", "Principal": "*", "Action": "sts:*"}),
    ],
    ids=["one-item list", "StringEquals", "literal account", "literal provider", "a deny"],
)
def test_other_forms_of_the_documented_trust_pass(change: Callable[[Body], None]) -> None:
    assert _outcome("EMR-EKS2", _changed(change), "IrsaRole") == ("COMPLIANT", "")


@pytest.mark.parametrize(
    "statement",
    [
        {
            "Effect": "Allow",
            "Principal": {"AWS": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:root"}},
            "Action": "sts:AssumeRole",
        },
        {**IRSA_TRUST, "Principal": {"Service": "ec2.amazonaws.com"}},
        {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"},
    ],
    ids=["account", "a service", "NotPrincipal"],
)
def test_fails_on_another_unscoped_trust_statement(statement: Body) -> None:
    body = _changed(lambda b: _trust(b, "IrsaRole").append(statement))
    status, message = _outcome("EMR-EKS2", body, "IrsaRole")
    assert status == "NON_COMPLIANT" and message.startswith("trust statement 2 lets ")
    assert message.endswith("assume the role beyond the EMR on EKS service accounts")


def test_a_namespace_from_a_parameter_is_not_applicable() -> None:
    subject = {"Fn::Join": [":", ["system:serviceaccount", {"Ref": "Elsewhere"}, "emr-containers-sa-*-*-1-a"]]}
    body = _changed(lambda b: _conditions(b, "IrsaRole", "StringLike").update({SUB: subject}))
    assert _outcome("EMR-EKS2", body, "IrsaRole") == (
        "NOT_APPLICABLE",
        f"the StringLike {SUB} of trust statement 1 (IRSA) is not resolvable",
    )
    body = _changed(lambda b: _trust(b, "IrsaRole")[0].update(Condition={"Fn::If": ["c", {}, {}]}))
    assert _outcome("EMR-EKS2", body, "IrsaRole")[0] == "NOT_APPLICABLE"
    body = _changed(lambda b: _trust(b, "IrsaRole")[0].update(Principal={"Federated": {"Ref": "Elsewhere"}}))
    assert _outcome("EMR-EKS2", body, "IrsaRole") == (
        "NOT_APPLICABLE",
        "the principal of trust statement 1 is not resolvable",
    )


# -- EMR-EKS2: EKS Pod Identity ------------------------------------------------------------------------------------


def test_fails_on_pod_identity_without_conditions() -> None:
    body = _changed(lambda b: _trust(b, "PodRole")[0].pop("Condition"))
    status, message = _outcome("EMR-EKS2", body, "PodRole")
    assert status == "NON_COMPLIANT"
    assert message.startswith("trust statement 1 (EKS Pod Identity) has no StringEquals condition on ")


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("aws:RequestTag/kubernetes-namespace", "*", "kubernetes-namespace '*' is not one namespace"),
        ("aws:RequestTag/kubernetes-namespace", ["emr-jobs", "default"], "holds 2 namespaces, not one"),
        ("aws:RequestTag/kubernetes-service-account", ["default"], "other than emr-containers-sa-*: 'default'"),
        ("aws:RequestTag/kubernetes-service-account", [], "has no StringEquals aws:RequestTag/kubernetes-service"),
        ("aws:RequestTag/kubernetes-namespace", None, "has no StringEquals aws:RequestTag/kubernetes-namespace"),
    ],
    ids=["any namespace", "two namespaces", "another account", "no account", "no namespace"],
)
def test_fails_on_pod_identity_beyond_one_namespace_s_emr_service_accounts(key: str, value: Any, expected: str) -> None:
    def change(body: Body) -> None:
        tags = _conditions(body, "PodRole", "StringEquals")
        if value is None:
            del tags[key]
        else:
            tags[key] = value

    status, message = _outcome("EMR-EKS2", _changed(change), "PodRole")
    assert status == "NON_COMPLIANT" and message.startswith("trust statement 1 (EKS Pod Identity) ")
    assert expected in message


def test_fails_on_pod_identity_conditions_under_string_like() -> None:
    def change(body: Body) -> None:
        condition = _trust(body, "PodRole")[0]["Condition"]
        condition["StringLike"] = condition.pop("StringEquals")

    assert _outcome("EMR-EKS2", _changed(change), "PodRole")[0] == "NON_COMPLIANT"


def test_pod_identity_tags_from_a_parameter_are_not_applicable() -> None:
    key = "aws:RequestTag/kubernetes-namespace"
    body = _changed(lambda b: _conditions(b, "PodRole", "StringEquals").update({key: {"Ref": "Elsewhere"}}))
    assert _outcome("EMR-EKS2", body, "PodRole") == (
        "NOT_APPLICABLE",
        f"the {key} of trust statement 1 (EKS Pod Identity) is not resolvable",
    )


# -- both adapters -------------------------------------------------------------------------------------------------


def _insecure() -> Body:
    body = template()
    del _properties(body, "VirtualCluster")["SecurityConfigurationId"]
    _conditions(body, "IrsaRole", "StringLike")[SUB] = _subject("*")
    del _trust(body, "PodRole")[0]["Condition"]
    return body


INSECURE = [
    ("EMR-EKS1", "VirtualCluster", "error"),
    ("EMR-EKS2", "IrsaRole", "error"),
    ("EMR-EKS2", "PodRole", "error"),
]


def test_check_templates_reports_each_finding_on_its_resource() -> None:
    assert check_templates(template_set(template())) == []
    found = sorted((f.rule.id, f.logical_id, f.level) for f in check_templates(template_set(_insecure())))
    assert found == INSECURE


def test_a_waiver_with_a_reason_waives_an_eks_rule() -> None:
    body = _insecure()
    body["Resources"]["PodRole"]["Metadata"] = {
        "cdk_nag": {"rules_to_suppress": [{"id": "EmrChecks-EMR-EKS2", "reason": "sandbox cluster of one team"}]}
    }
    found = check_templates(template_set(body))
    waived = [(f.rule.id, f.logical_id, f.waived_reason) for f in found if f.waived_reason]
    assert waived == [("EMR-EKS2", "PodRole", "sandbox cluster of one team")]


def test_the_check_command_reports_them(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = check_command_text(capsys, tmp_path, template(), _insecure(), INSECURE)
    assert "ERROR   EmrChecks-EMR-EKS1" in out and "insecure:VirtualCluster" in out
    assert "ERROR   EmrChecks-EMR-EKS2" in out and "insecure:PodRole" in out
    assert "Fix: Create an AWS::EMRContainers::SecurityConfiguration" in out


# -- EmrChecks on a CDK app of raw L1s -----------------------------------------------------------------------------


def _cdk_app(*, secure: bool) -> cdk.App:
    """A team's app with a raw ``CfnVirtualCluster``, an IRSA role and a Pod Identity role with its associations
    (no construct of this library)."""
    app = cdk.App(outdir=tempfile.mkdtemp(prefix="emr-checks-eks-"))
    stack = cdk.Stack(app, "Team")
    security = emrcontainers.CfnSecurityConfiguration(
        stack,
        "SecurityConfiguration",
        name="spark-jobs-security",
        security_configuration_data=_TEMPLATE["Resources"]["SecurityConfiguration"]["Properties"][
            "SecurityConfigurationData"
        ],
    )
    emrcontainers.CfnVirtualCluster(
        stack,
        "VirtualCluster",
        name="spark-jobs",
        container_provider={"id": "analytics", "type": "EKS", "info": {"eksInfo": {"namespace": "emr-batch"}}},
        security_configuration_id=security.attr_id if secure else None,
    )
    namespace = "emr-batch" if secure else "*"
    irsa = {
        **IRSA_TRUST,
        "Principal": {"Federated": f"arn:aws:iam::{stack.account}:oidc-provider/{ISSUER}"},
        "Condition": {
            "StringLike": {SUB: f"system:serviceaccount:{namespace}:emr-containers-sa-*-*-{stack.account}-{ENCODED}"}
        },
    }
    iam.CfnRole(stack, "IrsaRole", assume_role_policy_document={"Statement": [irsa]})
    pods = {**POD_TRUST, "Condition": {}} if not secure else POD_TRUST
    role = iam.CfnRole(stack, "PodRole", assume_role_policy_document={"Statement": [pods]})
    for component in ("client", "driver", "executor"):
        eks.CfnPodIdentityAssociation(
            stack,
            f"Pod{component.capitalize()}",
            cluster_name="analytics",
            namespace="emr-jobs",
            service_account=f"emr-containers-sa-spark-{component}-{stack.account}-{ENCODED}",
            role_arn=role.attr_arn,
        )
    cdk.Validations.of(app).add_plugins(EmrChecks(app))
    return app


def test_emr_checks_reports_them_on_the_virtual_cluster_and_the_roles() -> None:
    assert emr_checks_violations(_cdk_app(secure=False)) == [
        ("EmrChecks-EMR-EKS1", "Team/VirtualCluster"),
        ("EmrChecks-EMR-EKS2", "Team/IrsaRole"),
        ("EmrChecks-EMR-EKS2", "Team/PodRole"),
    ]


def test_emr_checks_passes_a_compliant_virtual_cluster_and_roles() -> None:
    assert emr_checks_violations(_cdk_app(secure=True)) == []
