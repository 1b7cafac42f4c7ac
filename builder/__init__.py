"""lmspack: quiz questions kept as plain files, compiled into packages that LMSs import."""

__version__ = "0.1.0"
