"""EMR applications: an open, enum-like set (``Application.of("Spark")``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from emr_constructs.spec.release import ReleaseLabel, Version

# Canonical spelling of the applications EMR ships (EMR Release Guide, "Application versions"), with the
# first release that offers it and, where it was retired, the last. Only availability we have checked is
# encoded; anything else is (None, None) and never rejected.
_KNOWN: dict[str, tuple[Version | None, Version | None]] = {
    "AmazonCloudWatchAgent": (Version(7, 0, 0), None),
    "Flink": (Version(5, 1, 0), None),
    "Ganglia": (None, Version(6, 15, 99)),
    "HBase": (None, None),
    "HCatalog": (None, None),
    "Hadoop": (None, None),
    "Hive": (None, None),
    "Hue": (None, None),
    "JupyterEnterpriseGateway": (Version(5, 32, 0), None),
    "JupyterHub": (Version(5, 14, 0), None),
    "Livy": (Version(5, 9, 0), None),
    "MXNet": (None, None),
    "Mahout": (None, None),
    "Oozie": (None, None),
    "Phoenix": (None, None),
    "Pig": (None, None),
    "Presto": (None, None),
    "PrestoSQL": (Version(6, 1, 0), Version(6, 3, 99)),
    "Spark": (None, None),
    "Sqoop": (None, None),
    "Tez": (None, None),
    "TensorFlow": (Version(5, 17, 0), None),
    "Trino": (Version(6, 4, 0), None),
    "Zeppelin": (None, None),
    "ZooKeeper": (None, None),
}
_BY_LOWER = {name.lower(): name for name in _KNOWN}


@dataclass(frozen=True)
class Application:
    """An application to install. Known names are normalised to EMR's spelling; others pass through."""

    name: str

    SPARK: ClassVar[Application]
    HADOOP: ClassVar[Application]
    HIVE: ClassVar[Application]
    LIVY: ClassVar[Application]
    TRINO: ClassVar[Application]
    HBASE: ClassVar[Application]
    FLINK: ClassVar[Application]
    JUPYTER_ENTERPRISE_GATEWAY: ClassVar[Application]

    @classmethod
    def of(cls, name: str) -> Application:
        cleaned = name.strip()
        if not cleaned or not cleaned.replace("-", "").isalnum():
            raise ValueError(
                f"application name {name!r} is not valid. Fix: use an EMR application name such as 'Spark'"
            )
        return cls(_BY_LOWER.get(cleaned.lower(), cleaned))

    @property
    def known(self) -> bool:
        return self.name in _KNOWN

    def availability_problem(self, release: ReleaseLabel) -> str | None:
        """Why ``release`` does not ship this application, or None when it does (or is unknown to us)."""
        first, last = _KNOWN.get(self.name, (None, None))
        if first is not None and release.version < first:
            return f"{self.name} needs emr-{first} or later"
        if last is not None and release.version > last:
            return f"{self.name} is not shipped after the emr-{last.major}.{last.minor} line"
        return None

    def __str__(self) -> str:
        return self.name


Application.SPARK = Application("Spark")
Application.HADOOP = Application("Hadoop")
Application.HIVE = Application("Hive")
Application.LIVY = Application("Livy")
Application.TRINO = Application("Trino")
Application.HBASE = Application("HBase")
Application.FLINK = Application("Flink")
Application.JUPYTER_ENTERPRISE_GATEWAY = Application("JupyterEnterpriseGateway")

# Applications that managed scaling does not scale on (it reads YARN metrics only).
NOT_YARN_SCALED = frozenset({"Presto", "PrestoSQL", "Trino", "HBase"})
