"""Advice on one ``ClusterSpec`` that is not an error: synth warnings with stable ids."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emr_constructs.spec import application_identity as identity
from emr_constructs.spec import capabilities as cap
from emr_constructs.spec.applications import NOT_YARN_SCALED

if TYPE_CHECKING:
    from emr_constructs.spec.cluster import ClusterSpec


def stack_managed_warnings(spec: ClusterSpec) -> list[tuple[str, str]]:
    """Advice for a cluster that a CloudFormation stack keeps (``EmrCluster``), not a transient job flow."""
    if spec.auto_termination_idle_seconds is None or not spec.keep_alive_when_no_steps:
        return []
    return [
        (
            "stack-managed-auto-termination",
            f"cluster {spec.name} terminates itself after {spec.auto_termination_idle_seconds // 60} idle minutes, "
            "but its stack keeps the terminated cluster: new steps and in-place updates then fail, and a deploy "
            f"does not bring it back. To bring it back, raise generation to {spec.generation + 1} in the config "
            "and run make deploy (the cluster is replaced). For work that should not keep a cluster, use a "
            "transient job flow",
        )
    ]


def identity_warnings(spec: ClusterSpec) -> list[tuple[str, str]]:
    installed = {app.name for app in spec.applications}
    found = []
    if spec.security.kerberos is not None:
        outside = identity.unkerberized_applications(installed)
        if outside:
            found.append(
                (
                    "kerberos-unsupported-application",
                    f"cluster {spec.name}: EMR does not configure {', '.join(outside)} for Kerberos; they may fail "
                    f"to talk to the Kerberized services ({identity.KERBEROS_APPLICATIONS_SOURCE})",
                )
            )
    if spec.security.runtime_roles is not None:
        direct = [identity.DIRECT_ENTRY_POINTS[name] for name in sorted(installed & set(identity.DIRECT_ENTRY_POINTS))]
        if direct:
            found.append(
                (
                    "runtime-roles-direct-sessions",
                    f"cluster {spec.name}: {', '.join(direct)} run as the EC2 instance profile, not a runtime role;"
                    " with runtime roles it has only the data access granted with instance_role: true "
                    f"({identity.RUNTIME_ROLES_SOURCE})",
                )
            )
    return found


def warnings(spec: ClusterSpec) -> list[tuple[str, str]]:
    """Advice that is not an error, as (stable id, message) pairs."""
    found: list[tuple[str, str]] = []
    if spec.release_label.version > cap.NEWEST_KNOWN:
        found.append(
            (
                "release-newer-than-table",
                f"{spec.release_label} is newer than the capability table (emr-{cap.NEWEST_KNOWN}, as of "
                f"{cap.AS_OF}); release gates assume it has every feature the table knows",
            )
        )
    if spec.managed_scaling is not None:
        unscaled = sorted({a.name for a in spec.applications} & NOT_YARN_SCALED)
        if unscaled:
            found.append(
                (
                    "managed-scaling-not-yarn",
                    f"managed scaling reads YARN metrics only; {', '.join(unscaled)} load does not drive it",
                )
            )
    if spec.security.kerberos_waiver is not None:
        found.append(
            (
                "kerberos-waived",
                f"cluster {spec.name} runs without Kerberos: {spec.security.kerberos_waiver.reason}",
            )
        )
    if spec.security.lake_formation is not None:
        others = sorted(
            {a.name for a in spec.applications} - {"Spark", "Hadoop", "Hive", "Livy", "JupyterEnterpriseGateway", "Tez"}
        )
        if others:
            found.append(
                (
                    "lake-formation-spark-only",
                    f"Lake Formation access control on EMR on EC2 applies to Spark jobs; {', '.join(others)} "
                    "read data without it",
                )
            )
    found.extend(identity_warnings(spec))
    for app in spec.applications:
        if not app.known:
            found.append(
                (
                    "unknown-application",
                    f"application {app.name!r} is not in the known list; check its spelling",
                )
            )
    return found
