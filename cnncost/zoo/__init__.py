"""The model zoo: every architecture of the lecture and more, one file per family.

``names()`` lists them, ``build(name, device="meta", **kwargs)`` constructs one (on meta by
default, with weight initialisation skipped: there are no values to initialise), ``get(name)``
gives its entry (description, default input, source, torchvision's name where one exists).
"""

from __future__ import annotations

import contextlib
import difflib
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from ..errors import UsageError


@dataclass(frozen=True)
class ZooEntry:
    name: str
    family: str
    builder: Callable[..., nn.Module]
    description: str
    input_size: tuple[int, ...]
    source: str
    torchvision: str | None = None  # the torchvision model with the same architecture
    kwargs: dict[str, Any] = field(default_factory=dict)  # fixed builder arguments

    def arguments(self) -> dict[str, Any]:
        """The builder's tunable arguments and their defaults."""
        sig = inspect.signature(self.builder)
        return {
            k: p.default
            for k, p in sig.parameters.items()
            if p.default is not inspect.Parameter.empty and k not in self.kwargs
        }


_ENTRIES: dict[str, ZooEntry] = {}


def register(
    name: str,
    family: str,
    description: str,
    input_size: tuple[int, ...],
    source: str,
    torchvision: str | None = None,
    **kwargs: Any,
) -> Callable[[Callable[..., nn.Module]], Callable[..., nn.Module]]:
    def deco(builder: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
        if name in _ENTRIES:
            raise ValueError(f"duplicate zoo model {name!r}")
        _ENTRIES[name] = ZooEntry(
            name, family, builder, description, input_size, source, torchvision, kwargs
        )
        return builder

    return deco


def _factories() -> frozenset:
    try:  # the set torch.device("meta") itself uses; private, so fall back gracefully
        from torch.utils._device import _device_constructors

        return frozenset(_device_constructors())
    except Exception:  # pragma: no cover - older or newer torch
        return frozenset()


def _skipped_init(func: object, args: tuple, kwargs: dict) -> torch.Tensor | None:
    """The meta tensor an in-place initialiser (``uniform_``, ``kaiming_uniform_``, ``zero_``)
    would fill -- returned untouched, since meta tensors have no values -- else None."""
    name = getattr(func, "__name__", "")
    if name.endswith("_") and not name.startswith("_"):
        target = args[0] if args else kwargs.get("tensor", kwargs.get("input"))
        if isinstance(target, torch.Tensor) and target.is_meta:
            return target
    return None


class MetaBuild(TorchFunctionMode):
    """Builds modules on the meta device without initialising them: factory functions get
    ``device="meta"`` and in-place initialisers on meta tensors become no-ops (there are no
    values to initialise). One mode instead of ``torch.device("meta")`` plus a second one."""

    _FACTORIES: frozenset = frozenset()

    def __enter__(self) -> MetaBuild:
        if not MetaBuild._FACTORIES:
            MetaBuild._FACTORIES = _factories()
        return super().__enter__()

    def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
        kwargs = kwargs or {}
        if func in self._FACTORIES:
            if kwargs.get("device") is None:
                kwargs["device"] = "meta"
            return func(*args, **kwargs)
        skipped = _skipped_init(func, args, kwargs)
        return skipped if skipped is not None else func(*args, **kwargs)


def meta_build() -> contextlib.AbstractContextManager:
    """Context in which nn.Module constructors allocate nothing and initialise nothing."""
    return MetaBuild() if _factories() else _fallback_meta()


@contextlib.contextmanager
def _fallback_meta() -> Iterator[None]:  # pragma: no cover - torch without the private set
    with torch.device("meta"), _SkipInitOnly():
        yield


class _SkipInitOnly(TorchFunctionMode):  # pragma: no cover
    def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
        kwargs = kwargs or {}
        skipped = _skipped_init(func, args, kwargs)
        return skipped if skipped is not None else func(*args, **kwargs)


def _load() -> None:
    if _ENTRIES:
        return
    from . import (  # noqa: F401  (each family registers its models on import)
        alexnet,
        densenet,
        efficientnet,
        googlenet,
        inception,
        lenet,
        mobilenet,
        nin,
        resnet,
        shufflenet,
        squeezenet,
        vgg,
    )


def names() -> list[str]:
    _load()
    return list(_ENTRIES)


def entries() -> list[ZooEntry]:
    _load()
    return list(_ENTRIES.values())


def get(name: str) -> ZooEntry:
    _load()
    try:
        return _ENTRIES[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(_ENTRIES), n=4, cutoff=0.5)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise UsageError(
            f"Unknown model {name!r}.{hint} 'cnncost list' shows every model."
        ) from None


def build(name: str, device: str | torch.device = "meta", **kwargs: Any) -> nn.Module:
    """Construct a zoo model. On ``meta`` nothing is allocated or initialised."""
    entry = get(name)
    args = dict(entry.kwargs)
    allowed = entry.arguments()
    for k in kwargs:
        if k not in allowed:
            raise UsageError(
                f"Model {name!r} takes no argument {k!r}; it takes "
                f"{', '.join(f'{a}={v!r}' for a, v in allowed.items()) or 'none'}."
            )
    args.update(kwargs)
    dev = torch.device(device)
    if dev.type == "meta":
        with meta_build():
            model = entry.builder(**args)
    else:
        with torch.device(dev):
            model = entry.builder(**args)
    return model.eval()


def summary(names_: list[str] | None = None) -> list[dict[str, Any]]:
    """Every (or the named) zoo model with its default input, params and MACs, computed by
    tracing it on meta at its default input and batch 1."""
    from ..trace import analyze

    out = []
    for name in names_ or names():
        e = get(name)
        cost = analyze(build(name), e.input_size, name=name)
        out.append(
            {
                "name": name,
                "family": e.family,
                "description": e.description,
                "input": "x".join(map(str, e.input_size)),
                "params": cost.params,
                "macs": cost.macs,
                "flops": cost.flops,
                "source": e.source,
                "torchvision": e.torchvision,
            }
        )
    return out
