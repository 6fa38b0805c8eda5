"""The case page, one job per module: page (the page itself: loading, forms, actions, drafts), step_bar
(the usual road and the time limits), action_dialog, conflict_dialog, household (家庭), proposal
(测算结果), history (办理记录) and life (复核, 变更, 停保 and 修改家庭情况 of an approved case)."""

from .action_dialog import ActionDialog
from .conflict_dialog import ConflictDialog
from .page import CasePage
from .step_bar import StepBar, main_path

__all__ = ["ActionDialog", "CasePage", "ConflictDialog", "StepBar", "main_path"]
