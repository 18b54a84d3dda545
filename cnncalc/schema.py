"""A JSON Schema (draft 2020-12) of the network format, generated from the kind registry and
the option declarations, so that it never says something the checks do not. Editors with the
YAML language server complete and validate network files with it. Standard library only.

What a schema cannot know: the names of a file's own blocks. A layer entry whose key is not a
kind is therefore taken as a block call; cnncalc itself reports an unknown name."""

from __future__ import annotations

from .kinds import KINDS, REQUIRED
from .layout import LAYOUTS
from .limits import MAX_NODES, MAX_SIZE
from .sources.document import EXPECTED

EXPRESSION = {"type": "string", "pattern": r"\$\{[^}]*\}", "description": "arithmetic such as ${round(64 * alpha)}"}
NAME = {
    "anyOf": [{"type": "string", "minLength": 1}, {"type": "integer", "minimum": 0}],
    "description": "the name of an earlier layer, block or branch",
}
NAMES = {"anyOf": [NAME, {"type": "array", "items": NAME, "minItems": 2}]}
WHEN = {"anyOf": [{"type": "boolean"}, EXPRESSION], "description": "false leaves the entry out"}


def _number(opt, integer: bool) -> dict:
    schema: dict = {"type": "integer" if integer else "number"}
    if opt.low is not None:
        schema["minimum"] = opt.low
    high = opt.high if opt.high is not None else (MAX_SIZE if integer else None)
    if high is not None:
        schema["maximum"] = high
    return schema


def option_schema(opt) -> dict:
    """One option: its type and bounds, or an expression; its default and help."""
    whole = {"anyOf": [_number(opt, True), EXPRESSION]}
    schema: dict
    if opt.type == "int":
        schema = whole
    elif opt.type == "ints":
        schema = {
            "anyOf": [_number(opt, True), EXPRESSION, {"type": "array", "items": whole, "minItems": 1, "maxItems": 3}]
        }
    elif opt.type == "padding":
        pair = {"type": "array", "items": whole, "minItems": 2, "maxItems": 2}
        schema = {
            "anyOf": [
                _number(opt._replace(low=0), True),
                EXPRESSION,
                {"enum": ["same", "valid"]},
                {"type": "array", "items": {"anyOf": [whole, pair]}, "minItems": 1, "maxItems": 3},
            ]
        }
    elif opt.type == "bool":
        schema = {"type": "boolean"}
    elif opt.type == "float":
        schema = {"anyOf": [_number(opt, False), EXPRESSION]}
    elif opt.type == "choice":
        schema = {"enum": list(opt.choices) + ([None] if opt.default is None else [])}
    elif opt.type == "name":
        schema = (
            {"type": "string", "minLength": 1}
            if opt.default is REQUIRED
            else {"type": ["string", "null"], "minLength": 1}
        )
    else:  # pragma: no cover - a registry mistake
        raise AssertionError(opt.type)
    if opt.default is not REQUIRED:
        schema["default"] = opt.default
    if opt.help:
        schema["description"] = opt.help
    return schema


def kind_schema(name: str, kind) -> dict:
    properties = {key: option_schema(opt) for key, opt in kind.options.items()}
    properties.update(
        {
            "name": {
                "anyOf": [
                    {"type": "string", "pattern": r"^[^.]+$", "not": {"const": "input"}},
                    {"type": "integer", "minimum": 0},
                ]
            },
            "repeat": {"anyOf": [{"type": "integer", "minimum": 1, "maximum": MAX_NODES}, EXPRESSION]},
            "expect": {"$ref": "#/$defs/expect"},
            "from": NAMES if kind.merge else NAME,
            "share": NAME,
            "when": WHEN,
        }
    )
    if kind.merge:
        properties["branches"] = {
            "anyOf": [
                {"type": "array", "items": {"$ref": "#/$defs/layers"}, "minItems": 2},
                {"type": "object", "additionalProperties": {"$ref": "#/$defs/layers"}, "minProperties": 2},
            ]
        }
    required = [key for key, opt in kind.options.items() if opt.default is REQUIRED]
    schema = {"type": "object", "description": kind.help, "properties": properties, "additionalProperties": False}
    if kind.merge:  # its inputs: branches, or a list of names in from
        schema["oneOf"] = [
            {"required": ["branches"], "not": {"properties": {"from": {"type": "array"}}, "required": ["from"]}},
            {"required": ["from"], "properties": {"from": {"type": "array"}}, "not": {"required": ["branches"]}},
        ]
    if required:
        schema["required"] = required
    return schema if required or kind.merge else {"anyOf": [schema, {"type": "null"}]}


def network_schema() -> dict:
    from .sources.document import BUDGET_KEYS, MEMORY

    kinds = {name: kind for name, kind in KINDS.items() if name != "input"}
    number = r"^\s*[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?\s*"

    def amount(key):  # counts take K, M, G, T; memory takes bytes (B, KB … TB, KiB … TiB)
        units = "([Bb]|[KkMmGgTt][Bb]|[KkMmGgTt]i[Bb])?" if key.split("_", 1)[1] in MEMORY else "[KkMmGgTt]?"
        return {"anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": number + units + r"\s*$"}]}

    text = {"type": ["string", "number", "boolean", "null"]}  # written out as text, whatever YAML made of it
    layouts = sorted(LAYOUTS) + sorted(name.lower() for name in LAYOUTS)
    item_by_kind = {
        "type": "object",
        "minProperties": 1,
        "maxProperties": 1,
        "properties": {name: {"$ref": f"#/$defs/kinds/{name}"} for name in kinds},
        "additionalProperties": {"type": ["object", "null"], "description": "a call of a block"},
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://cnncalc.invalid/network.schema.json",
        "title": "cnncalc network file",
        "type": "object",
        "required": ["input", "layers"],
        "additionalProperties": False,
        "properties": {
            "name": text,
            "description": text,
            "source": text,
            "params": {"type": ["object", "null"], "additionalProperties": {"type": ["number", "boolean", "string"]}},
            "input": {
                "type": "object",
                "required": ["shape", "layout"],
                "additionalProperties": False,
                "properties": {
                    "shape": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": 4,
                        "items": {"anyOf": [{"type": "integer", "minimum": 1, "maximum": MAX_SIZE}, EXPRESSION]},
                    },
                    "layout": {"enum": layouts},
                },
                # as many sizes as the layout has letters
                "allOf": [
                    {
                        "if": {"properties": {"layout": {"enum": [name, name.lower()]}}},
                        "then": {"properties": {"shape": {"minItems": len(name), "maxItems": len(name)}}},
                    }
                    for name in LAYOUTS
                ],
            },
            "blocks": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "required": ["layers"],
                    "additionalProperties": False,
                    "properties": {
                        "params": {
                            "anyOf": [{"type": ["object", "null"]}, {"type": "array", "items": {"type": "string"}}]
                        },
                        "layers": {"$ref": "#/$defs/layers"},
                        "description": {"type": "string"},
                    },
                },
            },
            "variants": {
                "type": "object",
                "description": "named variants: parameter values for each",
                "additionalProperties": {
                    "type": ["object", "null"],
                    "additionalProperties": {"type": ["number", "boolean", "string"]},
                },
            },
            "layers": {"$ref": "#/$defs/layers"},
            "outputs": {
                "type": "array",
                "items": NAME,
                "minItems": 1,
                "description": "the network's outputs by name (default: the last layer)",
            },
            "budget": {
                "type": "object",
                "additionalProperties": False,
                "properties": {key: amount(key) for key in BUDGET_KEYS},
            },
        },
        "$defs": {
            "layers": {"type": ["array", "null"], "items": {"anyOf": [{"type": "string"}, item_by_kind]}},
            "expect": {
                "type": "object",
                "minProperties": 1,
                "additionalProperties": False,
                "properties": {
                    key: (
                        {"anyOf": [{"type": ["string", "integer"]}, {"type": "array", "items": {"type": "integer"}}]}
                        if key == "shape"
                        else {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string"}]}
                    )
                    for key in EXPECTED
                },
            },
            "kinds": {name: kind_schema(name, kind) for name, kind in kinds.items()},
        },
    }
