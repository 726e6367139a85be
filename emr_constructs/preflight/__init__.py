"""Read-only checks that EMR can launch a config's clusters in its account and region."""

from emr_constructs.preflight.checks import Finding, Preflight

__all__ = ["Finding", "Preflight"]
