"""The target tests' trained models, for the noise tests that run them end to end."""

from tests.targets.conftest import small_model, small_net  # noqa: F401
