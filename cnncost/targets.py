"""Resolve what a user names into a model: a zoo name, ``path/to/file.py:Name``,
``package.module:Name`` or ``torchvision:resnet50``.

Loading a file executes it -- that is inherent to analysing Python code. Nothing is unpickled.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import importlib.util
import inspect
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from . import zoo
from .errors import UsageError


@dataclass(frozen=True)
class Target:
    model: nn.Module
    name: str
    input_size: tuple[int, ...] | None  # the zoo's default input, when known
    source: str  # "zoo", "file", "module", "torchvision"


def parse_arg(text: str) -> tuple[str, Any]:
    """``key=value`` with the value read as a Python literal (int, float, bool, None, string,
    tuple); anything else is kept as a string. Nothing is evaluated."""
    key, sep, raw = str(text).partition("=")
    key = key.strip()
    if not sep or not key.isidentifier():
        raise UsageError(f"Cannot read --arg {text!r}: expected key=value, e.g. width=0.5.")
    raw = raw.strip()
    lowered = raw.lower()
    if lowered in ("true", "false"):
        return key, lowered == "true"
    if lowered in ("none", "null"):
        return key, None
    try:
        value = ast.literal_eval(raw)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        value = raw
    return key, value


def parse_args(items: list[str] | None) -> dict[str, Any]:
    return dict(parse_arg(i) for i in (items or []))


def resolve(target: str, kwargs: dict[str, Any] | None = None, device: str = "meta") -> Target:
    """Build the model ``target`` names, passing ``kwargs`` to its constructor."""
    kwargs = dict(kwargs or {})
    text = str(target).strip()
    if text.startswith("torchvision:"):
        return _torchvision(text.partition(":")[2], kwargs, device)
    if ":" in text and not text.startswith(":"):
        left, _, name = text.rpartition(":")
        if left.endswith(".py") or "/" in left or "\\" in left or Path(left).suffix == ".py":
            return _from_file(Path(left), name, kwargs, device)
        return _from_module(left, name, kwargs, device)
    if text.endswith(".py"):
        raise UsageError(
            f"{text!r} names a file but not what to build in it: use {text}:ClassName or "
            f"{text}:factory_function."
        )
    entry = zoo.get(text)
    return Target(zoo.build(text, device=device, **kwargs), text, entry.input_size, "zoo")


def _from_file(path: Path, name: str, kwargs: dict[str, Any], device: str) -> Target:
    if not path.exists():
        raise UsageError(f"File not found: {str(path)!r} (from the target '{path}:{name}').")
    if not path.is_file():
        raise UsageError(f"{str(path)!r} is not a file.")
    mod_name = f"_cnncost_user_{path.stem}_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(mod_name, path)
    if spec is None or spec.loader is None:
        raise UsageError(f"Cannot load {str(path)!r} as a Python file.")
    module = importlib.util.module_from_spec(spec)
    folder = str(path.resolve().parent)
    added = folder not in sys.path
    if added:
        sys.path.insert(0, folder)  # let the file import its neighbours
    sys.modules[mod_name] = module
    no_pyc = sys.dont_write_bytecode
    sys.dont_write_bytecode = True  # leave the user's folder as it was: no __pycache__
    try:
        spec.loader.exec_module(module)
    except SystemExit as exc:
        raise UsageError(f"{str(path)!r} called exit({exc.code}) while being imported.") from exc
    except Exception as exc:
        raise UsageError(
            f"Importing {str(path)!r} failed: {type(exc).__name__}: {exc}. "
            "Fix the file (run it with python to see the full error) or use --debug."
        ) from exc
    finally:
        sys.dont_write_bytecode = no_pyc
        sys.modules.pop(mod_name, None)
        if added:
            with contextlib.suppress(ValueError):
                sys.path.remove(folder)
    return _instantiate(module, name, kwargs, device, f"{path}:{name}", "file")


def _from_module(modname: str, name: str, kwargs: dict[str, Any], device: str) -> Target:
    try:
        module = importlib.import_module(modname)
    except ModuleNotFoundError as exc:
        raise UsageError(
            f"No module named {modname!r} (from the target '{modname}:{name}'); for a file use "
            "path/to/file.py:Name."
        ) from exc
    except Exception as exc:
        raise UsageError(f"Importing {modname!r} failed: {type(exc).__name__}: {exc}.") from exc
    return _instantiate(module, name, kwargs, device, f"{modname}:{name}", "module")


def _instantiate(
    module: Any, name: str, kwargs: dict[str, Any], device: str, label: str, source: str
) -> Target:
    if not hasattr(module, name):
        public = [
            n
            for n, v in vars(module).items()
            if not n.startswith("_")
            and ((inspect.isclass(v) and issubclass(v, nn.Module)) or inspect.isfunction(v))
            and getattr(v, "__module__", None) == module.__name__
        ]
        import difflib

        close = difflib.get_close_matches(name, public, n=3, cutoff=0.4)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        avail = f" It defines: {', '.join(public[:12])}." if public else ""
        raise UsageError(f"{label}: no name {name!r} in that file or module.{hint}{avail}")
    obj = getattr(module, name)
    if isinstance(obj, nn.Module):
        if kwargs:
            raise UsageError(f"{label} is a module instance; it takes no --arg.")
        return Target(obj, name, None, source)
    if not callable(obj):
        raise UsageError(
            f"{label} is a {type(obj).__name__}, not an nn.Module class or a factory function."
        )
    if inspect.isclass(obj) and not issubclass(obj, nn.Module):
        raise UsageError(f"{label} is a class but not an nn.Module subclass.")
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        sig = None
    if sig is not None:
        try:
            sig.bind(**kwargs)
        except TypeError as exc:
            missing = [
                p.name
                for p in sig.parameters.values()
                if p.default is inspect.Parameter.empty
                and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
                and p.name not in kwargs
            ]
            need = f" It needs: {', '.join(missing)}." if missing else ""
            raise UsageError(
                f"{label} cannot be built with the arguments given ({exc}).{need} "
                "Pass them with --arg name=value."
            ) from None
    try:
        if device == "meta":
            try:
                with zoo.meta_build():
                    model = obj(**kwargs)
            except Exception as meta_exc:  # a constructor that needs values: build it for real
                print(
                    f"note: building {label} on the meta device failed ({type(meta_exc).__name__}:"
                    f" {meta_exc}); built on cpu instead (weights allocated).",
                    file=sys.stderr,
                )
                model = obj(**kwargs)
        else:
            model = obj(**kwargs)
    except UsageError:
        raise
    except Exception as exc:
        raise UsageError(
            f"Building {label} failed: {type(exc).__name__}: {exc}. Check its --arg values."
        ) from exc
    if not isinstance(model, nn.Module):
        raise UsageError(f"{label} returned a {type(model).__name__}, not an nn.Module.")
    return Target(model, name, None, source)


def _torchvision(name: str, kwargs: dict[str, Any], device: str) -> Target:
    try:
        import torchvision.models as tvm
    except Exception as exc:  # ImportError, or a torchvision built for another torch
        raise UsageError(
            f"torchvision is not usable here ({type(exc).__name__}: {exc}); install the "
            "optional extra (pip install 'cnncost[torchvision]') or use a zoo name."
        ) from exc
    if name not in tvm.list_models():
        raise UsageError(f"torchvision has no model {name!r}.")
    if "weights" in kwargs and kwargs["weights"] is not None:
        raise UsageError("cnncost never downloads or unpickles weights; omit weights=.")
    builder = tvm.get_model_builder(name)
    return _instantiate_callable(builder, name, kwargs, device)


def _instantiate_callable(builder: Any, name: str, kwargs: dict[str, Any], device: str) -> Target:
    with torch.device(device), zoo._SkipInit() if device == "meta" else contextlib.nullcontext():
        model = builder(**kwargs)
    return Target(model, f"torchvision:{name}", None, "torchvision")
