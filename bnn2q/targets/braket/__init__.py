"""Amazon Braket: the ``braket`` target (``target``) and its local simulator (``local``)."""
