"""The rules page (``docs/policy-rules.md``), generated from the rules themselves:
``python -m emr_constructs.policy.docs > docs/policy-rules.md``."""

from __future__ import annotations

from emr_constructs.policy.engine import PACK, nag_id
from emr_constructs.policy.rules import BY_ID
from emr_constructs.spec import capabilities as cap

HEADER = f"""# EMR policy rules

Each rule is written once (`emr_constructs/policy/rules.py`) and run by two adapters:

- **`EmrChecks`**, a cdk-nag v3 pack for any CDK app:
  `cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), EmrChecks(app))`. This repository's own app
  registers it beside AwsSolutions, HIPAA Security and NIST 800-53 R5, so `make synth` fails on any finding.
- **`emr-constructs check PATH...`** over synthesised templates (a `cdk.out` directory, or CloudFormation JSON or
  YAML with short-form intrinsics), for teams without these constructs or without CDK. It also runs cfn-lint.

Both read every cluster the templates create: each `AWS::EMR::Cluster` (raw ones included) and each
`RunJobFlow` request in a Step Functions state machine's `elasticmapreduce:createCluster` or
`aws-sdk:emr:runJobFlow` task. References are followed within a template (`Ref`, `Fn::GetAtt`) and across
the templates of one `cdk.out` (`Fn::ImportValue`, and the CDK's weak references `Fn::GetStackOutput`). A value
that cannot be resolved (a parameter, an import from outside) makes a rule not applicable, never a failure.

Three rules judge resources of any template rather than clusters (`emr_constructs/policy/rules_deploy.py`):
EMR-MON1 and EMR-MON2 follow every CloudWatch alarm action and every EventBridge rule target to the SNS topic it
names (`Ref`, `Fn::GetAtt`, `Fn::ImportValue`) and evaluate, as IAM would, whether the topic policy and the topic's
KMS key policy let that publisher in with the condition keys it sends; EMR-DEP1 reads every Lambda function. Their
findings sit on the topic or the function.

Seven rules judge EMR Serverless (`emr_constructs/policy/serverless_rules.py`): EMR-SLS1 to EMR-SLS5 each
`AWS::EMRServerless::Application` (network, maximum capacity, auto-stop, log encryption), with their findings on the
application; EMR-SLS6 and EMR-SLS7 each IAM role that `emr-serverless.amazonaws.com` may assume (a job execution
role, judged wherever it is defined, since an application does not name its roles), with their findings on the role.

Three rules judge EMR Studio (`emr_constructs/policy/studio_rules.py`), each `AWS::EMR::Studio` with its findings on
the Studio: EMR-STU1 its Workspace storage (EncryptionKeyArn, and the encryption of the DefaultS3Location bucket when
the templates define it), EMR-STU2 its engine and Workspace security groups (their inline rules and the
`AWS::EC2::SecurityGroupIngress` resources on them), EMR-STU3 its authentication mode.

Two rules judge EMR on EKS (`emr_constructs/policy/eks_rules.py`): EMR-EKS1 each
`AWS::EMRContainers::VirtualCluster` (created with a security configuration), with its finding on the virtual cluster;
EMR-EKS2 each job execution role (named by a `startJobRun` state, bound by a Pod Identity association, or trusting
EMR on EKS service accounts), its trust scoped to one namespace and the EMR service-account pattern, with its finding
on the role.

## Waivers

A finding is waived on its resource (the cluster, the state machine of a job flow, or the topic, function,
application, role, Studio or virtual cluster a resource rule judges) with a reason:

- in a CDK app, acknowledge it:
  `cdk.Validations.of(cluster).acknowledge(cdk.Acknowledgment(id="{PACK}::{PACK}-EMR-OPS2", reason="..."))`;
- in a template, with cdk-nag's own metadata (what `write_suppressions_to_cloud_formation` writes):
  `Metadata: {{cdk_nag: {{rules_to_suppress: [{{id: {PACK}-EMR-OPS2, reason: "..."}}]}}}}`.

A waiver without a reason waives nothing and is itself a finding (`{PACK}-EMR-WAIVER`).

## `emr-constructs check`

    emr-constructs check cdk.out [--format text|json|sarif] [--output FILE] [--region REGION]
                                 [--release-floor emr-X.Y.Z] [--as-of YYYY-MM-DD] [--no-cfn-lint]

Exit status: **0** clean; **1** findings (an unwaived rule finding of either level, or a cfn-lint error or
warning); **2** usage error or unreadable input. `--format sarif` writes SARIF 2.1.0, one result per finding with
the template path and logical id, for code scanning. Release support is judged at the support table's date
({cap.SUPPORT_AS_OF.isoformat()}) unless `--as-of` says otherwise, so results do not change while nobody touches
the repository.

## Marking clusters

- `emr-constructs:multi-tenant=true` (a cluster tag): the cluster is shared by several users or teams (EMR-AUTH1).
- `emr-constructs:long-running=true` (a cluster tag), or termination protection: the replacement guard fails on
  changes that would replace it.

## Rules
"""


def render() -> str:
    sections = [HEADER]
    for rule in BY_ID.values():
        sections.append(
            f"""
### {rule.id}

**{rule.title}** ({rule.level}; reported as `{nag_id(rule)}`)

- Why: {rule.explanation}
- Fix: {rule.fix}
- Waive: acknowledge `{PACK}::{nag_id(rule)}`, or `rules_to_suppress: [{{id: {nag_id(rule)}, reason: ...}}]`.
"""
        )
    return "".join(sections)


if __name__ == "__main__":
    print(render(), end="")
