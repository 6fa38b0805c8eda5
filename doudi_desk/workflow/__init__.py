"""Workflow engine: one shared ``transitions`` machine per workflow definition."""

from .engine import TriggerOption, WorkflowEngine

__all__ = ["TriggerOption", "WorkflowEngine"]
