"""The deployment files read as their tools read them: the Dockerfile's instructions (final
stage: ENV, ENTRYPOINT + CMD, HEALTHCHECK), .dockerignore's patterns, compose.yaml, the
systemd unit; and a bridge started from them as a plain process, for machines (CI) that have
no container engine."""

from __future__ import annotations

import configparser
import json
import re
import shlex
import signal
import socket
import subprocess
import sys
import sysconfig
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
COMPOSE = ROOT / "compose.yaml"
UNIT = ROOT / "deploy" / "sla-bridge.service"
# Where this interpreter's console scripts (``sla-bridge``) are: the virtualenv's bin/.
VENV_BIN = Path(sysconfig.get_path("scripts"))


@dataclass
class Instruction:
    """One Dockerfile instruction: its keyword (upper case) and its arguments' text."""

    keyword: str
    text: str

    def exec_form(self) -> list[str]:
        """The arguments of an exec-form instruction (``["a", "b"]``)."""
        value = json.loads(self.text)
        assert isinstance(value, list), f"{self.keyword} is not in the exec (JSON) form"
        return [str(part) for part in value]


@dataclass
class Stage:
    """A build stage: its base image, its name and its instructions."""

    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        """The stage's instructions with ``keyword``."""
        return [i for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> Instruction:
        """The stage's last ``keyword`` instruction (the one in force)."""
        found = self.all(keyword)
        assert found, f"the stage has no {keyword}"
        return found[-1]

    def env(self) -> dict[str, str]:
        """Every ``ENV`` variable of the stage, in order (``$PATH`` left as written)."""
        values: dict[str, str] = {}
        for instruction in self.all("ENV"):
            for token in shlex.split(instruction.text):
                name, _, value = token.partition("=")
                values[name] = value
        return values


@dataclass
class Dockerfile:
    """A parsed Dockerfile: its global ``ARG`` defaults and its stages."""

    args: dict[str, str]
    stages: list[Stage]

    @property
    def final(self) -> Stage:
        """The stage the image is (the last one)."""
        return self.stages[-1]

    def entry_command(self) -> list[str]:
        """The container's command: ENTRYPOINT followed by CMD."""
        return self.final.last("ENTRYPOINT").exec_form() + self.final.last("CMD").exec_form()

    def healthcheck(self) -> tuple[dict[str, str], list[str]]:
        """The HEALTHCHECK's options (``interval`` ...) and its command."""
        text = self.final.last("HEALTHCHECK").text
        options = dict(re.findall(r"--([a-z-]+)=(\S+)", text))
        _, _, command = text.partition("CMD")
        return options, json.loads(command)

    def copied(self, stage: Stage) -> list[tuple[str, str]]:
        """(source, destination) of each plain ``COPY`` of ``stage`` (not ``--from``)."""
        pairs: list[tuple[str, str]] = []
        for instruction in stage.all("COPY"):
            words = shlex.split(instruction.text)
            if any(word.startswith("--from") for word in words):
                continue
            words = [w for w in words if not w.startswith("--")]
            pairs += [(source, words[-1]) for source in words[:-1]]
        return pairs


def parse_dockerfile(path: Path = DOCKERFILE) -> Dockerfile:
    """Read ``path``: comments dropped, continued lines joined, ``${ARG}`` in FROM expanded."""
    logical: list[str] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue  # a comment inside a continued instruction
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in logical:
        keyword, _, text = line.partition(" ")
        keyword, text = keyword.upper(), text.strip()
        if keyword == "ARG" and not stages:
            name, _, default = text.partition("=")
            args[name] = default
        elif keyword == "FROM":
            words = text.split()
            base = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], words[0])
            name = words[2] if len(words) > 2 and words[1].upper() == "AS" else None
            stages.append(Stage(base, name))
        else:
            assert stages, f"{keyword} before any FROM"
            stages[-1].instructions.append(Instruction(keyword, text))
    return Dockerfile(args, stages)


def _docker_regex(pattern: str) -> str:
    """A .dockerignore pattern as a regular expression: ``**`` any folders (none too),
    ``*`` and ``?`` within one path segment."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] in "*?":
            out, i = out + ("[^/]*" if pattern[i] == "*" else "[^/]"), i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return out


def dockerignore_excludes(path: str) -> bool:
    """Whether the build context leaves ``path`` out, as Docker reads .dockerignore: a path
    is matched with its parent folders, the last matching pattern wins, ``!`` re-includes."""
    patterns = [line.strip() for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    parts = path.strip("/").split("/")
    candidates = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    excluded = False
    for pattern in patterns:
        regex = _docker_regex(pattern.lstrip("!").strip("/"))
        if any(re.fullmatch(regex, candidate) for candidate in candidates):
            excluded = not pattern.startswith("!")
    return excluded


def compose() -> dict[str, Any]:
    """compose.yaml as Compose reads it (YAML anchors and ``<<`` merges resolved)."""
    loaded = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def unit() -> configparser.RawConfigParser:
    """The systemd unit's sections and settings (a repeated setting: its last value)."""
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read_string(UNIT.read_text(encoding="utf-8"))
    return parser


def free_port() -> int:
    """A TCP port free on the loopback interface now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def on_this_machine(command: list[str], image_paths: dict[str, Path]) -> list[str]:
    """An image's command as a plain process here: ``sla-bridge`` and ``python`` from this
    virtualenv, the image's files (``image_paths``: path in the image -> checkout or tmp)."""
    mapped: list[str] = []
    for word in command:
        if word in ("sla-bridge", "python"):
            word = str(VENV_BIN / word) if word == "sla-bridge" else sys.executable
        for image_path, here in image_paths.items():
            if word == image_path or word.startswith(image_path + "/"):
                word = str(here) + word[len(image_path):]
        mapped.append(word)
    return mapped


class BridgeProcess:
    """A bridge command run as a plain process, its output (stdout and stderr) collected."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self) -> str:
        """Everything the process wrote so far."""
        return "\n".join(self.lines)

    def wait_ready(self, url: str, timeout: float = 60) -> None:
        """Wait until ``GET url`` answers 200; fail with the output if the process exits."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"the bridge exited ({self.process.returncode}):\n"
                                     + self.output())
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"{url} not 200 after {timeout} s:\n" + self.output())
            time.sleep(0.1)

    def stop(self, timeout: float = 45) -> int:
        """SIGTERM, as ``docker stop`` and systemd send; the exit status once it ended."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(10)
            self._reader.join(5)
            if self.process.stdout is not None:
                self.process.stdout.close()
        return status


def run(argv: list[str], env: dict[str, str], cwd: Path,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run a one-shot command (``db upgrade``, a probe) to its end."""
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, check=False)

