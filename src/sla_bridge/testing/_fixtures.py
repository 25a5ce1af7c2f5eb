"""The pytest plugin of the kit (entry point ``pytest11``: ``sla_bridge``).

Installed with sla-bridge, it gives every test suite -- the core's, each platform plugin's --
the same fixtures and the ``slow`` marker; nothing here is autouse, so a suite opts in:

``clean_environment``
    no ``SLA_BRIDGE_*`` variable from the developer's shell, and a fresh working directory
    (no ``.env`` file is read);
``isolated_environment(prefix, ...)``
    not a fixture but makes one, autouse, for a plugin's ``conftest.py``: like
    ``clean_environment`` for the variables starting with the plugin's prefix;
``fast_retries``
    the bridge's retry back-off shortened (:data:`~sla_bridge.testing.FAST_RETRIES`);
``testdesk``
    the memory platform installed through a real entry point and configured;
``make_harness``
    harnesses over any :class:`~sla_bridge.testing.PlatformSandbox`, closed after the test;
``memory_driver``
    a :class:`~sla_bridge.testing.conformance.MemoryDriver`, for the conformance suite;
``webhook_receiver``
    a :class:`~sla_bridge.testing.WebhookReceiver`;
``webhook_signer``
    a :class:`~sla_bridge.testing.WebhookSigner`: a test taking it runs once per installed
    platform (:func:`~sla_bridge.testing.webhook_signers`), that platform configured in the
    environment to verify webhooks signed with :data:`HOSTILE_SECRET`.

The heavy imports happen inside the fixtures, so loading the plugin costs nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from sla_bridge.testing import (
        BridgeHarness,
        InstalledTestdesk,
        PlatformSandbox,
        WebhookReceiver,
        WebhookSigner,
    )
    from sla_bridge.testing.conformance import MemoryDriver


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``slow`` marker."""
    config.addinivalue_line(
        "markers", "slow: a long end-to-end test (CI runs it; `-m 'not slow'` skips it)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each test that takes ``webhook_signer`` once per installed platform."""
    if "webhook_signer" in metafunc.fixturenames:
        from sla_bridge.testing import webhook_signers

        metafunc.parametrize("webhook_signer", list(webhook_signers()), indirect=True)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Wait for the harnesses still closing in the background."""
    harness = sys.modules.get("sla_bridge.testing._harness")
    if harness is not None:
        harness.finish_closing()


def _keep_out(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, prefixes: tuple[str, ...]) -> None:
    for name in list(os.environ):
        if name.startswith(prefixes):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the developer's ``SLA_BRIDGE_*`` variables and ``.env`` file out of the test."""
    _keep_out(monkeypatch, tmp_path, ("SLA_BRIDGE_",))


def isolated_environment(*prefixes: str) -> Callable[..., None]:
    """An autouse fixture for a plugin's ``conftest.py`` that keeps the variables starting
    with ``prefixes`` (the plugin's own, ``SLA_BRIDGE_JIRA__``) and the developer's ``.env``
    file (a fresh working directory) out of every test::

        _isolated_env = isolated_environment("SLA_BRIDGE_JIRA__")
    """
    if not prefixes:
        raise ValueError("isolated_environment: name the variable prefixes to keep out, "
                         "e.g. 'SLA_BRIDGE_JIRA__'")

    @pytest.fixture(autouse=True)
    def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        """No variable starting with the plugin's prefixes, and no ``.env`` file."""
        _keep_out(monkeypatch, tmp_path, prefixes)

    return isolated


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Shorten the bridge's retry back-off for the test (a ``Retry-After`` still wins)."""
    from sla_bridge.testing import FAST_RETRIES

    for name, value in FAST_RETRIES.items():
        monkeypatch.setenv(name, value)
    return dict(FAST_RETRIES)


@pytest.fixture
def testdesk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> InstalledTestdesk:
    """Install the testdesk (memory) platform plugin through a real ``sla_bridge`` entry
    point and configure it (and a SQLite database for the bridge) in the environment."""
    from sla_bridge.testing import InstalledTestdesk

    installed = InstalledTestdesk(tmp_path)
    monkeypatch.syspath_prepend(str(installed.site))
    for name, value in installed.env.items():
        monkeypatch.setenv(name, value)
    return installed


@pytest.fixture
def make_harness(tmp_path: Path, clean_environment: None
                 ) -> Iterator[Callable[..., BridgeHarness]]:
    """``make(sandbox, clock=VirtualClock(...), policies=[...], **options)``: harnesses (not
    started) with fast retries, printing their timeline to stdout (pytest shows it when the
    test fails); all closed after the test."""
    from sla_bridge.testing import FAST_RETRIES, BridgeHarness

    made: list[BridgeHarness] = []

    def make(sandbox: PlatformSandbox, **options: Any) -> BridgeHarness:
        folder = tmp_path / f"bridge-{len(made)}"
        folder.mkdir()
        options["environment"] = {**FAST_RETRIES, **options.get("environment", {})}
        options.setdefault("out", sys.stdout)
        harness = BridgeHarness(folder, sandbox, **options)
        made.append(harness)
        return harness

    yield make
    for harness in made:
        harness.close(wait=False)


@pytest.fixture
def memory_driver(clean_environment: None, testdesk: InstalledTestdesk,
                  tmp_path: Path) -> Iterator[MemoryDriver]:
    """A conformance driver on the memory platform (``begin(scene)`` starts its world)."""
    from sla_bridge.testing.conformance import MemoryDriver

    driver = MemoryDriver(tmp_path / "memory-world", testdesk, out=sys.stdout)
    yield driver
    driver.close(wait=False)


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """An HTTP endpoint recording the webhooks sent to its ``url``."""
    from sla_bridge.testing import WebhookReceiver

    with WebhookReceiver() as receiver:
        yield receiver


# The webhook secret the platforms verify in the tests taking ``webhook_signer``.
HOSTILE_SECRET = "hostile-input-signing-secret-0123456789"


@pytest.fixture
def webhook_signer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
                   ) -> WebhookSigner:
    """The signer of the platform the test runs for, the platform configured in the
    environment (``testdesk`` installed first) to verify webhooks signed with
    :data:`HOSTILE_SECRET`."""
    from sla_bridge.testing import TESTDESK, webhook_signers

    name: str = request.param
    if name == TESTDESK:
        request.getfixturevalue("testdesk")
    signer = webhook_signers()[name](HOSTILE_SECRET)
    for variable, value in signer.environment().items():
        monkeypatch.setenv(variable, value)
    return signer
