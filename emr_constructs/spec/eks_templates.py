"""EMR on EKS job templates and managed endpoints of a virtual cluster.

A job template (``AWS::EMRContainers::JobTemplate``, every property create-only) holds a StartJobRun request whose
values may be ``${parameter}`` references, at most 100 parameters of type STRING or NUMBER (botocore's
``emr-containers`` model, ``TemplateParameterConfigurationMap`` and ``TemplateParameterName``). CloudFormation offers
the type only in some regions (its registry schemas, as cfn-lint ships them), which the config checks. A managed
endpoint (``AWS::EMRContainers::Endpoint``) is what EMR Studio Workspaces attach to on EKS: a Jupyter Enterprise
Gateway with the virtual cluster's execution role, release and logs.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from emr_constructs.spec import aws_data
from emr_constructs.spec.base import SpecModel
from emr_constructs.spec.configurations import ConfigurationSpec
from emr_constructs.spec.problems import ProblemCollector
from emr_constructs.spec.serverless_jobs import ServerlessSparkSpec

JOB_TEMPLATE_TYPE = "AWS::EMRContainers::JobTemplate"
MAX_PARAMETERS = aws_data.shape_maximum("emr-containers", "TemplateParameterConfigurationMap")
PARAMETER_NAME = aws_data.shape_constraints("emr-containers", "TemplateParameterName")
TEMPLATE_NAME = aws_data.shape_constraints("emr-containers", "ResourceNameString")
#: A reference to a template parameter inside a value.
REFERENCE = re.compile(r"\$\{([^}]*)\}")
#: AWS::EMRContainers::Endpoint: Name and SessionIdleTimeoutInMinutes (CloudFormation schema).
ENDPOINT_NAME = r"^[0-9A-Za-z][A-Za-z0-9\-_]{0,63}$"
JUPYTER_ENTERPRISE_GATEWAY = "JUPYTER_ENTERPRISE_GATEWAY"


class TemplateParameterSpec(SpecModel):
    """A parameter a job run fills in (``--job-template-parameters``): its type and optional default."""

    type: Literal["STRING", "NUMBER"] = "STRING"
    default: str | None = Field(default=None, min_length=1, max_length=1024, pattern=r"\S")


class EksJobTemplateSpec(SpecModel):
    """A job template for runs started by hand or by other tools (``aws emr-containers start-job-run
    --job-template-id``) with the virtual cluster's execution role, release (``release_label`` overrides it) and
    logs. ``spark.args`` and ``spark.conf`` values may reference ``parameters`` as ``${name}``; every reference must
    be declared and every parameter used. Default: no parameters, no configuration overrides."""

    name: str = Field(pattern=TEMPLATE_NAME[0], min_length=TEMPLATE_NAME[1], max_length=TEMPLATE_NAME[2])
    spark: ServerlessSparkSpec
    release_label: str | None = Field(default=None, pattern=r"^emr-\d+\.\d+\.\d+-(latest|\d{8})$")
    parameters: dict[str, TemplateParameterSpec] = Field(default_factory=dict, max_length=MAX_PARAMETERS)
    configurations: tuple[ConfigurationSpec, ...] = Field(default=(), max_length=100)

    @model_validator(mode="after")
    def _check(self) -> EksJobTemplateSpec:
        problems = ProblemCollector(self)
        pattern = re.compile(PARAMETER_NAME[0])
        for name in self.parameters:
            if not pattern.match(name) or len(name) > PARAMETER_NAME[2]:
                problems.add(
                    f"parameters.{name}",
                    name,
                    f"a parameter name is 1-{PARAMETER_NAME[2]} of letters, digits and . - _ #",
                    "rename it",
                )
        values = [*self.spark.args, *self.spark.conf.keys(), *self.spark.conf.values()]
        referenced = {match for value in values for match in REFERENCE.findall(value)}
        for name in sorted(referenced - set(self.parameters)):
            problems.add(
                "spark",
                f"${{{name}}}",
                "references a parameter the template does not declare",
                f"declare it under parameters ({name}: {{type: STRING}}) or remove the reference",
            )
        for name in sorted(set(self.parameters) - referenced):
            problems.add(
                f"parameters.{name}",
                name,
                "no value of spark.args or spark.conf references it",
                f"reference it as ${{{name}}} or remove it",
            )
        problems.raise_if_any()
        return self


class ManagedEndpointSpec(SpecModel):
    """A managed endpoint (Jupyter Enterprise Gateway) for EMR Studio Workspaces, with the virtual cluster's
    execution role, release and logs. ``idle_timeout_minutes`` (1-1440) ends idle sessions. Default: EMR's."""

    name: str = Field(pattern=ENDPOINT_NAME)
    idle_timeout_minutes: int | None = Field(default=None, ge=1, le=1440)
