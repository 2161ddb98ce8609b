"""The one registry of op formulas: aten op -> pure function of shapes.

Each formula takes the op's ``(args, kwargs, out)`` and reads only shapes, dtypes and the
op's non-tensor arguments (stride, padding, ...). It returns a :class:`Count` with MACs,
FLOPs and the lecture's "flop" column; bytes read and written are derived from the operands
unless the op is a view. The rules (see README "Counting rules"):

* MACs: convolution, addmm/mm/bmm/baddbmm (linear, matmul, einsum, attention lower to these);
  bias excluded.
* FLOPs: 2 x MACs (+1 per output element for a bias) plus element-wise work: batch norm (eval)
  2/element, training batch norm, layer and group norm 5/element, activations 1/element,
  add/sub/mul/div 1/output element, max pool kernel-area - 1 per output, avg pool kernel
  area per output (adaptive pools: each output's own window), mean/sum 1 per input element,
  softmax 5/element, bilinear upsampling 8/output, nearest 0, views and data movement 0.
* Lecture flop: MACs for conv/linear, kernel area x output elements for pooling (a global
  mean over H, W with keepdim -- how ``adaptive_avg_pool2d(x, 1)`` lowers -- counts as a
  pool), nothing else.

Some ops also get a *shape rule*: on the meta device the tracer builds the output itself
instead of running torch's meta kernel (a Python decomposition for batch norm and several
activations, about a millisecond per call).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

aten = torch.ops.aten


@dataclass(frozen=True, slots=True)
class Count:
    macs: int = 0
    flops: int = 0
    lecture_flops: int = 0
    kernel: tuple[int, ...] | None = None
    stride: tuple[int, ...] | None = None
    padding: tuple[int, ...] | None = None


Formula = Callable[[tuple, dict, Any], Count]
ShapeRule = Callable[[tuple, dict], Any]


@dataclass(frozen=True, slots=True)
class Rule:
    op: Any  # torch._ops.OpOverload
    name: str
    category: str
    formula: Formula
    view: bool = False  # output aliases an input: moves no bytes, allocates nothing
    inplace: bool = False  # writes into an input: allocates nothing
    shape: ShapeRule | None = None  # builds the output on meta without running the kernel
    input_arg: int = 0  # which tensor argument is the layer's input (addmm: 1, after the bias)


REGISTRY: dict[Any, Rule] = {}


def resolve(names: Iterable[str]) -> list[Any]:
    """``"relu.default"`` -> ``torch.ops.aten.relu.default``; names this torch lacks are skipped."""
    found = []
    for n in names:
        packet, _, overload = n.partition(".")
        pk = getattr(aten, packet, None)
        ov = getattr(pk, overload or "default", None) if pk is not None else None
        if ov is not None:
            found.append(ov)
    return found


def register(
    names: Iterable[str],
    category: str,
    *,
    view: bool = False,
    shape: ShapeRule | None = None,
    input_arg: int = 0,
) -> Callable[[Formula], Formula]:
    """Register one formula for several aten overloads. Registering an op twice is an error."""

    def deco(formula: Formula) -> Formula:
        for op in resolve(names):
            if op in REGISTRY:
                raise ValueError(f"duplicate cost rule for {op}")
            name = str(op)
            inplace = op._schema.name.endswith("_") or "out" in op._overloadname
            REGISTRY[op] = Rule(
                op, name, category, formula, view, inplace and not view, shape, input_arg
            )
        return formula

    return deco


# ---------------------------------------------------------------- helpers (pure)


def tensors(obj: Any) -> list[torch.Tensor]:
    """The tensors in an op's arguments or outputs (nested lists, tuples and dicts)."""
    if isinstance(obj, torch.Tensor):
        return [obj]
    out: list[torch.Tensor] = []
    stack = [obj]
    while stack:
        o = stack.pop()
        if isinstance(o, torch.Tensor):
            out.append(o)
        elif isinstance(o, (list, tuple)):
            stack.extend(reversed(o))
        elif isinstance(o, dict):
            stack.extend(reversed(list(o.values())))
    return out


def broadcast(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """NumPy broadcasting of two shapes (``torch.broadcast_shapes`` imports sympy: ~40 MB)."""
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    out = []
    for x, y in zip(a, b, strict=True):
        if x != y and 1 not in (x, y):
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y})")
        out.append(y if x == 1 else x)
    return tuple(out)


def empty_like(x: torch.Tensor) -> torch.Tensor:
    """``torch.empty_like`` without its Python reference implementation on meta (~80 us)."""
    if x.is_contiguous():
        return torch.empty(x.shape, dtype=x.dtype, device=x.device)
    return torch.empty_like(x)


def nbytes(t: torch.Tensor) -> int:
    return t.numel() * t.element_size()


def _first(out: Any) -> torch.Tensor:
    return out if isinstance(out, torch.Tensor) else tensors(out)[0]


def _tup(v: Any, n: int) -> tuple[int, ...]:
    if isinstance(v, int):
        return (v,) * n
    v = tuple(int(x) for x in v)
    return v * n if len(v) == 1 and n > 1 else v


def conv_out_size(size: int, k: int, s: int, p: int, d: int) -> int:
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def conv_transpose_out_size(size: int, k: int, s: int, p: int, d: int, op: int) -> int:
    return (size - 1) * s - 2 * p + d * (k - 1) + op + 1


def pool_out_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """ATen's pooling_output_shape: with ceil_mode the last window must start inside the input
    or its left padding."""
    out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def adaptive_window_sum(size_in: int, size_out: int) -> int:
    """Sum over outputs of each adaptive-pool window's length: window i spans
    [floor(i*In/Out), ceil((i+1)*In/Out))."""
    return sum(
        -((-(i + 1) * size_in) // size_out) - (i * size_in) // size_out for i in range(size_out)
    )


# ---------------------------------------------------------------- convolution


def _conv_parts(args: tuple, kwargs: dict):
    a = list(args) + [None] * (9 - len(args))
    names = ("input", "weight", "bias", "stride", "padding", "dilation", "transposed",
             "output_padding", "groups")  # fmt: skip
    for i, n in enumerate(names):
        if n in kwargs:
            a[i] = kwargs[n]
    return a


def conv_shape(args: tuple, kwargs: dict) -> torch.Tensor:
    x, w, _, stride, padding, dilation, transposed, output_padding, groups = _conv_parts(
        args, kwargs
    )
    nd = w.dim() - 2
    s, p, d = _tup(stride, nd), _tup(padding, nd), _tup(dilation, nd)
    k = tuple(w.shape[2:])
    batched = x.dim() == nd + 2
    if x.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to conv{nd}d, "
            f"but got input of size: {list(x.shape)}"
        )
    c_in = x.shape[1] if batched else x.shape[0]
    expected = w.shape[0] if transposed else w.shape[1] * groups
    if c_in != expected:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(w.shape)}, expected input"
            f"{list(x.shape)} to have {expected} channels, but got {c_in} channels instead"
        )
    spatial = tuple(x.shape[-nd:])
    if transposed:
        op = _tup(output_padding, nd)
        c_out = w.shape[1] * groups
        sp = tuple(
            conv_transpose_out_size(spatial[i], k[i], s[i], p[i], d[i], op[i]) for i in range(nd)
        )
    else:
        c_out = w.shape[0]
        sp = tuple(conv_out_size(spatial[i], k[i], s[i], p[i], d[i]) for i in range(nd))
    shape = ((x.shape[0],) if batched else ()) + (c_out,) + sp
    if any(v <= 0 for v in sp):
        raise RuntimeError(
            f"convolution output would be empty: input {tuple(x.shape)}, kernel {k}, "
            f"stride {s}, padding {p}, dilation {d} give spatial size {sp}"
        )
    return torch.empty(shape, dtype=x.dtype, device=x.device)


@register(["convolution.default", "convolution_overrideable.default"], "conv", shape=conv_shape)
def conv_formula(args: tuple, kwargs: dict, out: Any) -> Count:
    x, w, b, stride, padding, _, transposed, _, _ = _conv_parts(args, kwargs)
    nd = w.dim() - 2
    k = tuple(w.shape[2:])
    area = math.prod(k)
    # weight is (C_out, C_in/groups, *k); transposed: (C_in, C_out/groups, *k)
    if transposed:
        macs = x.numel() * w.shape[1] * area  # every input element scatters to C_out/g * k
    else:
        macs = _first(out).numel() * w.shape[1] * area  # every output gathers C_in/g * k
    flops = 2 * macs + (_first(out).numel() if b is not None else 0)
    return Count(macs, flops, macs, k, _tup(stride, nd), _tup(padding, nd))


# ---------------------------------------------------------------- matrix products


def _mm_shape(first: int, batched: bool) -> ShapeRule:
    """Output of (b,)m x k @ (b,)k x n on meta, without torch's Python decomposition."""

    def shape(args: tuple, kwargs: dict) -> torch.Tensor | None:
        a, b = args[first], args[first + 1]
        if a.dtype != b.dtype or a.dim() != (3 if batched else 2) or b.dim() != a.dim():
            return None
        if a.shape[-1] != b.shape[-2] or (batched and a.shape[0] != b.shape[0]):
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({'x'.join(map(str, a.shape))} "
                f"and {'x'.join(map(str, b.shape))})"
            )
        lead = (a.shape[0],) if batched else ()
        return torch.empty((*lead, a.shape[-2], b.shape[-1]), dtype=a.dtype, device=a.device)

    return shape


@register(["addmm.default"], "matmul", input_arg=1, shape=_mm_shape(1, False))
def addmm_formula(args: tuple, kwargs: dict, out: Any) -> Count:
    m1, m2 = args[1], args[2]
    macs = m1.shape[0] * m1.shape[1] * m2.shape[1]
    return Count(macs, 2 * macs + _first(out).numel(), macs)


@register(["mm.default"], "matmul", shape=_mm_shape(0, False))
def mm_formula(args: tuple, kwargs: dict, out: Any) -> Count:
    a, b = args[0], args[1]
    macs = a.shape[0] * a.shape[1] * b.shape[1]
    return Count(macs, 2 * macs, macs)


@register(["bmm.default"], "matmul", shape=_mm_shape(0, True))
def bmm_formula(args: tuple, kwargs: dict, out: Any) -> Count:
    a, b = args[0], args[1]
    macs = a.shape[0] * a.shape[1] * a.shape[2] * b.shape[2]
    return Count(macs, 2 * macs, macs)


@register(["baddbmm.default"], "matmul", input_arg=1, shape=_mm_shape(1, True))
def baddbmm_formula(args: tuple, kwargs: dict, out: Any) -> Count:
    a, b = args[1], args[2]
    macs = a.shape[0] * a.shape[1] * a.shape[2] * b.shape[2]
    return Count(macs, 2 * macs + _first(out).numel(), macs)


# ---------------------------------------------------------------- pooling


def _pool_args(args: tuple, kwargs: dict, nd: int, with_dilation: bool):
    x = args[0]
    k = _tup(kwargs.get("kernel_size", args[1]), nd)
    s = kwargs.get("stride", args[2] if len(args) > 2 else [])
    s = _tup(s, nd) if s not in ([], (), None) else k  # empty stride means stride = kernel
    p = _tup(kwargs.get("padding", args[3] if len(args) > 3 else 0), nd)
    if with_dilation:
        d = _tup(kwargs.get("dilation", args[4] if len(args) > 4 else 1), nd)
        ceil = bool(kwargs.get("ceil_mode", args[5] if len(args) > 5 else False))
    else:
        d = (1,) * nd
        ceil = bool(kwargs.get("ceil_mode", args[4] if len(args) > 4 else False))
    return x, k, s, p, d, ceil


def _pool_shape(args: tuple, kwargs: dict, nd: int, with_dilation: bool) -> tuple[int, ...]:
    x, k, s, p, d, ceil = _pool_args(args, kwargs, nd, with_dilation)
    sp = tuple(pool_out_size(x.shape[-nd + i], k[i], s[i], p[i], d[i], ceil) for i in range(nd))
    if any(v <= 0 for v in sp):
        raise RuntimeError(
            f"pooling output would be empty: input {tuple(x.shape)}, kernel {k}, stride {s}"
        )
    return tuple(x.shape[:-nd]) + sp


def _maxpool_shape(nd: int) -> ShapeRule:
    def shape(args: tuple, kwargs: dict):
        x = args[0]
        sh = _pool_shape(args, kwargs, nd, True)
        return (
            torch.empty(sh, dtype=x.dtype, device=x.device),
            torch.empty(sh, dtype=torch.int64, device=x.device),
        )

    return shape


def _avgpool_shape(nd: int) -> ShapeRule:
    def shape(args: tuple, kwargs: dict):
        x = args[0]
        return torch.empty(_pool_shape(args, kwargs, nd, False), dtype=x.dtype, device=x.device)

    return shape


def _maxpool_formula(nd: int) -> Formula:
    def f(args: tuple, kwargs: dict, out: Any) -> Count:
        _, k, s, p, _, _ = _pool_args(args, kwargs, nd, True)
        n, area = _first(out).numel(), math.prod(k)
        return Count(0, (area - 1) * n, area * n, k, s, p)

    return f


def _avgpool_formula(nd: int) -> Formula:
    def f(args: tuple, kwargs: dict, out: Any) -> Count:
        _, k, s, p, _, _ = _pool_args(args, kwargs, nd, False)
        n, area = _first(out).numel(), math.prod(k)
        return Count(0, area * n, area * n, k, s, p)

    return f


for _nd in (1, 2, 3):
    _n = f"max_pool{_nd}d"
    register([f"{_n}_with_indices.default", f"{_n}.default"], "pool",
             shape=_maxpool_shape(_nd) if _nd == 2 else None)(_maxpool_formula(_nd))  # fmt: skip
    register([f"avg_pool{_nd}d.default"], "pool",
             shape=_avgpool_shape(_nd) if _nd == 2 else None)(_avgpool_formula(_nd))  # fmt: skip


def _adaptive_formula(nd: int, is_max: bool) -> Formula:
    def f(args: tuple, kwargs: dict, out: Any) -> Count:
        x, o = args[0], _first(out)
        windows = math.prod(
            adaptive_window_sum(x.shape[-nd + i], o.shape[-nd + i]) for i in range(nd)
        )
        lead = math.prod(o.shape[:-nd])
        total = lead * windows  # sum over outputs of their window areas
        kernel = tuple(-(-x.shape[-nd + i] // o.shape[-nd + i]) for i in range(nd))
        flops = total - o.numel() if is_max else total
        return Count(0, flops, total, kernel)

    return f


def _adaptive_avg_shape(args: tuple, kwargs: dict) -> torch.Tensor:
    x, size = args[0], _tup(args[1], 2)
    return torch.empty(tuple(x.shape[:-2]) + size, dtype=x.dtype, device=x.device)


register(["_adaptive_avg_pool2d.default"], "pool", shape=_adaptive_avg_shape)(
    _adaptive_formula(2, False)
)
register(["_adaptive_avg_pool3d.default"], "pool")(_adaptive_formula(3, False))
register(["adaptive_max_pool2d.default"], "pool")(_adaptive_formula(2, True))
register(["adaptive_max_pool3d.default"], "pool")(_adaptive_formula(3, True))


# ---------------------------------------------------------------- normalisation


def _bn_shape(args: tuple, kwargs: dict):
    x = args[0]
    stats = next((t for t in args[1:5] if isinstance(t, torch.Tensor)), None)
    if x.dim() < 2 or (stats is not None and stats.numel() != x.shape[1]):
        raise RuntimeError(
            f"batch norm expected input with {stats.numel() if stats is not None else '?'} "
            f"channels, got input of size {list(x.shape)}"
        )
    stat = torch.empty((0,), dtype=x.dtype, device=x.device)
    return (empty_like(x), stat, torch.empty((0,), dtype=x.dtype, device=x.device))


def _native_bn_shape(args: tuple, kwargs: dict):
    training = bool(args[5]) if len(args) > 5 else bool(kwargs.get("training", False))
    if training:
        return None  # let torch compute the saved statistics' shapes
    return _bn_shape(args, kwargs)


def _per_element(per: int) -> Formula:
    def f(args: tuple, kwargs: dict, out: Any) -> Count:
        return Count(0, per * _first(out).numel())

    return f


register(["_native_batch_norm_legit_no_training.default"], "norm", shape=_bn_shape)(_per_element(2))


@register(["native_batch_norm.default"], "norm", shape=_native_bn_shape)
def native_bn_formula(args: tuple, kwargs: dict, out: Any) -> Count:
    training = bool(args[5]) if len(args) > 5 else bool(kwargs.get("training", False))
    return Count(0, (5 if training else 2) * _first(out).numel())


register(["_native_batch_norm_legit.default", "_native_batch_norm_legit.no_stats"], "norm")(
    _per_element(5)
)
register(["native_layer_norm.default", "native_group_norm.default"], "norm")(_per_element(5))


# ---------------------------------------------------------------- element-wise


def _same_shape(args: tuple, kwargs: dict) -> torch.Tensor:
    return empty_like(args[0])


def _inplace_same(args: tuple, kwargs: dict) -> torch.Tensor:
    return args[0]


def _unary(names: Sequence[str], category: str, per: int) -> None:
    """Register ``name.default`` (new output) and ``name_.default`` (in place) for each name."""
    f = _per_element(per)
    register([f"{n}.default" for n in names], category, shape=_same_shape)(f)
    register([f"{n}_.default" for n in names], category, shape=_inplace_same)(f)


_unary(["relu", "hardtanh", "leaky_relu", "elu", "clamp_min", "clamp"], "activation", 1)
_unary(["sigmoid", "tanh", "gelu", "silu", "hardswish", "hardsigmoid", "mish"], "activation", 1)
_unary(["neg", "abs", "exp", "log", "sqrt", "rsqrt", "reciprocal"], "elementwise", 1)


def _binary_shape(args: tuple, kwargs: dict) -> torch.Tensor | None:
    a, b = args[0], args[1]
    if not isinstance(a, torch.Tensor):
        return None
    if isinstance(b, torch.Tensor):
        if b.shape == a.shape and b.dtype == a.dtype and b.stride() == a.stride():
            return empty_like(a)
        shape = broadcast(tuple(a.shape), tuple(b.shape))
    elif isinstance(b, (int, float, bool)):
        shape = a.shape
    else:
        return None
    dtype = torch.result_type(a, b)
    return torch.empty(shape, dtype=dtype, device=a.device)


def _binary_inplace(args: tuple, kwargs: dict) -> torch.Tensor:
    return args[0]


_BINARY = ("add", "sub", "mul", "div", "pow", "maximum", "minimum")
register(
    [f"{n}.{o}" for n in _BINARY for o in ("Tensor", "Scalar", "Tensor_Scalar", "Tensor_Tensor")]
    + ["rsub.Scalar", "rsub.Tensor"],
    "elementwise",
    shape=_binary_shape,
)(_per_element(1))
register(["where.self", "addcmul.default"], "elementwise")(_per_element(1))
register(
    [f"{n}_.{o}" for n in ("add", "sub", "mul", "div") for o in ("Tensor", "Scalar")],
    "elementwise",
    shape=_binary_inplace,
)(_per_element(1))


# ---------------------------------------------------------------- reductions, softmax


def _reduced(args: tuple, kwargs: dict) -> list[int]:
    x = args[0]
    dims = args[1] if len(args) > 1 else kwargs.get("dim")
    if dims is None or dims == []:
        return list(range(x.dim()))
    return sorted(d % x.dim() for d in ([dims] if isinstance(dims, int) else dims))


def _reduce_shape(args: tuple, kwargs: dict) -> torch.Tensor | None:
    x = args[0]
    if not x.is_floating_point() or kwargs.get("dtype") is not None or len(args) > 3:
        return None
    keepdim = bool(args[2]) if len(args) > 2 else bool(kwargs.get("keepdim", False))
    dims = set(_reduced(args, kwargs))
    shape = [1 if i in dims else n for i, n in enumerate(x.shape) if keepdim or i not in dims]
    return torch.empty(shape, dtype=x.dtype, device=x.device)


@register(["mean.dim", "mean.default", "sum.dim_IntList", "sum.default"], "reduce",
          shape=_reduce_shape)  # fmt: skip
def reduce_formula(args: tuple, kwargs: dict, out: Any) -> Count:
    x = args[0]
    n = x.numel()
    keepdim = bool(args[2]) if len(args) > 2 else bool(kwargs.get("keepdim", False))
    dims = _reduced(args, kwargs)
    # ``adaptive_avg_pool2d(x, 1)`` lowers to a keepdim mean over (H, W): a global pool
    is_gap = x.dim() >= 3 and keepdim and dims == [x.dim() - 2, x.dim() - 1]
    kernel = tuple(x.shape[-2:]) if is_gap else None
    return Count(0, n, n if is_gap else 0, kernel)


@register(["amax.default", "max.dim", "min.dim", "amin.default"], "reduce")
def minmax_formula(args: tuple, kwargs: dict, out: Any) -> Count:
    return Count(0, args[0].numel())


register(["_softmax.default", "_log_softmax.default", "_safe_softmax.default"], "softmax")(
    _per_element(5)
)


# ---------------------------------------------------------------- resampling

register(
    ["upsample_nearest1d.default", "upsample_nearest2d.default", "upsample_nearest3d.default",
     "upsample_nearest1d.vec", "upsample_nearest2d.vec", "upsample_nearest3d.vec",
     "_upsample_nearest_exact2d.default", "_upsample_nearest_exact2d.vec"],
    "resample",
)(_per_element(0))  # fmt: skip
register(
    ["upsample_bilinear2d.default", "upsample_bilinear2d.vec", "_upsample_bilinear2d_aa.default"],
    "resample",
)(_per_element(8))


# ---------------------------------------------------------------- data movement, creation


def _zero(args: tuple, kwargs: dict, out: Any) -> Count:
    return Count()


def _cat_shape(args: tuple, kwargs: dict) -> torch.Tensor | None:
    ts = [t for t in args[0] if not (t.dim() == 1 and t.shape[0] == 0)]  # legacy empty skipped
    dim = args[1] if len(args) > 1 else kwargs.get("dim", 0)
    if not ts or any(t.dtype != ts[0].dtype or t.dim() != ts[0].dim() for t in ts):
        return None
    dim %= ts[0].dim()
    shape = list(ts[0].shape)
    for t in ts[1:]:
        if any(a != b for i, (a, b) in enumerate(zip(t.shape, shape)) if i != dim):
            raise RuntimeError(
                f"Sizes of tensors must match except in dimension {dim}. Expected size "
                f"{shape} but got size {list(t.shape)} for a tensor in the list."
            )
    shape[dim] = sum(t.shape[dim] for t in ts)
    return torch.empty(shape, dtype=ts[0].dtype, device=ts[0].device)


register(["cat.default"], "data", shape=_cat_shape)(_zero)
register(
    ["stack.default", "clone.default", "_to_copy.default", "copy.default",
     "constant_pad_nd.default", "reflection_pad2d.default", "replication_pad2d.default",
     "index_select.default", "gather.default", "roll.default", "flip.default",
     "masked_fill.Scalar", "masked_fill.Tensor", "native_dropout.default"],
    "data",
)(_zero)  # fmt: skip
register(["copy_.default", "fill_.Scalar", "zero_.default", "masked_fill_.Scalar"], "data")(_zero)
register(
    ["empty.memory_format", "empty_like.default", "empty_strided.default", "zeros.default",
     "zeros_like.default", "ones.default", "ones_like.default", "full.default",
     "full_like.default", "new_zeros.default", "new_ones.default", "new_empty.default",
     "new_full.default", "scalar_tensor.default", "arange.default", "arange.start",
     "arange.start_step", "lift_fresh.default", "lift_fresh_copy.default", "randn.default",
     "rand.default", "bernoulli_.float", "uniform_.default", "normal_.default"],
    "create",
)(_zero)  # fmt: skip
register(
    ["view.default", "_unsafe_view.default", "reshape.default", "_reshape_alias.default",
     "permute.default", "transpose.int", "t.default", "expand.default", "squeeze.default",
     "squeeze.dim", "squeeze.dims", "unsqueeze.default", "slice.Tensor", "select.int",
     "alias.default", "detach.default", "as_strided.default", "split.Tensor",
     "split_with_sizes.default", "unbind.int", "narrow.default", "unfold.default",
     "view_as_real.default", "view_as_complex.default", "unsqueeze_.default",
     "squeeze_.dim", "t_.default", "transpose_.default"],
    "view",
    view=True,
)(_zero)  # fmt: skip
