"""Quantinuum H-series: the ``quantinuum`` target (``target``: pytket, ``tket_circuit``), H2's
offline compilation and checks (``h2``), and the local emulator PECOS (``pecos_local``)."""
