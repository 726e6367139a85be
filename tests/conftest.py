from __future__ import annotations

import os

from hypothesis import settings

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("CDK_DISABLE_VERSION_CHECK", "1")
os.environ.setdefault("CDK_DISABLE_CLI_TELEMETRY", "1")
# No test may reach AWS: make any accidental client call fail fast instead of hanging on credentials.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

# Property tests (tests/spec/test_config_properties.py, tests/stacks/test_app_properties.py): "ci" is deterministic
# (the same examples every run), "dev" draws new ones; neither keeps an example database in the working tree.
settings.register_profile("ci", derandomize=True, max_examples=150, deadline=None, database=None, print_blob=True)
settings.register_profile("dev", max_examples=150, deadline=None, database=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
