"""S3 log storage for EMR clusters."""

from emr_constructs.logging.log_bucket import EmrLogBucket

__all__ = ["EmrLogBucket"]
