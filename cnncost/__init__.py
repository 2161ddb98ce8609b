"""cnncost: exact, layer-by-layer cost of CNN architectures (params, MACs, FLOPs, memory)."""

from __future__ import annotations

from .costs import LayerCost, ModelCost, OpCost, UnsupportedOp
from .errors import CnncostError, TraceError, UsageError
from .trace import analyze

__version__ = "0.1.0"

__all__ = [
    "CnncostError",
    "LayerCost",
    "ModelCost",
    "OpCost",
    "TraceError",
    "UnsupportedOp",
    "UsageError",
    "__version__",
    "analyze",
]
