"""Service principals shared by every stack of the process."""

from __future__ import annotations

from functools import cache

from aws_cdk import aws_iam as iam


@cache
def service_principal(service: str) -> iam.ServicePrincipal:
    """The principal of ``service`` (``"emr.amazonaws.com"``), made once per process. It holds only the name:
    aws-cdk-lib renders it for the stack that uses it at synthesis (its ``ServicePrincipalToken`` resolves the
    Region's service name there), so every stack and app may share one. Each new object is a call into the jsii
    kernel."""
    return iam.ServicePrincipal(service)
