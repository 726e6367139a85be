"""Build the API reference of ``emr_constructs`` from its docstrings with pdoc: ``make docs``.

    python scripts/build_docs.py [--output site]

Offline (no MathJax, no Mermaid, nothing fetched) and strict: every warning raised while importing the modules or
rendering them (an ``__all__`` name that does not resolve, a module that fails to import, a docstring pdoc cannot
read) is printed and fails the build with exit 1.

Only the public modules are documented: the package, whose page covers every name ``from emr_constructs import``
offers, and each public subpackage by its ``__all__``. Their implementation modules (``emr_constructs.cluster.base``
and the like), the command line and the internal helpers are left out. ``emr_constructs`` and
``emr_constructs.security`` re-export their names lazily (a module ``__getattr__``, so that pure-data imports never
start jsii); pdoc reads ``__all__`` names from the module's namespace only, so the build resolves those names into the
namespace first.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import shutil
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

# The quiet and offline settings of the Makefile, for runs outside make: no Node end-of-life banner from jsii.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

REPO = Path(__file__).resolve().parent.parent

# The documented modules, in the order of the index. Each subpackage is documented by its own ``__init__`` and
# ``__all__``; its submodules are implementation detail (see ``_IMPLEMENTATION``).
PUBLIC_MODULES = (
    "emr_constructs",
    "emr_constructs.spec",
    "emr_constructs.cluster",
    "emr_constructs.jobs",
    "emr_constructs.jobflow",
    "emr_constructs.network",
    "emr_constructs.iam",
    "emr_constructs.logging",
    "emr_constructs.storage",
    "emr_constructs.catalog",
    "emr_constructs.access",
    "emr_constructs.baseline",
    "emr_constructs.serverless",
    "emr_constructs.studio",
    "emr_constructs.eks",
    "emr_constructs.security",
    "emr_constructs.security.certs",
    "emr_constructs.monitoring",
    "emr_constructs.render",
    "emr_constructs.policy",
    "emr_constructs.policy.nag_pack",
    "emr_constructs.cost",
    "emr_constructs.operations",
)

# pdoc adds every submodule of a module it is given; this pattern takes the deeper ones out again (a "!" spec).
_IMPLEMENTATION = r"emr_constructs\.[a-z_]+\..+"

# Packages whose ``__all__`` names are served by a module ``__getattr__`` (``_EXPORTS``).
_LAZY_PACKAGES = ("emr_constructs", "emr_constructs.security")


def _specs(modules: Sequence[str]) -> list[str]:
    """pdoc's module specs: ``modules``, without the submodules pdoc would add, with the deeper public ones."""
    kept = [name for name in modules if re.fullmatch(_IMPLEMENTATION, name)]
    return [*modules, "!" + _IMPLEMENTATION, *kept]


def _resolve_lazy_exports() -> None:
    """Put each lazily exported name into its package's namespace, where pdoc looks for ``__all__`` names."""
    for name in _LAZY_PACKAGES:
        package = importlib.import_module(name)
        for exported in package.__all__:
            vars(package).setdefault(exported, getattr(package, exported))


def build(output: Path, modules: Sequence[str] = PUBLIC_MODULES) -> list[str]:
    """Render the reference of ``modules`` into ``output`` (emptied first); return the warnings, formatted (empty
    when clean)."""
    import pdoc
    import pdoc.render

    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _resolve_lazy_exports()
        pdoc.render.configure(
            docformat="restructuredtext",
            footer_text="emr-constructs",
            math=False,
            mermaid=False,
            search=True,
            show_source=False,
        )
        pdoc.pdoc(*_specs(modules), output_directory=output)
    return [f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in caught]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=REPO / "site", help="output directory (default: site/)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    problems = build(args.output)
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    if problems:
        print(f"API reference: {len(problems)} warning(s), treated as errors", file=sys.stderr)
        return 1
    pages = sum(1 for _ in args.output.rglob("*.html"))
    print(f"API reference: {pages} pages in {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
