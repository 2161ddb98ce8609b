"""Errors with the exit code the command line gives them (0 ok, 1 model/budget, 2 usage)."""

from __future__ import annotations

from typing import Any


class CnncostError(Exception):
    """Base of cnncost's own errors; ``str()`` is one paragraph: what, where, what to try."""

    exit_code = 1


class UsageError(CnncostError, ValueError):
    """Bad arguments or input: exit code 2."""

    exit_code = 2


class TraceError(CnncostError, RuntimeError):
    """The model's forward failed; names the innermost module call and the input it got."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        layer: str | None = None,
        kind: str | None = None,
        input_shape: tuple[int, ...] | None = None,
        value_dependent: bool = False,
    ) -> None:
        super().__init__(message)
        self.layer, self.kind, self.input_shape = layer, kind, input_shape
        self.value_dependent = value_dependent

    @classmethod
    def from_exception(cls, exc: BaseException, frame: Any, device: str) -> TraceError:
        cause = " ".join(str(exc).split()).rstrip(".") or type(exc).__name__
        if len(cause) > 400:
            cause = cause[:400] + " ..."
        layer = getattr(frame, "name", None)
        kind = getattr(frame, "kind", None)
        shape = getattr(frame, "input_shape", None)
        where = (
            f"at layer '{layer}' ({kind}) with input shape {list(shape) if shape else 'unknown'}"
            if layer
            else "before the first module call"
        )
        text = cause.lower()
        value_dependent = device == "meta" and (
            "meta" in text
            or "data-dependent" in text
            or "_local_scalar_dense" in text
            or "item()" in text
        )
        hint = (
            "The forward seems to depend on tensor values, which meta tensors do not have; "
            "try --device cpu (device='cpu') to run it for real."
            if value_dependent
            else "Check that the input size suits the model (--input CxHxW)."
        )
        return cls(
            f"The model's forward failed {where}: {type(exc).__name__}: {cause}. {hint}",
            layer,
            kind,
            shape,
            value_dependent,
        )
