"""The README's "Start for real", followed literally in a fresh clone.

The commands are read out of the README's section, so the test breaks when the README
drifts: every command of its shell blocks is run, in order, from the root of a fresh
copy of the repository (its tracked and new files, no ``.venv``, no ``var``). Only the
values an operator picks for their own host are the test's: the data directory (an
absolute path, as the README asks), the base URL and the SMTP server's address. The
rest is the README's own: ``make install-runtime``, the SMTP login, password,
STARTTLS and sender, ``admin create`` (its password typed at the prompt, twice),
``serve``. The SMTP server is real (aiosmtpd) and insists on STARTTLS with a
certificate the server process trusts (``SSL_CERT_FILE``) and on the README's login.

Then the steps the README tells in words, through HTTP against the running server:
log in as the first administrator, found the consortium from **My consortia**, invite
someone from **People**, open the link of the e-mail that arrives, and join. The words
the README puts in bold are the labels of the pages on the way. No demo is loaded.

The same clone then serves the demo with ``make run PORT=…``: the printed address
follows the port, the demo lands in ``var/demo`` whatever ``CONSORTIUM_DATA_DIR`` the
shell exports, and the virtual environment holds no test tool.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import shlex
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.http_browser import Browser, csrf_in
from tests.support.processes import free_port
from tests.support.smtp import Sink

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## Start for real"
INSTALL_SECONDS = 900
MAIL_SECONDS = 60
DEMO_SECONDS = 300
ADMIN_PASSWORD = "the first admin's long passphrase"
NEWCOMER = "newcomer@test.example"
NEWCOMER_PASSWORD = "a newcomer's passphrase"


# -- the README -------------------------------------------------------------------


def section(readme: str, title: str) -> str:
    """The text of a ``## `` section, up to the next one."""
    start = readme.index(f"\n{title}\n")
    end = readme.find("\n## ", start + 1)
    return readme[start : end if end != -1 else len(readme)]


def shell_commands(text: str) -> list[str]:
    """The command lines of the section's ```sh blocks (indented in a list or not)."""
    commands: list[str] = []
    inside = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            inside = stripped == "```sh" if not inside else False
            continue
        if inside and stripped and not stripped.startswith("#"):
            commands.append(stripped)
    return commands


def bold_words(text: str) -> list[str]:
    return re.findall(r"\*\*([^*]+)\*\*", text)


# -- a fresh clone ----------------------------------------------------------------


def fresh_clone(target: Path) -> Path:
    """The repository's files (tracked, and new ones not ignored), as in a clone."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = ROOT / name.decode()
        if source.is_file():
            destination = target / name.decode()
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    return target


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without any CONSORTIUM_* setting, nor the test
    run's virtual environment."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CONSORTIUM_")
        and key not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}
    }
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(
        part for part in env.get("PATH", "").split(os.pathsep) if part != venv_bin
    )
    env.update(extra)
    return env


@dataclass
class Clone:
    """A fresh clone, once ``make install-runtime`` ran in it (as the README says)."""

    path: Path
    commands: list[str]
    bold: list[str]
    installed: bool = False


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Clone:
    path = fresh_clone(tmp_path_factory.mktemp("clone"))
    text = section((path / "README.md").read_text(encoding="utf-8"), SECTION)
    return Clone(path, shell_commands(text), bold_words(text))


# -- a real SMTP server that wants STARTTLS and a login ----------------------------


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (the server process trusts it)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class MailServer:
    """aiosmtpd on 127.0.0.1: STARTTLS required, then the expected login."""

    certificate: Path
    key: Path
    port: int = field(default_factory=free_port)
    sink: Sink = field(default_factory=Sink)
    login: dict[str, str] = field(default_factory=dict)
    logins: list[tuple[str, bool]] = field(default_factory=list)

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False)
        user, password = data.login.decode(), data.password.decode()
        ok = (user, password) == (self.login.get("user"), self.login.get("password"))
        self.logins.append((user, ok))
        return AuthResult(success=ok)

    @property
    def received(self) -> list[EmailMessage]:
        return list(self.sink.received)

    def running(self) -> Controller:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.certificate, self.key)
        return Controller(
            self.sink,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=context,
            require_starttls=True,
            authenticator=self.authenticate,
            auth_require_tls=True,
        )


@pytest.fixture
def mail_server(tmp_path: Path) -> Iterator[MailServer]:
    server = MailServer(*self_signed(tmp_path))
    controller = server.running()
    controller.start()
    yield server
    controller.stop()


# -- following the README ----------------------------------------------------------


@dataclass
class Operator:
    """Runs the README's commands from the root of the clone, as an operator would."""

    clone: Clone
    env: dict[str, str]
    # The values that are the operator's own choice on their host.
    own: dict[str, str]
    server_port: int
    followed: list[str] = field(default_factory=list)
    servers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    admin: tuple[str, str] = ("", "")

    def run(self, command: str) -> None:
        words = shlex.split(command, comments=True)
        if words == ["make", "install-runtime"]:
            self._make_install_runtime()
            self.followed.append("install")
        elif words[0] == "export" and len(words) == 2 and "=" in words[1]:
            name, value = words[1].split("=", 1)
            self.env[name] = self.own.get(name, value)
            self.followed.append(f"export {name}")
        elif words[:3] == [".venv/bin/consortium", "admin", "create"]:
            self._admin_create(words)
            self.followed.append("admin create")
        elif words[:2] == [".venv/bin/consortium", "serve"]:
            self._serve(words)
            self.followed.append("serve")
        else:
            pytest.fail(
                f"the README's {SECTION!r} has a command this test does not "
                f"know how to follow: {command!r}"
            )

    def _make_install_runtime(self) -> None:
        if not self.clone.installed:
            result = subprocess.run(
                ["make", "install-runtime"],
                cwd=self.clone.path,
                env=clean_environment(),
                capture_output=True,
                text=True,
                timeout=INSTALL_SECONDS,
                check=False,
            )
            assert result.returncode == 0, result.stdout + result.stderr
            self.clone.installed = True

    def _admin_create(self, words: list[str]) -> None:
        assert "--password" not in words, "the README types no password on the line"
        email = words[words.index("--email") + 1]
        result = subprocess.run(
            words,
            cwd=self.clone.path,
            env=self.env,
            input=f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n",
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            # No terminal: the password prompt reads what is typed on stdin.
            start_new_session=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"Administrator {email} created." in result.stdout
        self.admin = (email, ADMIN_PASSWORD)

    def _serve(self, words: list[str]) -> None:
        words = list(words)
        if "--port" in words:  # the port is the operator's choice: a free one here
            words[words.index("--port") + 1] = str(self.server_port)
        process = subprocess.Popen(
            words,
            cwd=self.clone.path,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.servers.append(process)
        healthy(f"http://127.0.0.1:{self.server_port}/healthz", process, 120)

    def stop(self) -> None:
        for process in self.servers:
            process.terminate()
            process.wait(timeout=30)


def healthy(url: str, process: subprocess.Popen[bytes], seconds: float) -> None:
    """Wait until ``url`` answers 200, the process ends, or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the process ended with status {process.returncode}")
        try:
            # S310: our own http://127.0.0.1 address.
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} did not answer 200 within {seconds:.0f} s")


def mail_to(server: MailServer, recipient: str) -> EmailMessage:
    deadline = time.monotonic() + MAIL_SECONDS
    while time.monotonic() < deadline:
        for message in server.received:
            if str(message["To"]) == recipient:
                return message
        time.sleep(0.2)
    pytest.fail(f"no e-mail to {recipient} within {MAIL_SECONDS} s: {server.logins}")


def test_the_readme_start_for_real_runs_as_written_in_a_fresh_clone(
    clone: Clone, mail_server: MailServer, tmp_path: Path
) -> None:
    data_dir = tmp_path / "srv" / "consortium-ledger"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    operator = Operator(
        clone,
        env=clean_environment(
            # Not the README's: a tick a second instead of a minute, so the e-mail
            # leaves at once, and the test's certificate authority for STARTTLS.
            CONSORTIUM_TICK_SECONDS="1",
            SSL_CERT_FILE=str(mail_server.certificate),
        ),
        own={
            "CONSORTIUM_DATA_DIR": str(data_dir),
            "CONSORTIUM_BASE_URL": base,
            "CONSORTIUM_SMTP_HOST": "127.0.0.1",
            "CONSORTIUM_SMTP_PORT": str(mail_server.port),
        },
        server_port=port,
    )
    try:
        for command in clone.commands:
            if command.startswith(".venv/bin/consortium serve"):
                # The SMTP login is the README's: the mail server expects it.
                mail_server.login.update(
                    user=operator.env.get("CONSORTIUM_SMTP_USERNAME", ""),
                    password=operator.env.get("CONSORTIUM_SMTP_PASSWORD", ""),
                )
            operator.run(command)

        assert operator.followed[0] == "install"
        assert operator.followed[-1] == "serve"
        assert "admin create" in operator.followed
        readme_data_dir = next(
            c.split("=", 1)[1] for c in clone.commands if "CONSORTIUM_DATA_DIR=" in c
        )
        assert Path(readme_data_dir).is_absolute()
        assert operator.env["CONSORTIUM_SMTP_SECURITY"] == "starttls"

        # Log in as the first administrator, as the README says.
        admin = Browser(base)
        admin.login(*operator.admin)
        consortia = admin.request("/consortia").body
        for word in ("Administration", "My consortia", "Found a consortium"):
            assert word in clone.bold, word
            assert word in consortia, word
        accounts = admin.request("/admin/accounts").body
        assert "1 account found." in accounts  # no demo: only the administrator

        # Found the consortium.
        token = csrf_in(admin.request("/consortia/new").body)
        founded = admin.request(
            "/consortia/new",
            {
                "csrf_token": token,
                "name": "Tiers-lieux du Val",
                "call_name": "Territoires durables",
                "call_funder": "Région",
            },
        )
        assert founded.status == 303, founded.body
        consortium = founded.headers["location"]

        # Invite someone from the People tab.
        people = admin.request(f"{consortium}/members").body
        for word in ("People", "Invite"):
            assert word in clone.bold, word
            assert word in people, word
        invited = admin.request(
            f"{consortium}/invitations",
            {
                "csrf_token": csrf_in(people),
                "email": NEWCOMER,
                "role": "pilot_team",
                "partner_id": "",
            },
        )
        assert invited.status == 200, invited.body
        assert f"Invitation sent to {NEWCOMER}" in invited.body

        # The e-mail arrives through SMTP, from the README's sender, with the link.
        mail = mail_to(mail_server, NEWCOMER)
        assert str(mail["From"]) == operator.env["CONSORTIUM_SMTP_FROM"]
        assert mail_server.logins[-1] == (
            operator.env["CONSORTIUM_SMTP_USERNAME"],
            True,
        )
        body = mail.get_body(("plain",))
        assert body is not None
        link = re.search(rf"{re.escape(base)}(/invitations/\S+)", body.get_content())
        assert link is not None, body.get_content()

        # The newcomer opens it, chooses a name and a password, and joins.
        newcomer = Browser(base)
        page = newcomer.request(link.group(1))
        assert page.status == 200
        joined = newcomer.request(
            link.group(1),
            {
                "csrf_token": csrf_in(page.body),
                "display_name": "Nouvelle Venue",
                "password": NEWCOMER_PASSWORD,
                "password_again": NEWCOMER_PASSWORD,
            },
        )
        assert joined.status == 303, joined.body
        assert joined.headers["location"] == consortium
        overview = newcomer.request(consortium)
        assert overview.status == 200
        assert "Tiers-lieux du Val" in overview.body
        assert "2 accounts found." in admin.request("/admin/accounts").body
    finally:
        operator.stop()

    # The data directory and its files are the owner's alone.
    assert data_dir.stat().st_mode & 0o777 == 0o700
    readable = [p.name for p in data_dir.rglob("*") if p.stat().st_mode & 0o077]
    assert readable == []
    assert not (clone.path / "var").exists()  # nothing went to the demo's place


def test_make_run_serves_the_demo_on_the_port_asked_in_its_own_directory(
    clone: Clone, tmp_path: Path
) -> None:
    if not clone.installed:
        result = subprocess.run(
            ["make", "install-runtime"],
            cwd=clone.path,
            env=clean_environment(),
            capture_output=True,
            timeout=INSTALL_SECONDS,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        clone.installed = True
    real = tmp_path / "real-instance"
    port = free_port()
    output = tmp_path / "make-run.log"
    with output.open("wb") as log:
        process = subprocess.Popen(
            ["make", "run", f"PORT={port}"],
            cwd=clone.path,
            # A shell set up for a real instance: make run must leave it alone.
            env=clean_environment(
                CONSORTIUM_DATA_DIR=str(real),
                CONSORTIUM_SMTP_HOST="smtp.invalid",
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            # The demo is written before the server starts: a minute or more on a
            # busy machine, so a longer wait than a bare server's.
            healthy(f"http://127.0.0.1:{port}/healthz", process, DEMO_SECONDS)
            login = Browser(f"http://127.0.0.1:{port}")
            login.login("coordinator@demo.example", "coordinator-demo")
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    printed = output.read_text(errors="replace")

    assert f"Demo logins (open http://127.0.0.1:{port}):" in printed
    assert "127.0.0.1:8000" not in printed
    # A new user's first start warns of nothing (a relative data directory did).
    assert [line for line in printed.splitlines() if " WARNING " in line] == []
    assert (clone.path / "var" / "demo" / "app.db").exists()
    assert not real.exists()
    no_tools = subprocess.run(
        [str(clone.path / ".venv/bin/python"), "-c", "import pytest"],
        capture_output=True,
        check=False,
    )
    assert no_tools.returncode != 0  # the runtime only: no test tools
    assert not list((clone.path / ".venv").glob("lib/python*/site-packages/playwright"))


def test_the_commands_the_section_lists_are_the_ones_this_test_follows() -> None:
    text = section((ROOT / "README.md").read_text(encoding="utf-8"), SECTION)
    commands = shell_commands(text)

    kinds = [shlex.split(c, comments=True)[:3] for c in commands]

    assert kinds[0] == ["make", "install-runtime"]
    assert [".venv/bin/consortium", "admin", "create"] in kinds
    assert kinds[-1][:2] == [".venv/bin/consortium", "serve"]
