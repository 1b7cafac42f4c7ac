"""lmspack: quiz questions kept as plain files, compiled into packages that LMSs import."""

from pathlib import Path

__version__ = "0.1.0"

PACKAGE_DIR = Path(__file__).resolve().parent
# Installed wheels carry templates inside the package; a source checkout keeps them at the top.
TEMPLATE_DIRS = [p for p in (PACKAGE_DIR / "templates", PACKAGE_DIR.parent / "templates") if p.is_dir()]
