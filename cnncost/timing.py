"""Measured time beside predicted cost.

* ``measure(fn, device)``: the ``torch.utils.benchmark`` recipe -- warm-up, synchronisation,
  repetitions until a minimum run time; median, IQR and count.
* ``time_model``: whole-model latency and throughput, with the environment recorded (device,
  driver, torch, cuDNN, TF32 and AMP settings); ``cudnn.benchmark`` on and re-warmed per shape.
* ``time_layers``: per-layer times (CUDA events around each leaf module call, or wall clock on
  the CPU), with the overhead of the method measured and stated; warm or cold L2.
* ``peaks``: attainable dense matmul throughput per dtype and device-memory bandwidth, measured,
  beside a cited table of datasheet figures (never taken as measured).
* ``roofline``: per op, predicted time = max(FLOPs / peak, bytes / bandwidth) + a measured
  per-kernel launch floor; which bound applies.
* ``peak_memory``: measured ``torch.cuda.max_memory_allocated`` against cnncost's prediction.

Every global setting touched (cudnn.benchmark, TF32 flags, threads) is restored afterwards.
"""

from __future__ import annotations

import contextlib
import math
import platform
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import torch
from torch import nn

from . import zoo
from .costs import ModelCost
from .errors import UsageError
from .trace import analyze, resolve_dtype

# NVIDIA datasheets, dense figures (the sparse "with sparsity" figures are 2x these).
# TFLOP/s for FP32 (CUDA cores), TF32/FP16/BF16 (tensor cores); bandwidth in GB/s.
DATASHEETS: dict[str, dict[str, Any]] = {
    "H100 SXM": {
        "fp32": 67,
        "tf32": 494.7,
        "fp16": 989.4,
        "bf16": 989.4,
        "bandwidth": 3350,
        "source": "NVIDIA H100 Tensor Core GPU datasheet (SXM5 80GB, HBM3)",
    },
    "H100 PCIe": {
        "fp32": 51,
        "tf32": 378,
        "fp16": 756,
        "bf16": 756,
        "bandwidth": 2000,
        "source": "NVIDIA H100 Tensor Core GPU datasheet (PCIe 80GB, HBM2e)",
    },
    "H200 SXM": {
        "fp32": 67,
        "tf32": 494.7,
        "fp16": 989.4,
        "bf16": 989.4,
        "bandwidth": 4800,
        "source": "NVIDIA H200 Tensor Core GPU datasheet (SXM 141GB, HBM3e)",
    },
    "A100 SXM 80GB": {
        "fp32": 19.5,
        "tf32": 156,
        "fp16": 312,
        "bf16": 312,
        "bandwidth": 2039,
        "source": "NVIDIA A100 Tensor Core GPU datasheet (SXM4 80GB)",
    },
    "L4": {
        "fp32": 30.3,
        "tf32": 60,
        "fp16": 121,
        "bf16": 121,
        "bandwidth": 300,
        "source": "NVIDIA L4 Tensor Core GPU datasheet",
    },
}


def datasheet_for(device_name: str) -> tuple[str, dict[str, Any]] | None:
    """The datasheet entry matching a CUDA device name ("NVIDIA H100 80GB HBM3" -> H100 SXM)."""
    n = device_name.upper()
    if "H200" in n:
        return "H200 SXM", DATASHEETS["H200 SXM"]
    if "H100" in n:
        key = "H100 PCIe" if "PCIE" in n else "H100 SXM"
        return key, DATASHEETS[key]
    if "A100" in n:
        return "A100 SXM 80GB", DATASHEETS["A100 SXM 80GB"]
    if n.endswith("L4") or " L4" in n:
        return "L4", DATASHEETS["L4"]
    return None


# ---------------------------------------------------------------- measurement


@dataclass(frozen=True)
class Measurement:
    """Seconds per call: median, inter-quartile range and the number of timed calls."""

    times: tuple[float, ...]
    warmup: int

    @property
    def count(self) -> int:
        return len(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def iqr(self) -> float:
        if len(self.times) < 4:
            return max(self.times) - min(self.times)
        q = statistics.quantiles(self.times, n=4)
        return q[2] - q[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "median_ms": 1e3 * self.median,
            "iqr_ms": 1e3 * self.iqr,
            "count": self.count,
            "warmup": self.warmup,
        }


def synchronize(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def measure(
    fn: Callable[[], Any],
    device: str = "cpu",
    warmup: int = 3,
    min_run_time: float = 0.2,
    max_reps: int = 200,
    min_reps: int = 5,
    before_each: Callable[[], Any] | None = None,
) -> Measurement:
    """Time ``fn``: ``warmup`` untimed calls, then calls until ``min_run_time`` seconds and at
    least ``min_reps`` (at most ``max_reps``), each synchronised. On CUDA each call is timed with
    events; ``before_each`` (e.g. an L2 flush) runs untimed before every call."""
    for _ in range(warmup):
        if before_each:
            before_each()
        fn()
    synchronize(device)
    times: list[float] = []
    total = 0.0
    cuda = device.startswith("cuda")
    while (total < min_run_time or len(times) < min_reps) and len(times) < max_reps:
        if before_each:
            before_each()
            synchronize(device)
        if cuda:
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            fn()
            end.record()
            end.synchronize()
            dt = start.elapsed_time(end) / 1e3
        else:
            t0 = time.perf_counter()
            fn()
            dt = time.perf_counter() - t0
        times.append(dt)
        total += dt
    return Measurement(tuple(times), warmup)


@contextlib.contextmanager
def settings(device: str, cudnn_benchmark: bool = True, tf32: bool = False) -> Iterator[None]:
    """cudnn.benchmark and TF32 as asked, restored on exit."""
    saved = (
        torch.backends.cudnn.benchmark,
        torch.backends.cuda.matmul.allow_tf32,
        torch.backends.cudnn.allow_tf32,
    )
    try:
        torch.backends.cudnn.benchmark = cudnn_benchmark
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.allow_tf32 = tf32
        yield
    finally:
        (
            torch.backends.cudnn.benchmark,
            torch.backends.cuda.matmul.allow_tf32,
            torch.backends.cudnn.allow_tf32,
        ) = saved


def environment(device: str) -> dict[str, Any]:
    env: dict[str, Any] = {
        "device": device,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "cpu": platform.processor() or platform.machine(),
        "cpu_threads": torch.get_num_threads(),
        "cudnn_benchmark": torch.backends.cudnn.benchmark,
        "tf32_matmul": torch.backends.cuda.matmul.allow_tf32,
        "tf32_cudnn": torch.backends.cudnn.allow_tf32,
        "amp": False,
    }
    if device.startswith("cuda"):
        props = torch.cuda.get_device_properties(torch.cuda.current_device())
        env.update(
            {
                "gpu": props.name,
                "gpu_memory_gib": round(props.total_memory / 2**30, 1),
                "sm_count": props.multi_processor_count,
                "compute_capability": f"{props.major}.{props.minor}",
                "cuda": torch.version.cuda,
                "cudnn": torch.backends.cudnn.version(),
                "driver": _driver_version(),
            }
        )
    return env


def _driver_version() -> str | None:
    try:
        import subprocess

        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return out.stdout.strip().splitlines()[0] if out.returncode == 0 else None
    except Exception:
        return None


def check_device(device: str) -> str:
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise UsageError(
            f"--device {device}: no CUDA device is available here (torch {torch.__version__}); "
            "use --device cpu."
        )
    if not (device == "cpu" or device.startswith("cuda")):
        raise UsageError(f"--device {device!r}: expected cpu or cuda.")
    return device


# ---------------------------------------------------------------- models


def _real_model(
    model: nn.Module | str, device: str, dtype: torch.dtype, channels_last: bool
) -> nn.Module:
    m = zoo.build(model, device=device) if isinstance(model, str) else model.to(device)
    m = m.to(dtype=dtype).eval()
    if channels_last:
        m = m.to(memory_format=torch.channels_last)
    return m


def time_model(
    model: nn.Module | str,
    input_size: Sequence[int] | None = None,
    batch: int = 1,
    dtype: torch.dtype | str = torch.float32,
    device: str = "cpu",
    *,
    channels_last: bool = False,
    tf32: bool = False,
    min_run_time: float = 0.2,
    warmup: int = 3,
) -> dict[str, Any]:
    """Whole-model inference latency (median, IQR, count) and throughput (images/s)."""
    dt = resolve_dtype(dtype)
    name = model if isinstance(model, str) else type(model).__name__
    size = (
        tuple(input_size or zoo.get(model).input_size)
        if isinstance(model, str)
        else (tuple(input_size or (3, 224, 224)))
    )
    with settings(device, cudnn_benchmark=True, tf32=tf32), torch.inference_mode():
        m = _real_model(model, device, dt, channels_last)
        x = torch.randn(batch, *size, device=device, dtype=dt)
        if channels_last and x.dim() == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        meas = measure(lambda: m(x), device, warmup=warmup, min_run_time=min_run_time)
        env = environment(device)
    if device.startswith("cuda"):
        torch.cuda.empty_cache()
    return {
        "model": name,
        "batch": batch,
        "dtype": str(dt).removeprefix("torch."),
        "channels_last": channels_last,
        "input": "x".join(map(str, size)),
        **meas.to_dict(),
        "images_per_s": batch / meas.median,
        **{f"env_{k}": v for k, v in env.items()},
    }


@dataclass
class _LayerTimer:
    device: str
    events: dict[str, list] = field(default_factory=dict)
    starts: dict[int, Any] = field(default_factory=dict)

    def pre(self, name: str) -> Callable:
        def hook(module: nn.Module, args: Any) -> None:
            if self.device.startswith("cuda"):
                ev = torch.cuda.Event(enable_timing=True)
                ev.record()
            else:
                ev = time.perf_counter()
            self.starts[id(module)] = ev

        return hook

    def post(self, name: str) -> Callable:
        def hook(module: nn.Module, args: Any, out: Any) -> None:
            start = self.starts.pop(id(module))
            if self.device.startswith("cuda"):
                ev = torch.cuda.Event(enable_timing=True)
                ev.record()
                self.events.setdefault(name, []).append((start, ev))
            else:
                self.events.setdefault(name, []).append((start, time.perf_counter()))

        return hook


def time_layers(
    model: nn.Module | str,
    input_size: Sequence[int] | None = None,
    batch: int = 1,
    dtype: torch.dtype | str = torch.float32,
    device: str = "cpu",
    *,
    reps: int = 20,
    cold_l2: bool = False,
    tf32: bool = False,
) -> pd.DataFrame:
    """Median time of every leaf module call (CUDA events or wall clock around it), and the
    overhead the timing adds (whole forward with the hooks minus without, per hooked call).
    ``cold_l2`` flushes the L2 cache (writes a buffer larger than it) before each forward."""
    dt = resolve_dtype(dtype)
    name = model if isinstance(model, str) else type(model).__name__
    size = tuple(
        input_size or (zoo.get(model).input_size if isinstance(model, str) else (3, 224, 224))
    )
    flush = _l2_flusher(device) if cold_l2 else None
    with settings(device, True, tf32), torch.inference_mode():
        m = _real_model(model, device, dt, False)
        x = torch.randn(batch, *size, device=device, dtype=dt)
        plain = measure(lambda: m(x), device, warmup=3, min_run_time=0.1, before_each=flush)
        timer = _LayerTimer(device)
        handles = []
        leaves = [(n, mod) for n, mod in m.named_modules() if not mod._modules and n]
        try:
            for n, mod in leaves:
                handles.append(mod.register_forward_pre_hook(timer.pre(n)))
                handles.append(mod.register_forward_hook(timer.post(n)))
            hooked = measure(lambda: m(x), device, warmup=3, min_run_time=0.1, before_each=flush)
            timer.events.clear()
            for _ in range(reps):
                if flush:
                    flush()
                m(x)
            synchronize(device)
        finally:
            for h in handles:
                h.remove()
    calls_per_forward = max(1, sum(len(v) for v in timer.events.values()) // max(reps, 1))
    overhead = max(0.0, (hooked.median - plain.median) / calls_per_forward)
    rows = []
    for n, pairs in timer.events.items():
        if device.startswith("cuda"):
            ms = [a.elapsed_time(b) for a, b in pairs]
        else:
            ms = [1e3 * (b - a) for a, b in pairs]
        per_call = len(pairs) // reps or 1
        sums = [sum(ms[i * per_call : (i + 1) * per_call]) for i in range(reps)]
        rows.append(
            {
                "model": name,
                "layer": n,
                "kind": type(dict(leaves)[n]).__name__,
                "median_ms": statistics.median(sums),
                "calls_per_forward": per_call,
            }
        )
    df = pd.DataFrame(rows)
    df.attrs.update(
        {
            "forward_ms": 1e3 * plain.median,
            "forward_hooked_ms": 1e3 * hooked.median,
            "overhead_ms_per_call": 1e3 * overhead,
            "l2": "cold" if cold_l2 else "warm",
            "method": "CUDA events around each leaf module call"
            if device.startswith("cuda")
            else "time.perf_counter around each leaf module call",
        }
    )
    return df


def _l2_flusher(device: str) -> Callable[[], None] | None:
    if not device.startswith("cuda"):
        return None
    props = torch.cuda.get_device_properties(torch.cuda.current_device())
    l2 = getattr(props, "L2_cache_size", 50 * 2**20) or 50 * 2**20
    buf = torch.empty(int(2 * l2) // 4 + 1, dtype=torch.float32, device=device)
    return lambda: buf.zero_()


# ---------------------------------------------------------------- peaks and roofline


@dataclass(frozen=True)
class Peaks:
    device: str
    name: str
    matmul_tflops: dict[str, float]  # measured, per dtype (fp32, tf32, fp16, bf16)
    bandwidth_gbs: float  # measured device-memory bandwidth (copy: read + write)
    launch_us: float  # measured per-kernel floor (a tiny element-wise op)
    sizes: dict[str, int] = field(default_factory=dict)
    datasheet: dict[str, Any] | None = None
    datasheet_name: str | None = None

    def flops_per_s(self, dtype: str, tf32: bool = False) -> float:
        names = {"float32": "fp32", "float16": "fp16", "bfloat16": "bf16"}
        key = "tf32" if dtype == "float32" and tf32 else names.get(dtype, "fp32")
        return self.matmul_tflops.get(key, self.matmul_tflops["fp32"]) * 1e12

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def peaks(device: str = "cpu", quick: bool = False) -> Peaks:
    """Measure attainable dense matmul TFLOP/s per dtype, copy bandwidth and the launch floor."""
    check_device(device)
    cuda = device.startswith("cuda")
    n = (8192 if not quick else 4096) if cuda else (2048 if not quick else 512)
    results: dict[str, float] = {}
    dtypes = [
        ("fp32", torch.float32, False),
        ("tf32", torch.float32, True),
        ("fp16", torch.float16, False),
        ("bf16", torch.bfloat16, False),
    ]
    if not cuda:
        dtypes = [d for d in dtypes if d[0] in ("fp32", "bf16")]
    for key, dt, tf32 in dtypes:
        with settings(device, True, tf32), torch.inference_mode():
            a = torch.randn(n, n, device=device, dtype=dt)
            b = torch.randn(n, n, device=device, dtype=dt)
            meas = measure(
                lambda a=a, b=b: torch.mm(a, b),
                device,
                warmup=3,
                min_run_time=0.3 if not quick else 0.05,
            )
        results[key] = 2 * n**3 / meas.median / 1e12
    nbytes = (1 << 30) if cuda else (1 << 27)
    if quick:
        nbytes //= 8
    src = torch.empty(nbytes // 4, dtype=torch.float32, device=device).normal_()
    dst = torch.empty_like(src)
    bw = measure(lambda: dst.copy_(src), device, warmup=3, min_run_time=0.2)
    tiny = torch.zeros(16, device=device)
    launch = measure(lambda: tiny.add_(1), device, warmup=10, min_run_time=0.05, min_reps=50)
    name = torch.cuda.get_device_name() if cuda else (platform.processor() or platform.machine())
    sheet = datasheet_for(name) if cuda else None
    return Peaks(
        device,
        name,
        results,
        2 * nbytes / bw.median / 1e9,
        1e6 * launch.median,
        {"matmul_n": n, "copy_bytes": nbytes},
        sheet[1] if sheet else None,
        sheet[0] if sheet else None,
    )


NON_KERNEL = {"view", "create"}  # categories that launch no kernel of their own


def roofline(cost: ModelCost, pk: Peaks, tf32: bool = False) -> pd.DataFrame:
    """Per op: arithmetic intensity, compute and memory time, the bound that applies, and the
    predicted time = max(FLOPs / peak, bytes / bandwidth) + the launch floor."""
    peak = pk.flops_per_s(cost.dtype, tf32)
    bw = pk.bandwidth_gbs * 1e9
    floor = pk.launch_us * 1e-6
    rows = []
    for row, op in cost.ops():
        if op.category in NON_KERNEL:
            continue
        moved = op.bytes_read + op.bytes_written
        t_c, t_m = op.flops / peak, moved / bw
        rows.append(
            {
                "layer": row.name,
                "kind": row.kind,
                "op": op.op,
                "flops": op.flops,
                "bytes": moved,
                "intensity": op.flops / moved if moved else math.inf,
                "compute_s": t_c,
                "memory_s": t_m,
                "bound": "compute" if t_c >= t_m else "memory",
                "predicted_s": max(t_c, t_m) + floor,
                "launch_bound": floor > max(t_c, t_m),
            }
        )
    return pd.DataFrame(rows)


def predict_seconds(cost: ModelCost, pk: Peaks, tf32: bool = False) -> float:
    """Predicted forward time: the per-op roofline, summed."""
    r = roofline(cost, pk, tf32)
    return float(r["predicted_s"].sum()) if len(r) else 0.0


def peak_memory(model: str, batch: int, dtype: str, device: str) -> dict[str, Any]:
    """Measured peak allocated memory of one inference (CUDA) beside cnncost's prediction."""
    e = zoo.get(model)
    cost = analyze(zoo.build(model), e.input_size, batch=batch, dtype=dtype, name=model)
    out = {
        "model": model,
        "batch": batch,
        "dtype": dtype,
        "predicted_peak_bytes": cost.predicted_peak_bytes,
        "predicted_activation_peak_bytes": cost.peak_activation_bytes,
        "weight_bytes": cost.weight_bytes,
        "measured_peak_bytes": None,
    }
    if not device.startswith("cuda"):
        return out
    dt = resolve_dtype(dtype)
    torch.cuda.empty_cache()
    with settings(device, True, False), torch.inference_mode():
        m = _real_model(model, device, dt, False)
        x = torch.randn(batch, *e.input_size, device=device, dtype=dt)
        m(x)  # let cuDNN pick its algorithms (and their workspaces) first
        torch.cuda.synchronize()
        base = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        y = m(x)
        torch.cuda.synchronize()
        peak = torch.cuda.max_memory_allocated()
        del y
    out["measured_peak_bytes"] = peak
    out["measured_baseline_bytes"] = base  # weights + input held before the forward
    torch.cuda.empty_cache()
    return out


# ---------------------------------------------------------------- statistics


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rank correlation (average ranks for ties)."""

    def ranks(v: Sequence[float]) -> list[float]:
        order = sorted(range(len(v)), key=lambda i: v[i])
        r = [0.0] * len(v)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
                j += 1
            for k in range(i, j + 1):
                r[order[k]] = (i + j) / 2 + 1
            i = j + 1
        return r

    if len(x) < 2:
        return math.nan
    rx, ry = ranks(x), ranks(y)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    num = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    den = math.sqrt(sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry))
    return num / den if den else math.nan


def median_abs_pct_error(predicted: Sequence[float], measured: Sequence[float]) -> float:
    errs = [abs(p - m) / m * 100 for p, m in zip(predicted, measured, strict=True) if m > 0]
    return statistics.median(errs) if errs else math.nan


# ---------------------------------------------------------------- saved comparison timings


def load_comparison_timing(name: str, root: str | Path = "reports") -> pd.DataFrame | None:
    """Measured latencies of a comparison's variants saved by ``cnncost validate``: the first
    GPU folder under reports/cuda/, else reports/cpu/."""
    base = Path(root)
    for folder in [*sorted((base / "cuda").glob("*")), base / "cpu"]:
        f = folder / "comparisons.csv"
        if f.exists():
            df = pd.read_csv(f)
            sel = df[df["comparison"] == name]
            if len(sel):
                out = sel[["variant", "median_ms"]].reset_index(drop=True)
                out.attrs["where"] = folder.relative_to(base).as_posix()
                return out
    return None
