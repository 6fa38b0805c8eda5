"""Workflow and form definitions loaded from YAML (the only package that imports ``yaml``)."""

from .loader import (
    DefinitionError,
    Definitions,
    default_root,
    load_definitions,
    load_forms,
    load_workflow,
)

__all__ = [
    "DefinitionError",
    "Definitions",
    "default_root",
    "load_definitions",
    "load_forms",
    "load_workflow",
]
