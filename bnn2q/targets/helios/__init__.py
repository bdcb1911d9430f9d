"""Quantinuum Helios: the ``helios`` target (``target``: a Guppy module, ``guppy``/``guppy_expr``)
and the optional Python 3.12 environment that builds, emulates (Selene) and submits it (``env``
drives ``runner`` there)."""
