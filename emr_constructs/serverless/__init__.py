"""EMR Serverless applications."""

from emr_constructs.serverless.application import EmrServerlessApplication

__all__ = ["EmrServerlessApplication"]
