#!/usr/bin/env python3
"""The CDK app: `make synth` (config/dev.yaml) or `npx cdk synth -c config=config/prod.yaml`."""

from __future__ import annotations

import sys

from emr_constructs.spec import ConfigError
from stacks import build_app


def main() -> None:
    try:
        app = build_app()
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    app.synth()


if __name__ == "__main__":
    main()
