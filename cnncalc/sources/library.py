"""Where a network's text comes from: the built-in library (architectures/, shipped in the
wheel, and the variants its files name), a file, or standard input. A bare name is always a
built-in; a file is named with a / or a .yaml ending."""

from __future__ import annotations

import functools
import os
import re

from ..errors import CnnCalcError, did_you_mean, shown
from .yaml_text import load_yaml, read_file, read_stream

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _library() -> str:
    """The built-in library's folder: shipped inside the wheel, or the checkout's architectures/."""
    for candidate in (
        os.path.join(_PACKAGE, "architectures"),
        os.path.join(os.path.dirname(_PACKAGE), "architectures"),
    ):
        if os.path.isdir(candidate):
            return candidate
    raise CnnCalcError("the built-in architectures folder is missing from this installation")


def architectures_dir():
    """The built-in library, as a pathlib.Path (imported only here: start-up matters)."""
    from pathlib import Path

    return Path(_library())


def _stems() -> list[str]:
    return [f[:-5] for f in os.listdir(_library()) if f.endswith(".yaml")]


def builtins() -> list[str]:
    """Names of the built-in architectures: the files, and the variants that files name."""

    def natural(name):  # resnet18 before resnet101
        return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]

    return sorted(set(_stems()) - set(builtin_variants().values()) | set(builtin_variants()), key=natural)


@functools.cache
def builtin_variants() -> dict[str, str]:
    """Variant name -> the built-in file that defines it (efficientnet_b3 -> efficientnet). Only
    files with a top-level `variants:` are parsed."""

    found = {}
    for stem in sorted(_stems()):
        text = read_file(os.path.join(_library(), stem + ".yaml"))
        if "\nvariants:" in text:
            for name in load_yaml(text, stem + ".yaml").get("variants") or {}:
                found[name] = stem
    return found


def _builtin(name: str):
    """(file label, text, variant or None) of a built-in name, or None. A file of its own name
    is read without looking at the others (a file that names variants is not one itself)."""

    if name + ".yaml" in os.listdir(_library()):
        text = read_file(os.path.join(_library(), name + ".yaml"))
        if "\nvariants:" not in text or name not in builtin_variants().values():
            return f"{name}.yaml", text, None
    stem = builtin_variants().get(name)
    return (f"{stem}.yaml", read_file(os.path.join(_library(), stem + ".yaml")), name) if stem else None


def read_source(source) -> tuple[str, str, str | None]:
    """A built-in name, a file path or '-' for standard input -> (file label, YAML text, the
    variant a built-in name stands for or None).

    A bare name (no / and no .yaml or .yml ending) is always a built-in, so a file or folder
    that happens to be called vgg16 never shadows the built-in; write ./vgg16 to read it."""

    if not isinstance(source, (str, os.PathLike)):
        raise CnnCalcError(f"a network is a built-in name, a file path or '-', but saw {type(source).__name__}")
    text = os.fspath(source)
    if isinstance(text, bytes):
        raise CnnCalcError(f"a file path must be text, but saw bytes {shown(text)}")
    if text == "-":
        import sys

        return "<stdin>", read_stream(sys.stdin), None
    if not text.strip():
        raise CnnCalcError("the network is empty: give a built-in name (see `cnncalc list`), a file or -")
    if isinstance(source, os.PathLike) or text.endswith((".yaml", ".yml")) or "/" in text or os.sep in text:
        return text, read_file(text), None
    found = _builtin(text)
    if found:
        return found
    hint = did_you_mean(text, builtins())
    if os.path.lexists(text):
        hint += f"; to read the file {shown(text)}, write ./{text}"
    else:
        beside = next((text + end for end in (".yaml", ".yml") if os.path.isfile(text + end)), None)
        if beside:  # `summary ng_example` with ng_example.yaml in the folder
            hint += f"; to read the file {shown(beside)} here, write {beside}"
    raise CnnCalcError(
        f"{shown(text)} is not a built-in architecture{hint} (see `cnncalc list`; a file "
        f"is named with a / or a .yaml ending)"
    )
