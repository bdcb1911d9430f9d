"""OpenQASM 3: the program as an ``openqasm3`` AST (``emit``) and the ``qasm3`` target (``target``)."""
