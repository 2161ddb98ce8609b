"""Immutable cost records: one ``OpCost`` per aten op, one ``LayerCost`` per module call,
one ``ModelCost`` per analysis. Every total is derived from the records below it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

Shape = tuple[int, ...]

#: the cost fields that add up from ops to rows to totals
SUMMED = ("macs", "flops", "bytes_read", "bytes_written", "lecture_flops")


@dataclass(frozen=True, slots=True)
class OpCost:
    """The cost of one aten op call, charged to the innermost module call that issued it."""

    seq: int  # position in the whole trace (execution order)
    op: str  # e.g. "aten.convolution.default"
    category: str  # conv, matmul, pool, norm, activation, elementwise, reduce, data, view, ...
    macs: int
    flops: int
    bytes_read: int
    bytes_written: int
    lecture_flops: int  # the lecture's "flop": conv/linear MACs, kernel area x outputs for pools
    input_shape: Shape | None
    output_shape: Shape | None
    output_bytes: int = 0  # bytes of newly allocated outputs (0 for views and in-place ops)
    kernel: Shape | None = None
    stride: Shape | None = None
    padding: Shape | None = None
    supported: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "op": self.op,
            "category": self.category,
            "macs": self.macs,
            "flops": self.flops,
            "bytes_read": self.bytes_read,
            "bytes_written": self.bytes_written,
            "lecture_flops": self.lecture_flops,
            "input_shape": _listify(self.input_shape),
            "output_shape": _listify(self.output_shape),
            "kernel": _listify(self.kernel),
            "stride": _listify(self.stride),
            "padding": _listify(self.padding),
            "supported": self.supported,
        }


@dataclass(frozen=True)
class LayerCost:
    """One module call. Its costs are those of the ops it issued itself (outside any child),
    so that rows add up to the model's totals without double counting."""

    name: str  # module path ("features.0"); the root module is "(model)"; repeats get "#2"
    kind: str  # the module's class name
    depth: int  # 0 for the root, 1 for its children, ...
    index: int  # call order (pre-hook order)
    exit_index: int  # position of the call's end on the same clock as ``index``
    parent: str | None
    is_leaf: bool  # the module has no child modules
    call: int  # 1 for the first call of this module, 2 for the second, ...
    input_shape: Shape | None
    output_shape: Shape | None
    params: int  # parameters first seen in this call (shared ones count once, at first use)
    memory_bytes: int  # bytes of freshly produced output activations of this call
    ops: tuple[OpCost, ...] = field(default=(), repr=False)

    @cached_property
    def macs(self) -> int:
        return sum(o.macs for o in self.ops)

    @cached_property
    def flops(self) -> int:
        return sum(o.flops for o in self.ops)

    @cached_property
    def bytes_read(self) -> int:
        return sum(o.bytes_read for o in self.ops)

    @cached_property
    def bytes_written(self) -> int:
        return sum(o.bytes_written for o in self.ops)

    @cached_property
    def lecture_flops(self) -> int:
        return sum(o.lecture_flops for o in self.ops)

    def to_dict(self, with_ops: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "depth": self.depth,
            "parent": self.parent,
            "call": self.call,
            "input_shape": _listify(self.input_shape),
            "output_shape": _listify(self.output_shape),
            "params": self.params,
            "memory_bytes": self.memory_bytes,
            "macs": self.macs,
            "flops": self.flops,
            "bytes_read": self.bytes_read,
            "bytes_written": self.bytes_written,
            "lecture_flops": self.lecture_flops,
        }
        if with_ops:
            d["ops"] = [o.to_dict() for o in self.ops]
        return d


@dataclass(frozen=True)
class UnsupportedOp:
    """An aten op with no formula in the registry: counted zero, and said so."""

    op: str
    count: int
    where: tuple[str, ...]  # module paths that issued it


@dataclass(frozen=True)
class ModelCost:
    model: str
    input_shape: Shape  # with the batch
    dtype: str  # "float32", "float16", "bfloat16"
    device: str  # where the trace ran: "meta" or "cpu"/"cuda"
    rows: tuple[LayerCost, ...]
    uncalled: tuple[tuple[str, int], ...] = ()  # (module path, params) of modules never called
    unsupported: tuple[UnsupportedOp, ...] = ()
    buffers: int = 0  # buffer elements (BN running stats); not parameters
    output_shapes: tuple[Shape, ...] = ()
    #: peak bytes of live activations during the forward (input included), from the lifetimes
    #: of the tensors the ops produced; weights not included
    peak_activation_bytes: int = 0
    weight_bytes: int = 0  # parameters and buffers at the analysed dtype

    @property
    def predicted_peak_bytes(self) -> int:
        """Predicted inference peak memory: weights + peak live activations."""
        return self.weight_bytes + self.peak_activation_bytes

    @property
    def batch(self) -> int:
        return self.input_shape[0]

    @cached_property
    def totals(self) -> dict[str, int]:
        t = {k: sum(getattr(r, k) for r in self.rows) for k in SUMMED}
        t["params"] = sum(r.params for r in self.rows) + sum(p for _, p in self.uncalled)
        t["memory_bytes"] = sum(r.memory_bytes for r in self.rows)
        return t

    @property
    def params(self) -> int:
        return self.totals["params"]

    @property
    def macs(self) -> int:
        return self.totals["macs"]

    @property
    def flops(self) -> int:
        return self.totals["flops"]

    @property
    def memory_bytes(self) -> int:
        return self.totals["memory_bytes"]

    def ops(self) -> list[tuple[LayerCost, OpCost]]:
        """Every op with the row it is charged to, in execution order."""
        pairs = [(r, o) for r in self.rows for o in r.ops]
        pairs.sort(key=lambda p: p[1].seq)
        return pairs

    def row(self, name: str) -> LayerCost:
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(name)

    def to_dict(self, with_ops: bool = False) -> dict[str, Any]:
        return {
            "model": self.model,
            "input_shape": list(self.input_shape),
            "dtype": self.dtype,
            "device": self.device,
            "units": {
                "macs": "multiply-accumulates of conv/linear/matmul, bias excluded",
                "flops": "floating-point operations: 2 per MAC plus element-wise work",
                "memory_bytes": "bytes of output activations at this batch and dtype",
            },
            "rows": [r.to_dict(with_ops) for r in self.rows],
            "totals": dict(self.totals),
            "unsupported": {u.op: u.count for u in self.unsupported},
            "unsupported_where": {u.op: list(u.where) for u in self.unsupported},
            "uncalled": {name: p for name, p in self.uncalled},
            "buffers": self.buffers,
            "output_shapes": [list(s) for s in self.output_shapes],
            "peak_activation_bytes": self.peak_activation_bytes,
            "weight_bytes": self.weight_bytes,
            "predicted_peak_bytes": self.predicted_peak_bytes,
        }


def _listify(shape: Shape | None) -> list[int] | None:
    return None if shape is None else list(shape)
