"""SoftHSM2 tokens for tests, one token directory per test process.

SoftHSM reads ``SOFTHSM2_CONF`` and its token directory once, when python-pkcs11 first loads the module, and
the module stays loaded for the whole process: a token initialised later is not seen. So every test module
that needs a token shares one configuration, made on first use under pytest's temporary directory with all
of :data:`TOKENS` initialised at once, and asks for its token by label.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.signing.conftest import require_tool, tool_unavailable

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PIN, SO_PIN = "246810", "13579111"
#: Every token any test uses: signers' keys, one nothing logs in to (wrong PIN), the platform's keys.
TOKENS = ("wage-guard-test", "wage-guard-other", "wage-guard-platform")

_config: Path | None = None


def token(tmp_path_factory: pytest.TempPathFactory, label: str) -> Path:
    """The SoftHSM2 config holding the token called ``label`` (user PIN :data:`PIN`), made on first use.

    Skips loudly without softhsm2 (fails under ``CI=true``).
    """
    global _config
    assert label in TOKENS, f"add {label!r} to tests.softhsm.TOKENS: tokens must exist before the module loads"
    tool = require_tool("softhsm2-util", "softhsm2")
    if not Path(MODULE).exists():
        tool_unavailable(f"SoftHSM2 PKCS#11 module not found at {MODULE}; apt-get install softhsm2")
    if _config is None:
        directory = tmp_path_factory.getbasetemp() / "softhsm"
        (directory / "tokens").mkdir(parents=True)
        config = directory / "softhsm2.conf"
        config.write_text(f"directories.tokendir = {directory / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
        os.environ["SOFTHSM2_CONF"] = str(config)  # for the rest of the process: the loaded module keeps it anyway
        for name in TOKENS:
            init = [tool, "--init-token", "--free", "--label", name, "--so-pin", SO_PIN, "--pin", PIN]
            subprocess.run(init, check=True, capture_output=True, env=os.environ.copy())
        _config = config
    return _config
