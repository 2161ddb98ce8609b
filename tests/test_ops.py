"""Each registered op family against its closed-form formula (README 'Counting rules').

Every expected number below is computed from the textbook formula in the test itself:
conv MACs = N * C_out * H_out * W_out * (C_in / groups) * kh * kw (transposed: per input
element), linear MACs = N * in * out, pooling FLOPs = (area - 1) or area per output, etc.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from cnncost import analyze, ops
from cnncost.ops import adaptive_window_sum, pool_out_size

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Fn(nn.Module):
    """Wraps a functional call so that its ops are charged to one module."""

    def __init__(self, fn) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, *xs):
        return self.fn(*xs)


def cost_of(module: nn.Module, shape: tuple[int, ...], device: str = "meta"):
    return analyze(module, shape[1:], batch=shape[0], device=device)


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


@st.composite
def conv_cases(draw):
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    cin = groups * draw(st.integers(1, 4))
    cout = groups * draw(st.integers(1, 4))
    k = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    pad = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    dil = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    h = draw(st.integers(max(k[0] * dil[0], 1), 20))
    w = draw(st.integers(max(k[1] * dil[1], 1), 20))
    n = draw(st.integers(1, 3))
    bias = draw(st.booleans())
    return n, cin, cout, k, stride, pad, dil, groups, h, w, bias


@SETTINGS
@given(conv_cases())
def test_conv2d_macs_closed_form_and_shape(case) -> None:
    n, cin, cout, k, s, p, d, g, h, w, bias = case
    conv = nn.Conv2d(cin, cout, k, s, p, d, g, bias=bias, device="meta")
    c = cost_of(conv, (n, cin, h, w))
    ho = (h + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1
    wo = (w + 2 * p[1] - d[1] * (k[1] - 1) - 1) // s[1] + 1
    out_elems = n * cout * ho * wo
    assert c.output_shapes == ((n, cout, ho, wo),)
    assert c.macs == out_elems * (cin // g) * k[0] * k[1]
    assert c.flops == 2 * c.macs + (out_elems if bias else 0)
    # the fast meta shape rule agrees with torch's own meta kernel
    ref = F.conv2d(torch.empty(n, cin, h, w, device="meta"), conv.weight, None, s, p, d, g)
    assert tuple(ref.shape) == (n, cout, ho, wo)


@SETTINGS
@given(
    st.integers(1, 3), st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(1, 3),
    st.integers(0, 1), st.integers(0, 1), st.integers(1, 8), st.sampled_from([1, 2]),
)  # fmt: skip
def test_conv_transpose2d_macs_per_input_element(n, cin_g, cout_g, k, s, p, op, h, g) -> None:
    op = min(op, s - 1)
    conv = nn.ConvTranspose2d(cin_g * g, cout_g * g, k, s, p, output_padding=op, groups=g,
                              bias=False, device="meta")  # fmt: skip
    ho = (h - 1) * s - 2 * p + (k - 1) + op + 1
    if ho < 1:
        return
    c = cost_of(conv, (n, cin_g * g, h, h))
    assert c.output_shapes == ((n, cout_g * g, ho, ho),)
    # every input element is multiplied into C_out/groups * k * k outputs
    assert c.macs == n * cin_g * g * h * h * cout_g * k * k


@pytest.mark.parametrize("nd", [1, 3])
def test_conv1d_and_conv3d(nd: int) -> None:
    cls = {1: nn.Conv1d, 3: nn.Conv3d}[nd]
    conv = cls(4, 6, 3, stride=2, padding=1, device="meta")
    spatial = (9,) * nd
    c = cost_of(conv, (2, 4, *spatial))
    out = (9 + 2 - 2 - 1) // 2 + 1  # 5
    assert c.output_shapes == ((2, 6, *(out,) * nd),)
    assert c.macs == 2 * 6 * out**nd * 4 * 3**nd
    assert c.flops == 2 * c.macs + 2 * 6 * out**nd  # + bias per output element


@SETTINGS
@given(st.integers(1, 4), st.integers(1, 5), st.integers(1, 64), st.integers(1, 64), st.booleans())
def test_linear_2d_and_3d(n, t, fin, fout, bias) -> None:
    lin = nn.Linear(fin, fout, bias=bias, device="meta")
    c2 = cost_of(lin, (n, fin))
    assert c2.macs == n * fin * fout
    assert c2.flops == 2 * n * fin * fout + (n * fout if bias else 0)
    c3 = cost_of(lin, (n, t, fin))
    assert c3.macs == n * t * fin * fout


def test_matmul_bmm_einsum_sdpa() -> None:
    # (b, m, k) @ (k, n): b*m*k*n MACs
    c = cost_of(Fn(lambda x: x @ torch.empty(7, 3, device=x.device)), (2, 5, 7))
    assert c.macs == 2 * 5 * 7 * 3
    c = cost_of(Fn(lambda x: torch.bmm(x, x.transpose(1, 2))), (4, 6, 8))
    assert c.macs == 4 * 6 * 8 * 6
    c = cost_of(Fn(lambda x: torch.einsum("bij,bjk->bik", x, x.transpose(1, 2))), (4, 6, 8))
    assert c.macs == 4 * 6 * 8 * 6
    # attention: QK^T (b*h*s*s*d) + AV (b*h*s*s*d) multiply-accumulates
    c = cost_of(Fn(lambda q: F.scaled_dot_product_attention(q, q, q)), (2, 4, 16, 8))
    assert c.macs == 2 * (2 * 4 * 16 * 16 * 8)


@SETTINGS
@given(st.integers(1, 4), st.integers(0, 2), st.integers(1, 3), st.integers(4, 30),
       st.booleans(), st.integers(1, 2))  # fmt: skip
def test_max_pool_closed_form(k, p, s, h, ceil, d) -> None:
    p = min(p, k // 2)
    if d * (k - 1) + 1 > h + 2 * p:
        return
    pool = nn.MaxPool2d(k, s, p, dilation=d, ceil_mode=ceil)
    ho = pool_out_size(h, k, s, p, d, ceil)
    ref = F.max_pool2d(torch.zeros(1, 2, h, h), k, s, p, d, ceil_mode=ceil)  # torch's own shape
    assert ref.shape[-1] == ho
    c = cost_of(pool, (1, 2, h, h))
    assert c.output_shapes[0] == (1, 2, ho, ho)
    out = 2 * ho * ho
    assert c.flops == (k * k - 1) * out  # comparisons
    assert c.totals["lecture_flops"] == k * k * out  # the lecture's kernel area x outputs
    assert c.macs == 0


def test_avg_pool_and_functional_pool() -> None:
    c = cost_of(nn.AvgPool2d(3, 2, 1), (2, 8, 15, 15))
    out = 2 * 8 * 8 * 8  # (15 + 2 - 3) // 2 + 1 = 8
    assert c.flops == 9 * out and c.totals["lecture_flops"] == 9 * out
    c = cost_of(Fn(lambda x: F.avg_pool1d(x, 2)), (1, 3, 10))
    assert c.flops == 2 * 3 * 5
    c = cost_of(nn.MaxPool3d(2), (1, 2, 4, 4, 4))
    assert c.flops == (8 - 1) * 2 * 2 * 2 * 2


@pytest.mark.parametrize(("hin", "hout"), [(13, 6), (7, 7), (6, 6), (10, 3), (5, 1), (224, 7)])
def test_adaptive_avg_pool_windows(hin: int, hout: int) -> None:
    # each output i averages input [floor(i*In/Out), ceil((i+1)*In/Out)): brute force below
    brute = sum(ceil_div((i + 1) * hin, hout) - (i * hin) // hout for i in range(hout))
    assert adaptive_window_sum(hin, hout) == brute
    c = cost_of(nn.AdaptiveAvgPool2d(hout), (2, 3, hin, hin))
    assert c.flops == 2 * 3 * brute * brute
    assert c.output_shapes[0] == (2, 3, hout, hout)
    cm = cost_of(nn.AdaptiveMaxPool2d(hout), (2, 3, hin, hin))
    assert cm.flops == 2 * 3 * (brute * brute - hout * hout)  # window - 1 comparisons


def test_global_average_pool_is_a_pool_in_the_lecture_column() -> None:
    # adaptive_avg_pool2d(x, 1) lowers to mean over (H, W): kernel area x outputs = H*W*C
    c = cost_of(nn.AdaptiveAvgPool2d(1), (1, 1024, 7, 7))
    assert c.flops == 1024 * 49 and c.totals["lecture_flops"] == 1024 * 49


@pytest.mark.parametrize(
    ("module", "per_element"),
    [
        (nn.BatchNorm2d(6), 2),  # eval: folded scale and shift
        (nn.GroupNorm(3, 6), 5),
        (nn.LayerNorm([5, 5]), 5),
        (nn.ReLU(), 1), (nn.ReLU6(), 1), (nn.LeakyReLU(), 1), (nn.Hardtanh(), 1),
        (nn.Sigmoid(), 1), (nn.Tanh(), 1), (nn.GELU(), 1), (nn.SiLU(), 1),
        (nn.Hardswish(), 1), (nn.Hardsigmoid(), 1),
        (nn.Softmax(dim=1), 5), (nn.LogSoftmax(dim=1), 5),
        (nn.Dropout(0.5), 0), (nn.Identity(), 0), (nn.Flatten(), 0),
        (nn.Upsample(scale_factor=2, mode="nearest"), 0),
    ],
)  # fmt: skip
def test_per_element_rules(module: nn.Module, per_element: int) -> None:
    module = module.to("meta")
    c = cost_of(module, (2, 6, 5, 5))
    out = math.prod(c.output_shapes[0])
    assert c.flops == per_element * out
    assert c.macs == 0


def test_bilinear_upsample_8_per_output() -> None:
    c = cost_of(nn.Upsample(scale_factor=2, mode="bilinear"), (1, 3, 4, 4))
    assert c.flops == 8 * 3 * 8 * 8


def test_batch_norm_training_counts_5_per_element() -> None:
    bn = nn.BatchNorm2d(4, device="meta")
    c = analyze(bn, (4, 3, 3), batch=2, train=True)
    # 5 per element, plus the one add_ that bumps num_batches_tracked in training mode
    assert c.flops == 5 * 2 * 4 * 9 + 1


def test_binary_ops_reductions_and_data_movement() -> None:
    c = cost_of(Fn(lambda x: x + x), (2, 3, 4))
    assert c.flops == 24 and c.totals["bytes_read"] == 2 * 24 * 4
    c = cost_of(Fn(lambda x: (x - 1) * 2 / 3), (2, 3, 4))
    assert c.flops == 3 * 24
    c = cost_of(Fn(lambda x: x + torch.ones(4, device=x.device)), (2, 3, 4))  # broadcast
    assert c.flops == 24
    c = cost_of(Fn(lambda x: x.mean((2, 3))), (2, 3, 4, 5))
    assert c.flops == 120 and c.totals["lecture_flops"] == 0  # not keepdim: not a pool
    c = cost_of(Fn(lambda x: x.sum(1)), (2, 3, 4))
    assert c.flops == 24
    # cat moves bytes but does no arithmetic: reads both operands, writes the result
    c = cost_of(Fn(lambda x: torch.cat([x, x], 1)), (2, 3, 4))
    assert c.flops == 0
    assert c.totals["bytes_read"] == 2 * 24 * 4 and c.totals["bytes_written"] == 48 * 4


def test_views_move_nothing() -> None:
    c = cost_of(Fn(lambda x: x.view(2, -1).permute(1, 0).t().flatten().unsqueeze(0)), (2, 3, 4))
    assert c.flops == 0 and c.totals["bytes_read"] == 0 and c.totals["bytes_written"] == 0
    assert c.memory_bytes == 0


def test_unknown_op_is_reported_not_silent() -> None:
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = Fn(lambda x: torch.cumsum(x, 1))

        def forward(self, x):
            return self.inner(x) + torch.cumsum(x, 2)

    c = cost_of(Net(), (1, 3, 4))
    (u,) = c.unsupported
    assert u.op == "aten.cumsum.default" and u.count == 2
    assert set(u.where) == {"inner", "(model)"}
    assert c.to_dict()["unsupported"] == {"aten.cumsum.default": 2}


def test_duplicate_registration_is_an_error() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        ops.register(["relu.default"], "activation")(lambda a, k, o: ops.Count())


def test_every_rule_resolves_to_an_aten_overload() -> None:
    assert len(ops.REGISTRY) > 100
    for op, rule in ops.REGISTRY.items():
        assert rule.name == str(op) and rule.name.startswith("aten.")


@SETTINGS
@given(st.integers(1, 3), st.integers(1, 8), st.integers(1, 4), st.integers(1, 3),
       st.integers(0, 1), st.integers(3, 20), st.booleans())  # fmt: skip
def test_fast_meta_shapes_equal_torch_meta_kernels(n, c, k, s, p, h, ceil) -> None:
    p = min(p, k // 2)
    x = torch.empty(n, c, h, h, device="meta")
    if k > h + 2 * p:
        return
    rule = ops.REGISTRY[torch.ops.aten.max_pool2d_with_indices.default]
    args = (x, [k, k], [s, s], [p, p], [1, 1], ceil)
    mine = rule.shape(args, {})
    ref = torch.ops.aten.max_pool2d_with_indices.default(*args)
    assert [tuple(t.shape) for t in mine] == [tuple(t.shape) for t in ref]
    rule = ops.REGISTRY[torch.ops.aten.avg_pool2d.default]
    args = (x, [k, k], [s, s], [p, p], ceil)
    assert rule.shape(args, {}).shape == torch.ops.aten.avg_pool2d.default(*args).shape
    bn = ops.REGISTRY[torch.ops.aten._native_batch_norm_legit_no_training.default]
    w = torch.empty(c, device="meta")
    assert bn.shape((x, w, w, w, w, 0.1, 1e-5), {})[0].shape == x.shape


@pytest.mark.parametrize(
    ("op", "args"),
    [
        ("mul.Tensor", lambda: (torch.empty(2, 8, 5, 5), torch.empty(2, 8, 1, 1))),
        ("add.Tensor", lambda: (torch.empty(3, 4), torch.empty(4))),
        ("add.Tensor", lambda: (torch.empty(3, 4), torch.empty(3, 4, dtype=torch.float16))),
        ("mul.Tensor", lambda: (torch.empty(3, 4, dtype=torch.bfloat16), 2.5)),
        ("div.Tensor", lambda: (torch.empty(3, 4), torch.empty((), dtype=torch.float64))),
        ("cat.default", lambda: ([torch.empty(2, 3, 4), torch.empty(2, 5, 4)], 1)),
        ("cat.default", lambda: ([torch.empty(2, 3), torch.empty(0), torch.empty(4, 3)],)),
        ("mean.dim", lambda: (torch.empty(2, 8, 7, 7), [-1, -2], True)),
        ("sum.dim_IntList", lambda: (torch.empty(2, 8, 7, 7), [1])),
        ("mm.default", lambda: (torch.empty(5, 7), torch.empty(7, 3))),
        ("addmm.default", lambda: (torch.empty(3), torch.empty(5, 7), torch.empty(7, 3))),
        ("bmm.default", lambda: (torch.empty(2, 5, 7), torch.empty(2, 7, 3))),
        ("relu.default", lambda: (torch.empty(2, 3, 4, 4).permute(0, 2, 3, 1),)),
    ],
)
def test_shape_rules_agree_with_torch_meta(op: str, args) -> None:
    """Every fast shape rule gives the shape and dtype torch's own meta kernel gives."""
    func = ops.resolve([op])[0]
    a = args()

    def to_meta(x):
        if isinstance(x, torch.Tensor):
            return x.to("meta")
        if isinstance(x, list):
            return [to_meta(v) for v in x]
        return x

    meta = tuple(to_meta(x) for x in a)
    rule = ops.REGISTRY[func]
    mine = rule.shape(meta, {})
    ref = func(*meta)
    if mine is None:  # the rule declined: torch's kernel runs instead, which is also right
        return
    assert (tuple(mine.shape), mine.dtype) == (tuple(ref.shape), ref.dtype)


@pytest.mark.parametrize(
    ("module", "shape", "words"),
    [
        (nn.Conv2d(3, 8, 3), (1, 4, 8, 8), "to have 3 channels, but got 4"),
        (nn.Conv2d(4, 8, 3, groups=2), (1, 2, 8, 8), "to have 4 channels"),
        (nn.ConvTranspose2d(3, 8, 3), (1, 5, 8, 8), "channels"),
        (nn.Linear(10, 3), (2, 11), "cannot be multiplied"),
        (nn.BatchNorm2d(3), (1, 4, 8, 8), "channels|running_mean should contain"),
        (Fn(lambda x: torch.cat([x, x[:, :, :2]], 1)), (1, 2, 4, 4), "Sizes of tensors must match"),
        (Fn(lambda x: torch.bmm(x, x)), (2, 3, 4), "cannot be multiplied"),
    ],
)  # fmt: skip
def test_fast_shape_rules_reject_what_torch_rejects(module, shape, words) -> None:
    """The meta fast paths validate like torch's kernels, so a wrong input is never costed."""
    from cnncost import TraceError

    with pytest.raises(TraceError, match=words):
        cost_of(module.to("meta"), shape)
    with pytest.raises((RuntimeError, TraceError)):  # and torch itself rejects it on the CPU
        cost_of(module.to("cpu"), shape, device="cpu")
