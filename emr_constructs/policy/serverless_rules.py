"""The EMR Serverless rules (EMR-SLS1 to EMR-SLS7), resource rules like ``rules_deploy``'s.

EMR-SLS1 to SLS5 judge each ``AWS::EMRServerless::Application`` (network, capacity, auto-stop, log encryption);
EMR-SLS6 and SLS7 each IAM role that ``emr-serverless.amazonaws.com`` may assume (``serverless_roles``). A value
the template set cannot resolve makes a rule not applicable, never a failure. ``flag``, ``key_arn`` and
``combine`` serve ``studio_rules`` too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from emr_constructs.policy.clusters import ClusterView
from emr_constructs.policy.outcomes import COMPLIANT, Options, Outcome, fail, skip
from emr_constructs.policy.rules_deploy import Judgement, ResourceRule
from emr_constructs.policy.serverless_roles import (
    SERVICE,
    data_on_every_resource,
    execution_roles,
    missing_scope,
    permissions,
    statements_of,
)
from emr_constructs.policy.symbolic import literal, render
from emr_constructs.policy.templates import UNRESOLVED, Attr, Ref, Resource, TemplateSet

APPLICATION = "AWS::EMRServerless::Application"
LOG_GROUP = "AWS::Logs::LogGroup"


def _intrinsic(key: str) -> bool:
    return key == "Ref" or key.startswith("Fn::")


def _at(templates: TemplateSet, resource: Resource, *path: str) -> Any:
    """The value at ``path`` as written (None when absent, ``UNRESOLVED`` when an intrinsic on the way is)."""
    value: Any = resource.properties
    for key in path:
        if isinstance(value, dict) and len(value) == 1 and _intrinsic(next(iter(value))):
            value = templates.resolve(resource.template, value)
        if value is UNRESOLVED:
            return UNRESOLVED
        if not isinstance(value, dict):
            return None
        value = value.get(key)
        if value is None:
            return None
    return value


def _not_a_cluster_rule(view: ClusterView, options: Options) -> Outcome:
    return skip("judges EMR Serverless applications and execution roles, not clusters")


def flag(templates: TemplateSet, resource: Resource, value: Any) -> Any:
    """A boolean property: True, False, None when absent, ``UNRESOLVED`` otherwise (CloudFormation takes "true")."""
    value = templates.resolve(resource.template, value)
    if value is None or isinstance(value, bool):
        return value
    text = str(value).lower() if isinstance(value, str) else ""
    return {"true": True, "false": False}.get(text, UNRESOLVED)


def key_arn(templates: TemplateSet, resource: Resource, raw: Any, field: str) -> Outcome:
    """``raw`` must name a KMS key by its ARN (the schema's pattern ``arn:...:kms:...:key/...``)."""
    if raw is None:
        return fail(f"{field} is not set")
    value = templates.resolve(resource.template, raw)
    if isinstance(value, Attr) and value.resource.type == "AWS::KMS::Key" and value.attribute == "Arn":
        return COMPLIANT
    if isinstance(value, Ref | Attr):
        what = "Ref" if isinstance(value, Ref) else f"Fn::GetAtt {value.attribute}"
        target = value.resource
        return fail(f"{field} is the {what} of {target.logical_id} ({target.type}), not a KMS key's ARN")
    text = value if isinstance(value, str) else render(templates, resource.template, raw)
    if text is None:
        return skip(f"{field} is not resolvable")
    if ":kms:" in text and ":key/" in text:
        return COMPLIANT
    if literal(text):
        return fail(f"{field} {text!r} is not a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)")
    return skip(f"{field} is not resolvable to a KMS key ARN")


def combine(outcomes: list[Outcome]) -> Outcome:
    """Every failure, else every reason not applicable, else compliant."""
    failed = [o.message for o in outcomes if o.status == "NON_COMPLIANT"]
    if failed:
        return fail("; ".join(failed))
    skipped = [o.message for o in outcomes if o.status == "NOT_APPLICABLE"]
    return skip("; ".join(skipped)) if skipped else COMPLIANT


def network(templates: TemplateSet, application: Resource) -> Outcome:
    if _at(templates, application, "NetworkConfiguration") is None:
        return fail("no NetworkConfiguration: the workers run outside your VPC")
    outcomes = []
    for field in ("SubnetIds", "SecurityGroupIds"):
        value = templates.resolve(application.template, _at(templates, application, "NetworkConfiguration", field))
        if value is UNRESOLVED:
            outcomes.append(skip(f"NetworkConfiguration.{field} is not resolvable"))
        elif not isinstance(value, list) or not value:
            outcomes.append(fail(f"NetworkConfiguration has no {field}"))
    return combine(outcomes)


def maximum_capacity(templates: TemplateSet, application: Resource) -> Outcome:
    maximum = _at(templates, application, "MaximumCapacity")
    if maximum is None:
        return fail("no MaximumCapacity: the application may grow to the account's EMR Serverless vCPU quota")
    outcomes = []
    for field in ("Cpu", "Memory"):
        value = templates.resolve(application.template, _at(templates, application, "MaximumCapacity", field))
        if value is UNRESOLVED:
            outcomes.append(skip(f"MaximumCapacity.{field} is not resolvable"))
        elif value is None or value == "":
            outcomes.append(fail(f"MaximumCapacity has no {field}"))
    return combine(outcomes)


def auto_stop(templates: TemplateSet, application: Resource) -> Outcome:
    enabled = flag(templates, application, _at(templates, application, "AutoStopConfiguration", "Enabled"))
    if enabled is UNRESOLVED:
        return skip("AutoStopConfiguration.Enabled is not resolvable")
    if enabled is False:
        return fail("AutoStopConfiguration.Enabled is false: a started application runs until someone stops it")
    return COMPLIANT


def s3_logs(templates: TemplateSet, application: Resource) -> Outcome:
    s3 = _at(templates, application, "MonitoringConfiguration", "S3MonitoringConfiguration")
    if s3 is UNRESOLVED:
        return skip("MonitoringConfiguration.S3MonitoringConfiguration is not resolvable")
    if s3 is None:
        return fail("no MonitoringConfiguration.S3MonitoringConfiguration: job logs never reach your bucket")
    raw = _at(templates, application, "MonitoringConfiguration", "S3MonitoringConfiguration", "EncryptionKeyArn")
    return key_arn(templates, application, raw, "S3MonitoringConfiguration.EncryptionKeyArn")


def _log_group(templates: TemplateSet, application: Resource, raw: Any) -> Resource | Any | None:
    """The ``AWS::Logs::LogGroup`` of the set that ``LogGroupName`` names, None, or ``UNRESOLVED``."""
    value = templates.resolve(application.template, raw)
    if isinstance(value, Ref | Attr):
        return value.resource if value.resource.type == LOG_GROUP else None
    if isinstance(value, str):
        for group in templates.resources(LOG_GROUP):
            if templates.resolve(group.template, group.properties.get("LogGroupName")) == value:
                return group
        return None
    return None if value is None else UNRESOLVED


def cloudwatch_logs(templates: TemplateSet, application: Resource) -> Outcome:
    path = ("MonitoringConfiguration", "CloudWatchLoggingConfiguration")
    enabled = flag(templates, application, _at(templates, application, *path, "Enabled"))
    if enabled is UNRESOLVED:
        return skip("CloudWatchLoggingConfiguration.Enabled is not resolvable")
    if enabled is not True:
        return skip("CloudWatch logging is off")
    raw = _at(templates, application, *path, "EncryptionKeyArn")
    outcomes = [key_arn(templates, application, raw, "CloudWatchLoggingConfiguration.EncryptionKeyArn")]
    name = _at(templates, application, *path, "LogGroupName")
    group = _log_group(templates, application, name)
    if group is UNRESOLVED:
        outcomes.append(skip("CloudWatchLoggingConfiguration.LogGroupName is not resolvable"))
    elif isinstance(group, Resource) and group.properties.get("KmsKeyId") is None:
        outcomes.append(fail(f"log group {group.logical_id} has no KmsKeyId"))
    return combine(outcomes)


def _judge_applications(
    check: Callable[[TemplateSet, Resource], Outcome],
) -> Callable[[TemplateSet, Options], Iterator[Judgement]]:
    def judge(templates: TemplateSet, options: Options) -> Iterator[Judgement]:
        for application in templates.resources(APPLICATION):
            yield application, check(templates, application)

    return judge


def _judge_trust(templates: TemplateSet, options: Options) -> Iterator[Judgement]:
    for found in execution_roles(templates):
        problems, unknown = [], list(found.unknown)
        for label, statement in found.trusted:
            missing = missing_scope(templates, found.role.template, statement)
            if missing is None:
                unknown.append(f"the conditions of trust {label} are not resolvable")
            elif missing:
                problems.append(f"trust {label} lets {SERVICE} assume it without {' or '.join(missing)}")
        if problems:
            yield found.role, fail("; ".join(problems))
        elif unknown:
            yield found.role, skip("; ".join(unknown))
        else:
            yield found.role, COMPLIANT


def _judge_data_access(templates: TemplateSet, options: Options) -> Iterator[Judgement]:
    for found in execution_roles(templates):
        if not found.trusted:
            yield found.role, skip("; ".join(found.unknown))
            continue
        held = permissions(templates, found.role)
        problems = [f"AWS managed policy {name} grants data actions on every resource" for name in held.managed]
        unknown = list(held.unknown)
        for source, template, document in held.documents:
            statements = statements_of(document)
            if statements is None:
                unknown.append(f"the document of {source} is not resolvable")
                continue
            for label, statement in statements:
                verdict, granted = data_on_every_resource(templates, template, statement)
                if verdict is True:
                    shown = ", ".join(granted[:3]) + (f" and {len(granted) - 3} more" if len(granted) > 3 else "")
                    problems.append(f"{source} {label} allows {shown} on every resource")
                elif verdict is None:
                    unknown.append(f"whether {source} {label} grants data actions on every resource is not resolvable")
        if problems:
            yield found.role, fail("; ".join(problems))
        elif unknown:
            yield found.role, skip("; ".join(unknown))
        else:
            yield found.role, COMPLIANT


SERVERLESS_RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        "EMR-SLS1",
        "error",
        "EMR Serverless application in a VPC",
        "An application without NetworkConfiguration runs its workers outside your VPC: they cannot reach data "
        "stores in private subnets, and no security group, route table, VPC endpoint policy or flow log of yours "
        "governs or records their traffic.",
        "Set NetworkConfiguration.SubnetIds (private subnets) and NetworkConfiguration.SecurityGroupIds.",
        _not_a_cluster_rule,
        _judge_applications(network),
    ),
    ResourceRule(
        "EMR-SLS2",
        "warning",
        "EMR Serverless maximum capacity set",
        "Without MaximumCapacity (Cpu and Memory) an application scales up to the account's EMR Serverless vCPU "
        "quota: one runaway or mis-sized job can take all of it, and the bill that comes with it.",
        "Set MaximumCapacity.Cpu and MaximumCapacity.Memory to the most the application's jobs may use together, "
        "or waive the rule with the reason.",
        _not_a_cluster_rule,
        _judge_applications(maximum_capacity),
    ),
    ResourceRule(
        "EMR-SLS3",
        "warning",
        "EMR Serverless auto-stop on",
        "A started application keeps, and bills, its pre-initialised capacity (InitialCapacity) until it stops. "
        "Auto-stop is on when AutoStopConfiguration is absent (EMR's default: after 15 idle minutes); "
        "Enabled: false keeps the application running until someone stops it.",
        "Remove AutoStopConfiguration.Enabled: false, or set it true with IdleTimeoutMinutes; or waive the rule "
        "with the reason (an interactive application that must answer at once).",
        _not_a_cluster_rule,
        _judge_applications(auto_stop),
    ),
    ResourceRule(
        "EMR-SLS4",
        "error",
        "EMR Serverless S3 logs encrypted with a customer managed key",
        "Driver and executor logs carry job arguments, query text and samples of the data. "
        "MonitoringConfiguration.S3MonitoringConfiguration sends them to your bucket, where they are kept as long "
        "as you need; its EncryptionKeyArn encrypts them with a KMS key whose policy you control, whatever the "
        "bucket's default encryption.",
        "Set MonitoringConfiguration.S3MonitoringConfiguration with LogUri and EncryptionKeyArn, the ARN of a "
        "customer managed KMS key (Fn::GetAtt of the key's Arn).",
        _not_a_cluster_rule,
        _judge_applications(s3_logs),
    ),
    ResourceRule(
        "EMR-SLS5",
        "error",
        "EMR Serverless CloudWatch logs encrypted",
        "With CloudWatchLoggingConfiguration.Enabled, job logs also go to CloudWatch Logs: its EncryptionKeyArn "
        "must be a customer managed KMS key's ARN, and a log group the templates define that LogGroupName names "
        "(by Ref, Fn::GetAtt or its literal name) must be encrypted too (KmsKeyId).",
        "Set CloudWatchLoggingConfiguration.EncryptionKeyArn to the key's ARN, and KmsKeyId on the log group (its "
        "key policy must admit the CloudWatch Logs service principal of the Region).",
        _not_a_cluster_rule,
        _judge_applications(cloudwatch_logs),
    ),
    ResourceRule(
        "EMR-SLS6",
        "error",
        "EMR Serverless execution role trust scoped",
        f"A role that trusts {SERVICE} without aws:SourceAccount and aws:SourceArn conditions can be used by an "
        "EMR Serverless application of any account that is able to pass it (the confused-deputy problem). Every "
        "trust statement that lets the service assume the role must set both keys (case-insensitive) with "
        "StringEquals, StringLike, ArnEquals or ArnLike, to something other than `*`.",
        "Add to the trust statement StringEquals aws:SourceAccount (the account id) and ArnLike aws:SourceArn (the "
        "application's ARN, arn:PARTITION:emr-serverless:REGION:ACCOUNT:/applications/ID, or a pattern of them).",
        _not_a_cluster_rule,
        _judge_trust,
    ),
    ResourceRule(
        "EMR-SLS7",
        "error",
        "EMR Serverless execution role without data access on every resource",
        "Every job of every application that runs with the role gets its permissions. No Allow statement of its "
        "inline policies, of the AWS::IAM::Policy and ManagedPolicy resources that name it, or of the template's "
        "managed policies in its ManagedPolicyArns may grant a data action on every resource (Resource `*`, an "
        "ARN whose resource part is only `*` and `/` such as `arn:aws:s3:::*`, or NotResource). Data actions read, "
        "write or list S3 objects (s3:GetObject, PutObject, DeleteObject, ListBucket and the object versions), "
        "Glue Data Catalog tables and partitions, DynamoDB items, Kinesis records or MSK topic data "
        "(kafka-cluster:ReadData, WriteData), also through a wildcard that covers one (`s3:*`, `glue:Get*`, `*`). "
        "AWS managed policies known to do so fail too: AdministratorAccess, PowerUserAccess, AmazonS3FullAccess, "
        "AmazonS3ReadOnlyAccess, AmazonDynamoDBFullAccess, AmazonDynamoDBReadOnlyAccess, AmazonKinesisFullAccess, "
        "AmazonKinesisReadOnlyAccess, AWSGlueConsoleFullAccess, AWSGlueServiceRole and "
        "AmazonElasticMapReduceforEC2Role; other policies outside the templates are not read. Lake Formation "
        "actions are left out: they take no resource, so `*` is their only form, and Lake Formation's own grants "
        "govern the data. (AWS's sample runtime policy grants Glue on `*`: scope it.)",
        "Scope each data statement to the buckets and prefixes, the Glue catalog, databases and tables, and the "
        "DynamoDB tables, streams and topics the jobs use (bucket.grant_read(application); Glue catalog, "
        "database and table ARNs).",
        _not_a_cluster_rule,
        _judge_data_access,
    ),
)
