"""cnncost: exact, layer-by-layer cost of CNN architectures (params, MACs, FLOPs, memory)."""

from __future__ import annotations

from .audit import AuditResult, BudgetCheck, assert_within_budget, audit
from .costs import LayerCost, ModelCost, OpCost, UnsupportedOp
from .errors import CnncostError, TraceError, UsageError
from .trace import analyze

__version__ = "0.1.0"

__all__ = [
    "AuditResult",
    "BudgetCheck",
    "CnncostError",
    "LayerCost",
    "ModelCost",
    "OpCost",
    "TraceError",
    "UnsupportedOp",
    "UsageError",
    "__version__",
    "analyze",
    "assert_within_budget",
    "audit",
]
