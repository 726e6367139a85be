"""EMR Studio: authentication, Identity Center settings and session mappings, and what a Studio may attach.

Limits are named constants with their sources: the ``AWS::EMR::Studio`` and ``AWS::EMR::StudioSessionMapping``
resource pages of the CloudFormation Template Reference and the EMR Management Guide ("EMR Studio considerations",
"Cluster requirements for EMR Studio", emr-studio-cluster-requirements; "Use EMR Serverless with EMR Studio").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from emr_constructs.spec.base import SpecModel
from emr_constructs.spec.problems import ProblemCollector

if TYPE_CHECKING:
    from emr_constructs.spec.cluster import ClusterSpec
    from emr_constructs.spec.serverless import ServerlessApplicationSpec

#: AWS::EMR::Studio Name: 1-256 of ``[a-zA-Z0-9_-]``; Description at most 256.
NAME_PATTERN = r"^[a-zA-Z0-9_-]{1,256}$"
#: "EMR Studio considerations": at most 5 subnets, 5 Identity Center groups and 100 Identity Center users a Studio.
MAX_SUBNETS = 5
MAX_GROUPS = 5
MAX_USERS = 100
IDC_INSTANCE_ARN = r"^arn:aws[a-z-]*:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$"
SESSION_POLICY_ARN = r"^arn:aws[a-z-]*:iam::(\d{12}|aws):policy/[\w+=,.@/-]+$"
#: emr-studio-cluster-requirements: the releases and applications a Workspace attaches to.
CLUSTER_RELEASE_5 = "5.32.0"
CLUSTER_RELEASE_6 = "6.2.0"
CLUSTER_APPLICATIONS = ("Spark", "Livy", "JupyterEnterpriseGateway")
#: EMR Studio considerations: a Studio with trusted identity propagation cannot use EMR Serverless.
NO_SERVERLESS_WITH_TIP = (
    "a Studio with trusted identity propagation cannot use EMR Serverless (EMR Studio considerations)"
)


class SessionMappingSpec(SpecModel):
    """An Identity Center user or group and the session policy of its Studio sessions.

    ``session_policy_arn`` (default: the Studio's own user policy, which may create Workspaces and attach the
    Studio's clusters and Serverless applications) is a customer-managed policy's ARN.
    """

    identity_name: str = Field(min_length=1, max_length=256)
    identity_type: Literal["USER", "GROUP"]
    session_policy_arn: str | None = Field(default=None, pattern=SESSION_POLICY_ARN)


class StudioSpec(SpecModel):
    """An EMR Studio.

    ``auth_mode`` IAM (default: users sign in with IAM or federation through ``idp_auth_url``) or SSO (IAM Identity
    Center: ``idc_instance_arn``, ``idc_user_assignment`` REQUIRED by default so that only mapped users and groups
    get in, ``session_mappings``, optional ``trusted_identity_propagation``). ``clusters`` and
    ``serverless_applications`` name what the Studio's Workspaces may attach (default: none). ``allow_git``
    (default false) opens HTTPS from the Workspaces to the internet for public Git repositories.
    """

    name: str = Field(pattern=NAME_PATTERN)
    description: str | None = Field(default=None, max_length=256)
    auth_mode: Literal["IAM", "SSO"] = "IAM"
    idp_auth_url: str | None = Field(default=None, pattern=r"^https://\S+$", max_length=4096)
    idp_relay_state_parameter_name: str | None = Field(default=None, min_length=1, max_length=256)
    idc_instance_arn: str | None = Field(default=None, pattern=IDC_INSTANCE_ARN)
    idc_user_assignment: Literal["REQUIRED", "OPTIONAL"] = "REQUIRED"
    trusted_identity_propagation: bool = False
    session_mappings: tuple[SessionMappingSpec, ...] = ()
    clusters: tuple[str, ...] = ()
    serverless_applications: tuple[str, ...] = ()
    allow_git: bool = False

    @model_validator(mode="after")
    def _check(self) -> StudioSpec:
        problems = ProblemCollector(self)
        sso = self.auth_mode == "SSO"
        for field, value in (
            ("session_mappings", self.session_mappings),
            ("trusted_identity_propagation", self.trusted_identity_propagation),
            ("idc_instance_arn", self.idc_instance_arn),
        ):
            if value and not sso:
                problems.add(
                    field,
                    value,
                    "only IAM Identity Center studios (auth_mode: SSO) take it",
                    "set auth_mode: SSO or remove it",
                )
        if sso and self.idc_instance_arn is None:
            problems.add(
                "idc_instance_arn",
                None,
                "an IAM Identity Center studio needs the Identity Center instance",
                "set idc_instance_arn: arn:aws:sso:::instance/ssoins-...",
            )
        if sso and (self.idp_auth_url or self.idp_relay_state_parameter_name):
            problems.add(
                "idp_auth_url",
                self.idp_auth_url,
                "IdP federation is for IAM studios",
                "remove it or set auth_mode: IAM",
            )
        groups = [m for m in self.session_mappings if m.identity_type == "GROUP"]
        users = [m for m in self.session_mappings if m.identity_type == "USER"]
        if len(groups) > MAX_GROUPS or len(users) > MAX_USERS:
            problems.add(
                "session_mappings",
                f"{len(groups)} groups, {len(users)} users",
                f"a Studio takes at most {MAX_GROUPS} Identity Center groups and {MAX_USERS} users",
                "map fewer identities (map groups rather than users)",
            )
        identities = [(m.identity_type, m.identity_name) for m in self.session_mappings]
        for index, identity in enumerate(identities):
            if identities.index(identity) != index:
                problems.add(f"session_mappings[{index}]", identity[1], "mapped twice", "map each identity once")
        if self.trusted_identity_propagation and self.serverless_applications:
            problems.add(
                "serverless_applications",
                list(self.serverless_applications),
                NO_SERVERLESS_WITH_TIP,
                "remove the applications or turn trusted_identity_propagation off",
            )
        for field, names in (("clusters", self.clusters), ("serverless_applications", self.serverless_applications)):
            for index, name in enumerate(names):
                if names.index(name) != index:
                    problems.add(f"{field}[{index}]", name, "listed twice", "list each once")
        problems.raise_if_any()
        return self


def cluster_attach_problems(cluster: ClusterSpec) -> list[tuple[str, str, str]]:
    """Why a Workspace cannot attach ``cluster`` (path, message, fix); emr-studio-cluster-requirements and EMR
    Studio considerations."""
    found = []
    release = cluster.release_label
    if not (
        release.at_least(CLUSTER_RELEASE_6) or (release.version.major == 5 and release.at_least(CLUSTER_RELEASE_5))
    ):
        found.append(("release_label", "Workspaces attach to emr-5.32.0+ or emr-6.2.0+", "raise release_label"))
    installed = {application.name for application in cluster.installed_applications}
    missing = [name for name in CLUSTER_APPLICATIONS if name not in installed]
    if missing:
        found.append(
            (
                "applications",
                f"Workspaces need {', '.join(CLUSTER_APPLICATIONS)}; missing {', '.join(missing)}",
                f"add {', '.join(missing)} to applications",
            )
        )
    if cluster.security.kerberos is not None:
        found.append(
            ("security.kerberos", "Workspaces cannot attach to a cluster with Kerberos", "attach another cluster")
        )
    if cluster.multi_primary:
        found.append(
            (
                "instance_fleets",
                "Workspaces cannot attach to a cluster with several primary nodes",
                "attach a single-primary cluster",
            )
        )
    return found


def serverless_attach_problems(
    application: ServerlessApplicationSpec | None, studio: StudioSpec | None = None
) -> list[tuple[str, str, str]]:
    """Why a Workspace of ``studio`` cannot use ``application`` (a spec, or None when built elsewhere): Spark with
    interactive Studio use on (6.14.0+), and no trusted identity propagation."""
    found = []
    if studio is not None and studio.trusted_identity_propagation:
        found.append(("trusted_identity_propagation", NO_SERVERLESS_WITH_TIP, "turn trusted_identity_propagation off"))
    if application is None:
        return found
    if application.type != "Spark":
        found.append(("type", "Studio uses Spark applications only", "set type: Spark"))
    if not application.studio:
        found.append(("studio", "the application's interactive Studio use is off", "set studio: true (emr-6.14.0+)"))
    return found
