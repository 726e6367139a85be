"""Data-lake storage."""

from emr_constructs.storage.data_bucket import EmrDataBucket

__all__ = ["EmrDataBucket"]
