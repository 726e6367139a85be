"""Will EMR be able to launch these clusters in this account? Read-only AWS calls, each finding with what to do.

Checks per cluster (and per job flow's cluster) of a config, in its account and region:

- the release label exists in the region (``emr:ListReleaseLabels``), and EMR supports each instance type for that
  release (``emr:ListSupportedInstanceTypes``);
- each instance type is offered in the availability zones the cluster may launch into
  (``ec2:DescribeInstanceTypeOfferings``): in none of them is blocking, in only some a warning;
- at maximum capacity, the vCPUs fit the account's Standard-family vCPU quotas (Service Quotas ``L-1216C47A``
  "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances" and ``L-34B43A08`` "All Standard (A, C, D, H, I,
  M, R, T, Z) Spot Instance Requests", EC2 User Guide "Amazon EC2 service quotas") less the vCPUs already running
  (``ec2:DescribeInstances``), counted with each fleet's largest type per unit (``ec2:DescribeInstanceTypes``);
- an existing network's subnets have free addresses for the cluster at maximum capacity (``ec2:DescribeSubnets``);
- the KMS keys the config names exist and are enabled (``kms:DescribeKey`` in the config's region; the spec already
  rejects a key ARN of another region);
- the CDK bootstrap version parameter exists for the configured qualifier (``ssm:GetParameter``);
- the account's EMR block public access is on (``emr:GetBlockPublicAccessConfiguration``) and allows what the
  config's account baseline asks for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from botocore.exceptions import ClientError

from emr_constructs.cost.estimate import capacity_points
from emr_constructs.cost.prices import PriceError
from emr_constructs.spec import AppConfig, ClusterSpec, InstanceFleetSpec

ON_DEMAND_QUOTA = ("L-1216C47A", "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances")
SPOT_QUOTA = ("L-34B43A08", "All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests")
#: Instance families counted by the Standard quotas (the letters in the quota names).
STANDARD_FAMILIES = frozenset("acdhimrtz")

Severity = Literal["blocking", "warning"]
ClientFor = Callable[[str], Any]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    cluster: str
    check: str
    message: str
    fix: str


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[Any]:
    yield from (item for page in client.get_paginator(operation).paginate(**kwargs) for item in page.get(key, []))


def _token_pages(call: Callable[..., Any], key: str, token: str, **kwargs: Any) -> Iterator[Any]:
    """Items of an EMR list call that botocore has no paginator for (``NextToken`` or ``Marker``)."""
    while True:
        page = call(**kwargs)
        yield from page.get(key, [])
        if not page.get(token):
            return
        kwargs[token] = page[token]


def _types(spec: ClusterSpec) -> set[str]:
    if spec.instance_fleets is not None:
        return {t.instance_type for _, fleet in spec.instance_fleets.named() for t in fleet.instance_types}
    groups = spec.instance_groups
    assert groups is not None
    return {g.instance_type for g in (groups.primary, groups.core, *groups.tasks) if g is not None}


def _is_standard(instance_type: str) -> bool:
    return instance_type[:1] in STANDARD_FAMILIES


class Preflight:
    """The checks for one config; ``client(service)`` returns a boto3 client for the config's region."""

    def __init__(self, config: AppConfig, client: ClientFor) -> None:
        self.config = config
        self.client = client
        self.findings: list[Finding] = []
        self._vcpus: dict[str, int] = {}

    def add(self, severity: Severity, cluster: str, check: str, message: str, fix: str) -> None:
        self.findings.append(Finding(severity, cluster, check, message, fix))

    def run(self) -> list[Finding]:
        clusters = [*self.config.clusters, *(flow.cluster for flow in self.config.job_flows)]
        emr, ec2 = self.client("emr"), self.client("ec2")
        releases = set(_token_pages(emr.list_release_labels, "ReleaseLabels", "NextToken"))
        zones, subnets = self._zones(ec2)
        all_types = set().union(*(_types(c) for c in clusters))
        offered: dict[str, set[str]] = {}
        for offering in _pages(
            ec2,
            "describe_instance_type_offerings",
            "InstanceTypeOfferings",
            LocationType="availability-zone",
            Filters=[{"Name": "instance-type", "Values": sorted(all_types)}],
        ):
            offered.setdefault(offering["InstanceType"], set()).add(offering["Location"])
        for info in _pages(ec2, "describe_instance_types", "InstanceTypes", InstanceTypes=sorted(all_types)):
            self._vcpus[info["InstanceType"]] = int(info["VCpuInfo"]["DefaultVCpus"])
        peaks = {}
        for cluster in clusters:
            self._release(emr, cluster, releases)
            self._offerings(cluster, offered, zones)
            peaks[cluster.name] = self._peak(cluster)
        self._quotas(ec2, peaks)
        if subnets:
            self._addresses(subnets, peaks)
        self._keys(clusters)
        self._bootstrap()
        self._block_public_access(emr)
        return self.findings

    # --- the checks ---------------------------------------------------------------------------------------------

    def _zones(self, ec2: Any) -> tuple[set[str], dict[str, int]]:
        """The zones the clusters may launch into, and the free addresses of an existing network's subnets."""
        existing = self.config.network.existing
        if existing is None:
            return set(self.config.availability_zones), {}
        found = list(_pages(ec2, "describe_subnets", "Subnets", SubnetIds=list(existing.private_subnet_ids)))
        return {s["AvailabilityZone"] for s in found}, {s["SubnetId"]: int(s["AvailableIpAddressCount"]) for s in found}

    def _release(self, emr: Any, cluster: ClusterSpec, releases: set[str]) -> None:
        label = cluster.release_label.label
        if label not in releases:
            self.add(
                "blocking",
                cluster.name,
                "release",
                f"release {label} is not offered in {self.config.region}",
                "pick a release that `aws emr list-release-labels` lists in this region",
            )
            return
        listed = _token_pages(emr.list_supported_instance_types, "SupportedInstanceTypes", "Marker", ReleaseLabel=label)
        supported = {t["Type"] for t in listed}
        for instance_type in sorted(_types(cluster) - supported):
            self.add(
                "blocking",
                cluster.name,
                "instance-type",
                f"{instance_type} is not supported by EMR {label} in {self.config.region}",
                f"drop {instance_type} or replace it with a type that `aws emr list-supported-instance-types "
                f"--release-label {label}` lists",
            )

    def _offerings(self, cluster: ClusterSpec, offered: dict[str, set[str]], zones: set[str]) -> None:
        for instance_type in sorted(_types(cluster)):
            available = offered.get(instance_type, set()) & zones
            if not available:
                self.add(
                    "blocking",
                    cluster.name,
                    "offering",
                    f"{instance_type} is offered in none of the zones {sorted(zones)}",
                    f"drop or replace {instance_type}, or pick subnets in zones that offer it",
                )
            elif available != zones:
                self.add(
                    "warning",
                    cluster.name,
                    "offering",
                    f"{instance_type} is offered only in {sorted(available)} of {sorted(zones)}",
                    f"expect EMR to avoid the other zones for {instance_type}, or replace it",
                )

    def _peak(self, cluster: ClusterSpec) -> dict[str, float]:
        """vCPUs (Standard families) On-Demand and Spot, and instances, at the cluster's largest capacity point."""

        def most_vcpus(fleet: InstanceFleetSpec) -> tuple[str, int]:
            best = max(fleet.instance_types, key=lambda t: self._vcpus.get(t.instance_type, 0) / t.weighted_capacity)
            return best.instance_type, best.weighted_capacity

        try:
            points = capacity_points(cluster, most_vcpus)
        except PriceError as error:
            self.add("warning", cluster.name, "quota", f"capacity not modelled: {error}", "check the quotas by hand")
            return {"on_demand": 0, "spot": 0, "instances": 0}
        peak = {"on_demand": 0.0, "spot": 0.0, "instances": 0.0}
        for _, _, usage in points:
            point = {"on_demand": 0.0, "spot": 0.0, "instances": 0.0}
            for item in usage:
                point["instances"] += item.instances
                if _is_standard(item.instance_type):
                    point["spot" if item.spot else "on_demand"] += item.instances * self._vcpus.get(
                        item.instance_type, 0
                    )
            peak = {key: max(peak[key], point[key]) for key in peak}
        return peak

    def _quotas(self, ec2: Any, peaks: dict[str, dict[str, float]]) -> None:
        quotas = self.client("service-quotas")
        running = {"on_demand": 0.0, "spot": 0.0}
        for reservation in _pages(
            ec2, "describe_instances", "Reservations", Filters=[{"Name": "instance-state-name", "Values": ["running"]}]
        ):
            for instance in reservation["Instances"]:
                if _is_standard(instance["InstanceType"]):
                    cpu = instance.get("CpuOptions", {})
                    vcpus = cpu.get("CoreCount", 0) * cpu.get("ThreadsPerCore", 1)
                    running["spot" if instance.get("InstanceLifecycle") == "spot" else "on_demand"] += vcpus
        for kind, (code, name) in (("on_demand", ON_DEMAND_QUOTA), ("spot", SPOT_QUOTA)):
            needed = sum(peak[kind] for peak in peaks.values())
            if not needed:
                continue
            limit = float(quotas.get_service_quota(ServiceCode="ec2", QuotaCode=code)["Quota"]["Value"])
            free = limit - running[kind]
            if needed > free:
                self.add(
                    "blocking",
                    ", ".join(sorted(name for name, peak in peaks.items() if peak[kind])),
                    "quota",
                    f"{needed:g} {kind.replace('_', '-')} vCPUs at maximum capacity, but {name} ({code}) is "
                    f"{limit:g} with {running[kind]:g} in use",
                    f"request an increase of '{name}' ({code}) in Service Quotas to at least "
                    f"{running[kind] + needed:g} vCPUs, or lower the maximum capacity",
                )

    def _addresses(self, subnets: dict[str, int], peaks: dict[str, dict[str, float]]) -> None:
        for cluster, peak in peaks.items():
            needed = int(peak["instances"] + 0.999)
            short = {s: free for s, free in subnets.items() if free < needed}
            if len(short) == len(subnets):
                self.add(
                    "blocking",
                    cluster,
                    "addresses",
                    f"no subnet has {needed} free addresses for the cluster at maximum capacity ({short})",
                    "pick larger subnets, or lower the maximum capacity",
                )
            elif short:
                self.add(
                    "warning",
                    cluster,
                    "addresses",
                    f"subnets {sorted(short)} have fewer than {needed} free addresses",
                    "leave them out of network.existing.private_subnet_ids",
                )

    def _keys(self, clusters: list[ClusterSpec]) -> None:
        kms = self.client("kms")
        for cluster in clusters:
            security = cluster.security
            arns = [*security.given_node_key_arns, security.hbase_wal_kms_key_arn]
            for arn in sorted({a for a in arns if a}):
                try:
                    state = kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"]
                except ClientError as error:
                    code = error.response.get("Error", {}).get("Code", "")
                    self.add(
                        "blocking",
                        cluster.name,
                        "kms",
                        f"key {arn}: {code}",
                        "create the key, or grant kms:DescribeKey to whoever runs preflight",
                    )
                    continue
                if state != "Enabled":
                    self.add("blocking", cluster.name, "kms", f"key {arn} is {state}", "enable the key")

    def _bootstrap(self) -> None:
        name = f"/cdk-bootstrap/{self.config.bootstrap_qualifier}/version"
        try:
            self.client("ssm").get_parameter(Name=name)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            self.add(
                "blocking",
                "(account)",
                "bootstrap",
                f"{name}: {code}",
                f"run `cdk bootstrap aws://{self.config.account}/{self.config.region} --qualifier "
                f"{self.config.bootstrap_qualifier}`",
            )

    def _block_public_access(self, emr: Any) -> None:
        configuration = emr.get_block_public_access_configuration()["BlockPublicAccessConfiguration"]
        baseline = self.config.account_baseline
        blocking = bool(configuration.get("BlockPublicSecurityGroupRules", False))
        if not blocking:
            wanted_off = baseline.enabled and not baseline.block_public_security_group_rules
            if not wanted_off:
                self.add(
                    "warning",
                    "(account)",
                    "block-public-access",
                    "EMR block public access is off",
                    "turn it on (account_baseline.enabled deploys it)",
                )
            return
        if not baseline.enabled:
            return
        allowed = {
            (r["MinRange"], r.get("MaxRange", r["MinRange"]))
            for r in configuration.get("PermittedPublicSecurityGroupRuleRanges", [])
        }
        wanted = {(r.min, r.upper) for r in baseline.permitted_public_port_ranges}
        if wanted != allowed:
            self.add(
                "warning",
                "(account)",
                "block-public-access",
                f"the account permits public ports {sorted(allowed)}, the config's baseline {sorted(wanted)}",
                "deploy the account baseline stack, or align account_baseline.permitted_public_ports",
            )
