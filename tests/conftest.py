import os
import tempfile

# GUI tests run without a display; set before Qt is imported anywhere.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Machine-wide caches (the encoder survey) go to a folder of the test run, not the user's.
os.environ.setdefault("FOUNDRY_CACHE_DIR", tempfile.mkdtemp(prefix="foundry-cache-"))
# Machine settings (ComfyUI servers, imported workflows) likewise; tests that change them use their own.
os.environ.setdefault("FOUNDRY_CONFIG_DIR", tempfile.mkdtemp(prefix="foundry-config-"))
# New projects and the demo the GUI makes go to the documents folder: a folder of the test run.
os.environ.setdefault("FOUNDRY_DOCUMENTS_DIR", tempfile.mkdtemp(prefix="foundry-documents-"))

import keyring  # noqa: E402 (after the environment above)
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from memory_keyring import MemoryKeyring  # noqa: E402

# Property tests never time an example: CI machines are shared and often loaded. The normal
# suite tries a bounded number of examples; `.ci/fuzz` selects the long profile
# (HYPOTHESIS_PROFILE=fuzz) and runs only the tests marked `fuzz`.
settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "fuzz", deadline=None, max_examples=2000, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# The qasync loop fixture GUI tests use (see gui_loop.py).
pytest_plugins = ["gui_loop"]


@pytest.fixture
def password_store():
    """A password store of the test's own (tests/memory_keyring.py), in place of the machine's."""
    previous = keyring.get_keyring()
    store = MemoryKeyring()
    keyring.set_keyring(store)
    yield store
    keyring.set_keyring(previous)
