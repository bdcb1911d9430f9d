"""IBM Quantum through Qiskit: the ``ibm`` target (``target``), its devices and placement
(``devices``), jobs on Aer and IBM devices (``jobs``, ``evaluate``, ``checkpoint``), and device
noise from IBM's calibrations (``noise``)."""
