"""``analyze(model, input_size, ...) -> ModelCost``.

The model's forward runs once under a ``TorchDispatchMode``. Every aten op is costed by the
registry in :mod:`cnncost.ops` and charged to the innermost module call that issued it.
On the default ``meta`` device no weights are allocated and no arithmetic is done: a model
that holds real weights is called through ``torch.func.functional_call`` with meta stand-ins,
so its own tensors are never moved, copied or touched. Hooks, training flags and grad mode are
restored in ``finally``, also when the forward raises.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

from .costs import LayerCost, ModelCost, OpCost, UnsupportedOp
from .errors import TraceError, UsageError
from .ops import REGISTRY, Rule, nbytes, tensors

ROOT = "(model)"
OUTSIDE = "(outside modules)"

DTYPES = {
    "float32": torch.float32,
    "fp32": torch.float32,
    "float": torch.float32,
    "float16": torch.float16,
    "fp16": torch.float16,
    "half": torch.float16,
    "bfloat16": torch.bfloat16,
    "bf16": torch.bfloat16,
    "float64": torch.float64,
}


def resolve_dtype(dtype: torch.dtype | str) -> torch.dtype:
    if isinstance(dtype, torch.dtype):
        return dtype
    try:
        return DTYPES[str(dtype).lower()]
    except KeyError:
        raise UsageError(
            f"unknown dtype {dtype!r}; expected one of float32, float16, bfloat16"
        ) from None


def dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


class _Frame:
    __slots__ = (
        "call",
        "depth",
        "index",
        "input_shape",
        "is_leaf",
        "kind",
        "module",
        "name",
        "ops",
        "params",
        "parent",
    )  # fmt: skip

    def __init__(self, name: str, kind: str, depth: int, index: int, parent: str | None,
                 call: int, is_leaf: bool, input_shape: tuple | None, params: int,
                 module: nn.Module | None) -> None:  # fmt: skip
        self.name, self.kind, self.depth, self.index = name, kind, depth, index
        self.parent, self.call, self.is_leaf = parent, call, is_leaf
        self.input_shape, self.params, self.module = input_shape, params, module
        self.ops: list[OpCost] = []


def _first_shape(obj: Any) -> tuple[int, ...] | None:
    ts = tensors(obj)
    return tuple(ts[0].shape) if ts else None


class _Tracer(TorchDispatchMode):
    """Charges each aten op to the frame on top of the module-call stack."""

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        # torch wraps __torch_dispatch__ in torch._dynamo.disable by default, which imports
        # torch._dynamo (~70 MB, ~1 s) on the first op; this mode never runs under compile
        return False

    def __init__(self, fast_meta: bool) -> None:
        super().__init__()
        self.fast_meta = fast_meta
        self.stack: list[_Frame] = []
        self.tick = 0
        self.unsupported: dict[str, list] = {}
        # live activation storages: allocated by an op, freed when Python drops the last
        # tensor or view of them -- the lifetimes eager execution has
        self.live = 0
        self.peak = 0
        self._tracked: set[int] = set()

    def track(self, t: torch.Tensor) -> None:
        st = t.untyped_storage()
        key = st._cdata
        if key in self._tracked:
            return
        n = st.nbytes()
        self._tracked.add(key)
        self.live += n
        self.peak = max(self.peak, self.live)
        weakref.finalize(st, self._free, key, n)

    def _free(self, key: int, n: int) -> None:
        self._tracked.discard(key)
        self.live -= n

    def next_tick(self) -> int:
        self.tick += 1
        return self.tick

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
        kwargs = kwargs or {}
        rule: Rule | None = REGISTRY.get(func)
        out = None
        if rule is not None and rule.shape is not None and self.fast_meta:
            out = rule.shape(args, kwargs)
        if out is None:
            out = func(*args, **kwargs)
        frame = self.stack[-1]
        seq = self.next_tick()
        ins = tensors(args)
        pick = rule.input_arg if rule is not None and len(ins) > rule.input_arg else 0
        in_shape = tuple(ins[pick].shape) if ins else None
        outs = tensors(out)
        out_shape = tuple(outs[0].shape) if outs else None
        if rule is None or not rule.view:
            for t in outs:
                self.track(t)
        if rule is None:
            name = str(func)
            entry = self.unsupported.setdefault(name, [0, []])
            entry[0] += 1
            if frame.name not in entry[1]:
                entry[1].append(frame.name)
            frame.ops.append(
                OpCost(
                    seq, name, "unsupported", 0, 0, 0, 0, 0, in_shape, out_shape, supported=False
                )
            )
            return out
        c = rule.formula(args, kwargs, out)
        if rule.view:
            read = written = fresh = 0
        else:
            read = sum(nbytes(t) for t in ins)
            written = sum(nbytes(t) for t in outs)
            fresh = 0 if rule.inplace or not outs else nbytes(outs[0])
        frame.ops.append(
            OpCost(
                seq,
                rule.name,
                rule.category,
                c.macs,
                c.flops,
                read,
                written,
                c.lecture_flops,
                in_shape,
                out_shape,
                fresh,
                c.kernel,
                c.stride,
                c.padding,
            )
        )
        return out


def _stand_ins(model: nn.Module, device: str, dtype: torch.dtype) -> dict[str, torch.Tensor]:
    """Meta (or fresh, on a real device) tensors in place of every parameter and buffer."""
    out: dict[str, torch.Tensor] = {}
    real = device != "meta"
    named = list(model.named_parameters(remove_duplicate=False)) + list(
        model.named_buffers(remove_duplicate=False)
    )
    for name, t in named:
        dt = dtype if t.is_floating_point() else t.dtype
        s = torch.empty(t.shape, dtype=dt, device=device)
        if real:  # arbitrary but finite values: running_var must stay positive
            if name.endswith("running_var"):
                s.fill_(1)
            elif t.is_floating_point():
                s.normal_(0, 0.02)
            else:
                s.zero_()
        out[name] = s
    return out


def _needs_stand_ins(model: nn.Module, device: str, dtype: torch.dtype) -> bool:
    for t in list(model.parameters()) + list(model.buffers()):
        if t.device.type != torch.device(device).type:
            return True
        if t.is_floating_point() and t.dtype != dtype:
            return True
    return False


def analyze(
    model: nn.Module,
    input_size: Sequence[int] = (3, 224, 224),
    batch: int = 1,
    dtype: torch.dtype | str = torch.float32,
    device: str = "meta",
    *,
    name: str | None = None,
    train: bool = False,
    inputs: Sequence[torch.Tensor] | None = None,
) -> ModelCost:
    """Trace ``model`` on an input of ``(batch, *input_size)`` and cost every module call.

    ``device="meta"`` (the default) allocates nothing; ``"cpu"`` or ``"cuda"`` runs the forward
    for real. ``train=False`` analyses the model in eval mode (dropout off, batch norm using
    running statistics) and restores each module's own flag afterwards. ``inputs`` replaces
    the single input built from ``input_size`` (each tensor is copied to ``device``'s
    stand-in of the same shape and dtype).
    """
    if not isinstance(model, nn.Module):
        raise UsageError(f"analyze() needs an nn.Module, got {type(model).__name__}")
    dt = resolve_dtype(dtype)
    if batch < 1:
        raise UsageError(f"batch must be at least 1, got {batch}")
    if inputs is None:
        size = tuple(int(s) for s in input_size)
        if not size or any(s < 1 for s in size):
            raise UsageError(f"input size must be positive integers, got {tuple(input_size)}")
        args: tuple = (torch.empty((batch, *size), dtype=dt, device=device),)
        if device != "meta":
            args[0].normal_()
    else:
        args = tuple(
            torch.empty(t.shape, dtype=dt if t.is_floating_point() else t.dtype, device=device)
            if device == "meta"
            else t.to(device)
            for t in inputs
        )
    input_shape = tuple(args[0].shape)

    modules = dict(model.named_modules())
    names = {id(m): (n or ROOT) for n, m in modules.items()}
    own_params = {
        id(m): [(id(p), p.numel()) for p in m._parameters.values() if p is not None]
        for m in modules.values()
    }
    seen_params: set[int] = set()
    calls: dict[int, int] = {}
    rows: list[LayerCost | None] = []
    tracer = _Tracer(fast_meta=(device == "meta"))
    outside = _Frame(OUTSIDE, "", 0, 0, None, 1, False, None, 0, None)
    tracer.stack.append(outside)  # ops issued outside every module call land here

    def pre_hook(module: nn.Module, a: tuple, kw: dict) -> None:
        key = id(module)
        calls[key] = calls.get(key, 0) + 1
        base = names.get(key, type(module).__name__)
        row_name = base if calls[key] == 1 else f"{base}#{calls[key]}"
        params = 0
        for pid, n in own_params.get(key, ()):
            if pid not in seen_params:
                seen_params.add(pid)
                params += n
        parent = tracer.stack[-1].name if len(tracer.stack) > 1 else None
        frame = _Frame(row_name, type(module).__name__, len(tracer.stack) - 1, len(rows), parent,
                       calls[key], not module._modules, _first_shape((a, kw)), params,
                       module)  # fmt: skip
        frame.index = tracer.next_tick()
        tracer.stack.append(frame)
        rows.append(None)
        frame_slot[id(frame)] = len(rows) - 1

    def post_hook(module: nn.Module, a: tuple, kw: dict, output: Any) -> None:
        frame = tracer.stack.pop()
        rows[frame_slot.pop(id(frame))] = LayerCost(
            name=frame.name,
            kind=frame.kind,
            depth=frame.depth,
            index=frame.index,
            exit_index=tracer.next_tick(),
            parent=frame.parent,
            is_leaf=frame.is_leaf,
            call=frame.call,
            input_shape=frame.input_shape,
            output_shape=_first_shape(output),
            params=frame.params,
            memory_bytes=sum(o.output_bytes for o in frame.ops),
            ops=tuple(frame.ops),
        )

    frame_slot: dict[int, int] = {}
    training = {m: m.training for m in modules.values()}
    handles = []
    output = None
    try:
        for m in modules.values():
            handles.append(m.register_forward_pre_hook(pre_hook, with_kwargs=True))
            handles.append(m.register_forward_hook(post_hook, with_kwargs=True))
        if not train:
            model.eval()
        with torch.no_grad():
            swap = _needs_stand_ins(model, device, dt)
            stand_ins = _stand_ins(model, device, dt) if swap else None
            for a in args:
                tracer.track(a)  # the input is live from the start
            with tracer:
                if stand_ins is not None:
                    output = torch.func.functional_call(
                        model, stand_ins, args, tie_weights=True, strict=False
                    )
                else:
                    output = model(*args)
    except Exception as exc:
        where = tracer.stack[-1] if len(tracer.stack) > 1 else None
        raise TraceError.from_exception(exc, where, device) from exc
    finally:
        for h in handles:
            h.remove()
        for m, flag in training.items():
            m.training = flag

    # modules never called, rolled up to the outermost one (an auxiliary head, say)
    uncalled_params: dict[str, int] = {}
    uncalled_names = {names[id(m)] for m in modules.values() if id(m) not in calls}
    for m in modules.values():
        if id(m) in calls:
            continue
        path = names[id(m)]
        parts = path.split(".")
        top = next(
            (
                ".".join(parts[:i])
                for i in range(1, len(parts))
                if ".".join(parts[:i]) in uncalled_names
            ),
            path,
        )
        n_unseen = 0
        for pid, n in own_params[id(m)]:
            if pid not in seen_params:
                seen_params.add(pid)
                n_unseen += n
        if n_unseen:
            uncalled_params[top] = uncalled_params.get(top, 0) + n_unseen
    uncalled_list = list(uncalled_params.items())
    out_shapes = tuple(tuple(t.shape) for t in tensors(output))
    if outside.ops:
        rows.append(
            LayerCost(
                OUTSIDE,
                "",
                0,
                0,
                0,
                None,
                False,
                1,
                None,
                None,
                0,
                sum(o.output_bytes for o in outside.ops),
                tuple(outside.ops),
            )
        )
    unique_buffers = {id(b): b.numel() for b in model.buffers()}
    itemsize = torch.empty((), dtype=dt).element_size()
    weight_bytes = sum(
        p.numel() * (itemsize if p.is_floating_point() else p.element_size())
        for p in list(model.parameters()) + list(model.buffers())
    )
    peak = tracer.peak
    return ModelCost(
        model=name or type(model).__name__,
        input_shape=input_shape,
        dtype=dtype_name(dt),
        device=device,
        rows=tuple(r for r in rows if r is not None),
        uncalled=tuple(uncalled_list),
        unsupported=tuple(
            UnsupportedOp(op, n, tuple(where))
            for op, (n, where) in sorted(tracer.unsupported.items())
        ),
        buffers=sum(unique_buffers.values()),
        output_shapes=out_shapes,
        peak_activation_bytes=peak,
        weight_bytes=weight_bytes,
    )
