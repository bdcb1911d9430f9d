"""Guppy source expressions from the activation math: ``activation.angle(Expr("u"), xp=GUPPY)``
is the text of θ(u) in Guppy, computed by the same code that gives the simulator its angles.

``GUPPY`` stands in for the array backend of ``bnn2q.activations`` (NumPy there, TensorFlow in
training): ``pi``, ``sigmoid``, ``step``, ``sin``, ``cos`` return expressions over the helpers
(``PI``, ``sigmoid``, ``step``, ``step_strict``) every generated module defines, and ordinary
arithmetic on an ``Expr`` builds the rest, fully parenthesised.
"""

from __future__ import annotations


class Expr:
    """A Guppy float expression, built by ordinary arithmetic on Expr and numbers."""

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text

    @staticmethod
    def of(x) -> str:
        return x.text if isinstance(x, Expr) else repr(float(x))

    def _bin(self, op: str, other, reverse: bool = False) -> "Expr":
        a, b = (Expr.of(other), self.text) if reverse else (self.text, Expr.of(other))
        return Expr(f"({a} {op} {b})")

    def __add__(self, other):
        return self._bin("+", other)

    def __radd__(self, other):
        return self._bin("+", other, True)

    def __sub__(self, other):
        return self._bin("-", other)

    def __rsub__(self, other):
        return self._bin("-", other, True)

    def __mul__(self, other):
        return self._bin("*", other)

    def __rmul__(self, other):
        return self._bin("*", other, True)

    def __truediv__(self, other):
        return self._bin("/", other)

    def __rtruediv__(self, other):
        return self._bin("/", other, True)

    def __neg__(self):
        return Expr(f"(-{self.text})")


class GuppyBackend:
    """The array operations of ``bnn2q.activations`` as Guppy source (the helpers they call
    are defined in every generated module)."""

    pi = Expr("PI")

    @staticmethod
    def sigmoid(x):
        return Expr(f"sigmoid({Expr.of(x)})")

    @staticmethod
    def step(x, strict: bool = False):
        return Expr(f"{'step_strict' if strict else 'step'}({Expr.of(x)})")

    @staticmethod
    def sin(x):
        return Expr(f"sin({Expr.of(x)})")

    @staticmethod
    def cos(x):
        return Expr(f"cos({Expr.of(x)})")


GUPPY = GuppyBackend()
