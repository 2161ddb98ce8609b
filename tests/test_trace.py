"""The tracer: rows, charging, meta vs real execution, and leaving the user's model as it was."""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from cnncost import TraceError, analyze, report, zoo


class Functional(nn.Module):
    """LeNet-like model with functional relu/pool/add/cat/interpolate in its own forward."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 6, 3, padding=1)
        self.fc = nn.Linear(6 * 12 * 12 * 2, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))  # 6x24x24
        y = self.conv2(x) + x  # functional add
        z = torch.cat([F.max_pool2d(y, 2), F.interpolate(F.max_pool2d(y, 4), scale_factor=2)], 1)
        return self.fc(torch.flatten(z, 1))


class Shared(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.block = nn.Conv2d(4, 4, 3, padding=1)
        self.unused = nn.Linear(3, 3)  # never called: its 12 params still count

    def forward(self, x):
        return self.block(self.block(x))


def test_functional_ops_are_charged_to_the_issuing_module() -> None:
    c = analyze(Functional(), (1, 28, 28))
    root = c.row("(model)")
    kinds = {o.op.split(".")[1] for o in root.ops}
    assert {"relu", "add", "max_pool2d_with_indices", "cat", "upsample_nearest2d"} <= kinds
    # relu on 6x24x24 + add on 6x24x24 + pools (3 and 15 comparisons per output)
    n = 6 * 24 * 24
    pools = 3 * 6 * 12 * 12 + 15 * 6 * 6 * 6
    assert root.flops == n + n + pools
    assert root.macs == 0
    assert c.row("conv2").macs == 6 * 24 * 24 * 6 * 9


def test_rows_sum_to_totals_in_every_view() -> None:
    for model, size in [(Functional(), (1, 28, 28)), (zoo.build("alexnet"), (3, 227, 227))]:
        c = analyze(model, size)
        t = c.totals
        assert sum(r.macs for r in c.rows) == t["macs"]
        assert sum(r.flops for r in c.rows) == t["flops"]
        assert sum(r.params for r in c.rows) + sum(p for _, p in c.uncalled) == t["params"]
        assert t["params"] == sum(p.numel() for p in model.parameters())
        for df in (report.lecture_view(c), report.all_view(c), report.depth_view(c, 1),
                   report.depth_view(c, 0)):  # fmt: skip
            assert report.sums_match(c, df)


def test_module_called_twice_gives_two_rows_params_once() -> None:
    c = analyze(Shared(), (4, 8, 8))
    names = [r.name for r in c.rows]
    assert names == ["(model)", "block", "block#2"]
    assert c.row("block").params == 4 * 4 * 9 + 4 and c.row("block#2").params == 0
    assert c.uncalled == (("unused", 12),)
    assert c.params == 4 * 4 * 9 + 4 + 12
    assert c.row("block").macs == c.row("block#2").macs == 4 * 8 * 8 * 4 * 9


@pytest.mark.parametrize("name", ["alexnet", "googlenet_stem", "alexnet_torchvision"])
def test_meta_counts_equal_cpu_execution(name: str) -> None:
    entry = zoo.get(name)
    meta = analyze(zoo.build(name), entry.input_size, batch=2)
    real = analyze(zoo.build(name, device="cpu"), entry.input_size, batch=2, device="cpu")
    assert meta.totals == real.totals
    assert [r.to_dict() for r in meta.rows] == [r.to_dict() for r in real.rows]


def test_functional_model_meta_equals_cpu() -> None:
    model = Functional()
    meta = analyze(model, (1, 28, 28), batch=3)
    real = analyze(model, (1, 28, 28), batch=3, device="cpu")
    assert meta.totals == real.totals


def _snapshot(model: nn.Module) -> dict:
    return {
        "state": {k: (v.clone(), v.data_ptr(), v.device) for k, v in model.state_dict().items()},
        "training": {n: m.training for n, m in model.named_modules()},
        "hooks": {
            n: (len(m._forward_hooks), len(m._forward_pre_hooks)) for n, m in model.named_modules()
        },
        "grad": torch.is_grad_enabled(),
        "dtype": torch.get_default_dtype(),
        "requires_grad": {n: p.requires_grad for n, p in model.named_parameters()},
    }


def _assert_same(before: dict, model: nn.Module) -> None:
    after = _snapshot(model)
    assert before["training"] == after["training"]
    assert before["hooks"] == after["hooks"]
    assert before["grad"] == after["grad"] and before["dtype"] == after["dtype"]
    assert before["requires_grad"] == after["requires_grad"]
    for k, (v, ptr, dev) in before["state"].items():
        v2, ptr2, dev2 = after["state"][k]
        assert ptr == ptr2 and dev == dev2 and torch.equal(v, v2), k


def test_user_model_with_real_weights_is_untouched_after_success() -> None:
    model = zoo.build("alexnet_torchvision", device="cpu").train()
    model.features[0].register_forward_hook(lambda *a: None)  # the user's own hook survives
    before = _snapshot(model)
    c = analyze(model, (3, 224, 224), batch=4)
    assert c.device == "meta" and c.params == 61_100_840  # torchvision's published num_params
    _assert_same(before, model)
    assert model.training  # eval() was only for the trace


def test_user_model_is_untouched_after_a_failing_forward() -> None:
    model = zoo.build("alexnet_torchvision", device="cpu")
    model.classifier.train()
    before = _snapshot(model)
    with pytest.raises(TraceError):
        analyze(model, (3, 8, 8))
    _assert_same(before, model)


def test_failure_names_the_layer_and_its_input() -> None:
    with pytest.raises(TraceError) as info:
        analyze(zoo.build("alexnet"), (3, 32, 32))
    err = info.value
    # conv1 (11x11/4) maps 32 -> 6, maxpool1 -> 2, conv2 -> 2, maxpool2 (3x3) cannot fit in 2x2
    assert err.layer == "maxpool2" and err.input_shape == (1, 256, 2, 2)
    assert "maxpool2" in str(err) and "[1, 256, 2, 2]" in str(err)


def test_value_dependent_forward_on_meta_suggests_cpu() -> None:
    class Branchy(nn.Module):
        def forward(self, x):
            return x * 2 if x.sum() > 0 else x

    with pytest.raises(TraceError) as info:
        analyze(Branchy(), (3, 4, 4))
    assert info.value.value_dependent and "--device cpu" in str(info.value)
    assert analyze(Branchy(), (3, 4, 4), device="cpu").flops > 0


def test_dtype_scales_memory_not_counts() -> None:
    m = zoo.build("googlenet_stem")
    f32 = analyze(m, (3, 224, 224))
    f16 = analyze(m, (3, 224, 224), dtype="float16")
    assert f16.macs == f32.macs and f16.flops == f32.flops
    assert f16.memory_bytes * 2 == f32.memory_bytes
    assert f16.dtype == "float16"


def test_batch_scales_linearly() -> None:
    m = zoo.build("alexnet")
    one, many = analyze(m, (3, 227, 227)), analyze(m, (3, 227, 227), batch=1024)
    assert many.macs == 1024 * one.macs and many.memory_bytes == 1024 * one.memory_bytes
    assert many.params == one.params


def test_eval_mode_is_the_default_and_dropout_costs_nothing() -> None:
    m = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5)).train()
    c = analyze(m, (4,))
    assert c.row("1").flops == 0
    assert m.training and m[1].training


def test_inputs_and_tuple_outputs() -> None:
    class Two(nn.Module):
        def forward(self, a, b):
            return a + b, {"x": a * b}

    c = analyze(Two(), inputs=(torch.zeros(2, 3), torch.zeros(2, 3)))
    assert c.flops == 12 and c.output_shapes == ((2, 3), (2, 3))


def test_model_is_not_copied_or_moved() -> None:
    model = nn.Linear(10, 10)
    ref = copy.deepcopy(model)
    analyze(model, (10,), dtype="bfloat16")
    assert model.weight.dtype == torch.float32 and torch.equal(model.weight, ref.weight)


def test_peak_activation_memory_from_tensor_lifetimes() -> None:
    # input 1x1x8x8 fp32 = 256 B (alive throughout); conv -> 4x6x6 = 576 B; a non-in-place
    # ReLU makes another 576 B while the conv output is still referenced; then Sequential drops
    # the conv output, flatten is a view, and the linear output is 40 B: peak 256 + 576 + 576
    m = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(144, 10))
    c = analyze(m, (1, 8, 8))
    assert c.peak_activation_bytes == 256 + 576 + 576
    assert c.weight_bytes == 4 * (4 * 9 + 4 + 144 * 10 + 10)
    assert c.predicted_peak_bytes == c.weight_bytes + c.peak_activation_bytes
    inplace = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(inplace=True))
    assert analyze(inplace, (1, 8, 8)).peak_activation_bytes == 256 + 576  # no second buffer
    real = analyze(zoo.build("resnet18", device="cpu"), (3, 64, 64), batch=2, device="cpu")
    assert real.peak_activation_bytes == analyze(zoo.build("resnet18"), (3, 64, 64),
                                                 batch=2).peak_activation_bytes  # fmt: skip
