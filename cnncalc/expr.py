"""Safe arithmetic in YAML fields: `${round(64 * alpha)}`, `${c // 4}`.

Parsed with `ast` and evaluated by walking a whitelist: numbers, names of parameters,
+ − × / // %, unary minus, comparisons, `and`, `or` and `not` (true/false, for `when:`),
parentheses and the functions below. No eval, no exec, no attribute access, no power (so no
9**9**9). An expression that is only the name of a text parameter gives that text
(`from: "${skip}"` with skip: down1)."""

from __future__ import annotations

import ast
import functools
import math
import operator

from .errors import CnnCalcError, did_you_mean, shown
from .limits import MAX_EXPRESSION_LENGTH as MAX_LENGTH
from .limits import (
    MAX_EXPRESSIONS_PER_VALUE,
    MAX_MAGNITUDE,
    MAX_NESTING,
    MAX_ROUND_DIGITS,
)


def make_divisible(v, divisor=8, min_value=None):
    """torchvision's _make_divisible (MobileNet v2, EfficientNet): round v to a multiple of
    divisor, not below min_value (default divisor), and not more than 10% below v."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def _round(x, ndigits=None):
    """round(), with ndigits bounded: round(1, -10**15) would build a 10**15-digit power of 10."""
    if ndigits is not None and (not isinstance(ndigits, int) or abs(ndigits) > MAX_ROUND_DIGITS):
        raise ValueError(f"takes ndigits as a whole number from -{MAX_ROUND_DIGITS} to {MAX_ROUND_DIGITS}")
    return round(x, ndigits)


FUNCTIONS = {
    "min": min,
    "max": max,
    "round": _round,
    "floor": math.floor,
    "ceil": math.ceil,
    "int": int,
    "make_divisible": make_divisible,
}
_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_COMPARE = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_}


@functools.lru_cache(maxsize=4096)
def _parse(text: str):
    """The syntax tree of an expression: a block's expressions are evaluated at every call,
    and parsed once (a tree is never changed by walking it; errors are not cached)."""
    return ast.parse(text, mode="eval")


def evaluate(text: str, scope: dict, where=None):
    """Evaluate one expression (without the ${ }) against scope (parameter name -> number)."""
    run = _Evaluation(text, scope, where)
    if len(text) > MAX_LENGTH:
        run.fail(f"expressions are limited to {MAX_LENGTH} characters")
    try:
        tree = _parse(text.strip())
    except SyntaxError as e:
        run.fail(f"not valid arithmetic ({e.msg})")
    except (RecursionError, MemoryError):
        run.fail("nested too deeply")

    body = tree.body
    if isinstance(body, ast.Name) and isinstance(scope.get(body.id), str):
        return scope[body.id]  # a parameter that holds text (a layer name for `from`), as it is
    return run.walk(tree)


class _Evaluation:
    """One expression against one scope. Methods, not nested functions: a nested function that
    calls itself is a reference cycle, left for the garbage collector at every call."""

    def __init__(self, text: str, scope: dict, where):
        self.text, self.scope, self.where = text, scope, where

    def fail(self, why):
        raise CnnCalcError(f"in expression {shown(self.text)}: {why}", self.where)

    def number(self, value, node):
        """A true/false value is not a number: `${depth * 2}` with depth true is a mistake."""
        if isinstance(value, bool):
            self.fail(
                f"'{ast.unparse(node)}' is true/false, not a number (true/false goes with when:, "
                f"comparisons, and, or, not)"
            )
        return value

    def walk(self, node, depth=0):
        if depth > MAX_NESTING:
            self.fail(f"nested more than {MAX_NESTING} deep")
        if isinstance(node, ast.Expression):
            return self.walk(node.body, depth + 1)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            result = node.value
        elif isinstance(node, ast.Name):
            if node.id not in self.scope:
                self.fail(
                    f"unknown name '{node.id}'{did_you_mean(node.id, list(self.scope) + list(FUNCTIONS))}"
                    f" (known: {', '.join(sorted(self.scope)) or 'none'})"
                )
            value = self.scope[node.id]
            if type(value) not in (int, float, bool):  # true/false, for `when:`
                self.fail(f"'{node.id}' is {shown(value)}, not a number or true/false")
            result = value
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left = self.number(self.walk(node.left, depth + 1), node.left)
            right = self.number(self.walk(node.right, depth + 1), node.right)
            if isinstance(node.op, (ast.Div, ast.FloorDiv, ast.Mod)) and right == 0:
                self.fail("division by zero")
            result = _BINARY[type(node.op)](left, right)
        elif isinstance(node, ast.BoolOp):  # and, or: of true/false values, for `when:`
            values = [bool(self.walk(v, depth + 1)) for v in node.values]
            result = all(values) if isinstance(node.op, ast.And) else any(values)
        elif isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
            values = [self.walk(node.left, depth + 1)] + [self.walk(v, depth + 1) for v in node.comparators]
            result = all(_COMPARE[type(op)](a, b) for op, a, b in zip(node.ops, values, values[1:]))
        elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            operand = self.walk(node.operand, depth + 1)
            result = _UNARY[type(node.op)](
                operand if isinstance(node.op, ast.Not) else self.number(operand, node.operand)
            )
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            if node.func.id not in FUNCTIONS:
                self.fail(
                    f"unknown function '{node.func.id}'{did_you_mean(node.func.id, FUNCTIONS)}; "
                    f"allowed: {', '.join(sorted(FUNCTIONS))}"
                )
            args = [self.number(self.walk(arg, depth + 1), arg) for arg in node.args]
            try:
                result = FUNCTIONS[node.func.id](*args)
            except (TypeError, ValueError, OverflowError, ZeroDivisionError) as e:
                self.fail(f"{node.func.id}() {e}")
        else:
            self.fail(
                f"'{ast.unparse(node)}' is not allowed: only numbers, parameter names, "
                f"+ - * / // %, < <= > >= == !=, and, or, not, parentheses and {', '.join(sorted(FUNCTIONS))}()"
            )
        # constants and parameters too: 1e400 is inf, and round(inf) would raise OverflowError
        if not math.isfinite(result) or abs(result) > MAX_MAGNITUDE:
            self.fail(f"the value {result} is beyond {MAX_MAGNITUDE:.0e}")
        return result


def substitute(value, scope: dict, where=None):
    """A string that is exactly '${expr}' becomes the number; '${…}' inside a longer string
    (a name like 'stage${i}') is replaced by its text; anything else is returned unchanged.
    Scanned with str.find, never a regular expression: '${${${…' in a 2 MB string is linear."""
    if not isinstance(value, str) or "${" not in value:
        return value
    text = value.strip()
    if text.startswith("${") and text.find("}") == len(text) - 1:
        return evaluate(text[2:-1], scope, where)
    parts, start = [], 0
    for count in range(MAX_EXPRESSIONS_PER_VALUE + 1):
        opening = value.find("${", start)
        if opening < 0:
            break
        if count == MAX_EXPRESSIONS_PER_VALUE:
            raise CnnCalcError(f"a value holds more than {MAX_EXPRESSIONS_PER_VALUE} expressions", where)
        closing = value.find("}", opening)
        if closing < 0:
            raise CnnCalcError(f"unclosed '${{' in {shown(value)}", where)
        v = evaluate(value[opening + 2 : closing], scope, where)
        text = (
            v
            if isinstance(v, str)
            else str(v).lower()
            if isinstance(v, bool)
            else str(int(v))
            if float(v).is_integer()
            else str(v)
        )
        parts += [value[start:opening], text]
        start = closing + 1
    return "".join(parts) + value[start:]
