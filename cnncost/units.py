"""Units said once: formatting counts and bytes, parsing sizes and shapes, atomic writes."""

from __future__ import annotations

import decimal
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .errors import UsageError

_COUNT_SUFFIX = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
_BYTE_SUFFIX = {
    "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
    "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40,
}  # fmt: skip
_NUM = r"(\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"


def fmt_count(n: float) -> str:
    """SI count: 62.38 M, 1.81 G (powers of 1000)."""
    n = float(n)
    for suffix, scale in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(n) >= scale:
            return f"{n / scale:.2f} {suffix}"
    return f"{n:g}"


def fmt_bytes(n: float) -> str:
    """Binary units: KiB, MiB, GiB."""
    n = float(n)
    for suffix, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if abs(n) >= scale:
            return f"{n / scale:.2f} {suffix}"
    return f"{n:g} B"


def fmt_shape(shape: Sequence[int] | None) -> str:
    return "" if shape is None else "x".join(str(int(s)) for s in shape)


def parse_count(text: str) -> int:
    """'1.5G' -> 1_500_000_000; 'K', 'M', 'G', 'T' are powers of 1000."""
    s = str(text).strip().replace(",", "").replace("_", "")
    m = re.fullmatch(_NUM + r"\s*([kKmMgGtT]?)", s)
    if not m:
        raise UsageError(
            f"Cannot read the count {text!r}: expected a number with an optional K, M, G or T "
            "suffix (powers of 1000), e.g. 1.5G or 5M."
        )
    number = m.group(0)[: len(m.group(0)) - len(m.group(2))]
    return _exact(number, _COUNT_SUFFIX[m.group(2).upper()], text)


def parse_bytes(text: str) -> int:
    """'200MB' -> 200_000_000, '1.5GiB' -> 1610612736; bare numbers are bytes."""
    s = str(text).strip().replace(",", "").replace("_", "")
    m = re.fullmatch(_NUM + r"\s*([kKmMgGtT]?[iI]?[bB]?)", s)
    suffix = m.group(2).upper() if m else ""
    if suffix in ("", "B"):
        key = "B"
    elif suffix.endswith("IB") or suffix.endswith("B"):
        key = suffix
    else:
        key = ""
    if not m or key not in _BYTE_SUFFIX:
        raise UsageError(
            f"Cannot read the size {text!r}: expected a number with B, KB, MB, GB (powers of "
            "1000) or KiB, MiB, GiB (powers of 1024), e.g. 200MB or 1.5GiB."
        )
    return _exact(m.group(0)[: len(m.group(0)) - len(m.group(2))], _BYTE_SUFFIX[key], text)


def _exact(number: str, scale: int, text: str) -> int:
    """number x scale, rounded to an integer, exactly (no float rounding of large counts)."""
    try:
        value = decimal.Decimal(number.strip()) * scale
    except decimal.InvalidOperation:
        raise UsageError(f"Cannot read the number in {text!r}.") from None
    if not value.is_finite() or value > 10**30:
        raise UsageError(f"{text!r} is too large (at most 10^30).")
    return int(value.to_integral_value(rounding=decimal.ROUND_HALF_UP))


def parse_shape(text: str) -> tuple[int, ...]:
    """'3x224x224' -> (3, 224, 224): channels first, no batch, positive integers."""
    s = str(text).strip().lower().replace("×", "x").replace(",", "x").replace(" ", "")
    parts = s.split("x")
    if not s or not all(p.isdigit() and p.isascii() for p in parts) or len(parts) > 5:
        raise UsageError(
            f"Cannot read the input size {text!r}: expected CxHxW (channels first, no batch), "
            "e.g. 3x224x224."
        )
    shape = tuple(int(p) for p in parts)
    if any(v < 1 for v in shape) or any(v > 10**7 for v in shape):
        raise UsageError(f"Input size {text!r} needs every dimension between 1 and 10,000,000.")
    return shape


def atomic_write(path: str | os.PathLike, data: str | bytes) -> None:
    """Write to a temporary file beside ``path`` and rename: an existing file is replaced only
    by a complete new one."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **({} if isinstance(data, bytes) else {"encoding": "utf-8"})) as f:
            f.write(data)
        if p.exists():  # keep the replaced file's permissions
            os.chmod(tmp, p.stat().st_mode & 0o7777)
        else:  # what open() would have given: 0666 less the umask (mkstemp makes 0600)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, p)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
