"""A throw-away Dovecot IMAP server on 127.0.0.1 in a temporary directory (see shared/REAL-SERVERS.md).

    with running_dovecot() as imap:
        imap.host, imap.port, imap.users          # {"crm@kundebot.test": "capture-secret", ...}
        imap.tls_port                             # IMAPS, with running_dovecot(tls_cert=..., tls_key=...)
        imap.new_user()                           # a login of its own with an empty mailbox
        imap.add_user("bob@kundebot.test", "pw")  # another login (takes a second, see add_user)
        imap.stop(); imap.start()                 # the same port and storage: a server restart mid-test
        imap.recreate_mailbox("crm@kundebot.test", "INBOX")   # the folder gets a new UIDVALIDITY

`dovecot -F` runs in the foreground under the fixture's control, with passwd-file auth (PLAIN scheme), maildir
storage and a static userdb. As root (how these machines run the tests) the mail processes run as `nobody`,
because Dovecot refuses to run them as root; as any other user everything runs as that user.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_USERS = {
    "crm@kundebot.test": "capture-secret",
    "alice@kundebot.test": "alice-secret",
}


def find_dovecot() -> str | None:
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.access(p, os.X_OK)), None
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _mail_owner() -> tuple[str, str, int, int]:
    """The user and group the mail processes run as: `nobody` when we are root (Dovecot refuses root)."""
    if os.geteuid() == 0:
        pw = pwd.getpwnam("nobody")
    else:
        pw = pwd.getpwuid(os.geteuid())
    return pw.pw_name, grp.getgrgid(pw.pw_gid).gr_name, pw.pw_uid, pw.pw_gid


def _config(directory: Path, port: int, tls: tuple[Path, Path, int] | None = None) -> str:
    user, group, _, _ = _mail_owner()
    rootless = os.geteuid() != 0
    lines = [
        f"base_dir = {directory}/run",
        f"state_dir = {directory}/state",
        f"log_path = {directory}/dovecot.log",
        "protocols = imap",
        "listen = 127.0.0.1",
        *(["ssl = yes", f"ssl_cert = <{tls[0]}", f"ssl_key = <{tls[1]}"] if tls else ["ssl = no"]),
        "disable_plaintext_auth = no",
        "auth_mechanisms = plain login",
        # A wrong password is answered at once and does not slow down the next logins from 127.0.0.1 (the auth
        # penalty is off when its anvil socket cannot be used: mode 0).
        "auth_failure_delay = 0",
        "service anvil {",
        "  unix_listener anvil-auth-penalty {",
        "    mode = 0",
        "  }",
        *(["  chroot = "] if rootless else []),
        "}",
        "first_valid_uid = 1",
        "mail_location = maildir:~/Maildir",
        "mail_fsync = never",  # a throw-away server: no waiting for the disk
        # Maildir changes are seen through inotify; the interval is the fallback, short for tests.
        "mailbox_idle_check_interval = 1 secs",
        "passdb {",
        "  driver = passwd-file",
        f"  args = scheme=PLAIN username_format=%u {directory}/users",
        "}",
        "userdb {",
        "  driver = static",
        f"  args = uid={user} gid={group} home={directory}/mail/%u",
        "}",
        "protocol imap {",
        "  mail_max_userip_connections = 200",
        "}",
        "service imap-login {",
        "  inet_listener imap {",
        "    address = 127.0.0.1",
        f"    port = {port}",
        "  }",
        "  inet_listener imaps {",
        *(["    address = 127.0.0.1", f"    port = {tls[2]}"] if tls else ["    port = 0"]),
        "  }",
    ]
    if rootless:
        lines += ["  chroot = "]
    lines += ["}"]
    if rootless:
        lines += [
            f"default_login_user = {user}",
            f"default_internal_user = {user}",
            f"default_internal_group = {group}",
        ]
    return "\n".join(lines) + "\n"


@dataclass
class DovecotServer:
    directory: Path
    port: int
    binary: str
    users: dict[str, str] = field(default_factory=dict)
    host: str = "127.0.0.1"
    tls_port: int | None = None  # IMAPS, when started with a certificate
    startup_seconds: float = 0.0
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _users_version: int = field(default=0, repr=False)
    _spares: list[str] = field(default_factory=list, repr=False)
    _spare_passwords: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def config_path(self) -> Path:
        return self.directory / "dovecot.conf"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def log(self) -> str:
        path = self.directory / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self, timeout: float = 20.0) -> None:
        """Start `dovecot -F` (again, after `stop()`: same port, same mail) and wait until it greets."""
        if self.running:
            return
        began = time.monotonic()
        self._process = subprocess.Popen(
            [self.binary, "-F", "-c", str(self.config_path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            # Its own process group: stop() can end the imap processes too, which outlive the master.
            start_new_session=True,
        )
        deadline = began + timeout
        while True:
            if self._process.poll() is not None:
                err = self._process.stderr.read().decode(errors="replace") if self._process.stderr else ""
                self._process = None
                raise RuntimeError(f"dovecot exited on start-up: {err.strip()}\n{self.log()[-2000:]}")
            if self._greets():
                break
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"dovecot did not answer on port {self.port}\n{self.log()[-2000:]}")
            time.sleep(0.02)
        self.startup_seconds = time.monotonic() - began

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server (clients see their connections close); mail and configuration stay."""
        process, self._process = self._process, None
        if process is None:
            return
        # The master alone leaves logged-in imap processes serving their clients; signal the whole group
        # (ours: start_new_session) so every connection is closed, as when a real server goes down.
        # The imap processes say BYE to their clients at once; the master can take a second to wind down, so
        # what is left after a moment is killed.
        _signal_group(process.pid, signal.SIGTERM)
        try:
            process.wait(0.3)
        except subprocess.TimeoutExpired:
            _signal_group(process.pid, signal.SIGKILL)
            process.wait(timeout)
        _signal_group(process.pid, signal.SIGKILL)  # anything that ignored SIGTERM
        if process.stderr:
            process.stderr.close()
        # The master is gone; wait until nothing listens on the port any more, so a client connecting right
        # after stop() is refused instead of reaching a login process that is still shutting down.
        deadline = time.monotonic() + timeout
        while self._port_open() and time.monotonic() < deadline:
            time.sleep(0.02)

    def add_user(self, address: str, password: str) -> None:
        """Add a login (its mailbox is made, empty, on first login). Takes a second: Dovecot looks at its
        passwd-file at most once a second, so this waits until a login is sure to see the new line. For a
        fresh mailbox without waiting, take one of the spares with `new_user()`."""
        if ":" in address or ":" in password or "\n" in address + password:
            raise ValueError("no ':' or newline in test users or passwords")
        self.users[address] = password
        self._write_users()
        time.sleep(1.05)

    def new_user(self) -> str:
        """A login nobody has used yet (a spare written at start-up): an empty mailbox of one's own."""
        if self._spares:
            user = self._spares.pop(0)
            self.users[user] = self._spare_passwords[user]
            return user
        user = f"extra{len(self.users)}@kundebot.test"
        self.add_user(user, f"pw-{user}")
        return user

    def home(self, user: str) -> Path:
        return self.directory / "mail" / user

    def maildir(self, user: str, folder: str = "INBOX") -> Path:
        root = self.home(user) / "Maildir"
        return root if folder.upper() == "INBOX" else root / f".{folder}"

    def recreate_mailbox(self, user: str, folder: str = "INBOX", keep_messages: bool = True) -> None:
        """Make Dovecot see `folder` as a new mailbox: it gets a new UIDVALIDITY and fresh UIDs.

        Removes Dovecot's UID list and indexes of that folder (the messages stay unless keep_messages is
        False), which is what a restore from backup or a move to another server does to a real mailbox. Works
        for INBOX too, which IMAP cannot delete. Sessions that have the folder selected are disconnected by
        Dovecot when they notice; connect again.
        """
        path = self.maildir(user, folder)
        if not path.is_dir():
            raise FileNotFoundError(f"no maildir for {user} {folder} at {path}")
        for name in os.listdir(path):
            if (
                name == "dovecot-uidlist"
                or name.startswith("dovecot.index")
                or name.startswith("dovecot.list")
            ):
                (path / name).unlink()
        if not keep_messages:
            for sub in ("cur", "new", "tmp"):
                for child in (path / sub).glob("*"):
                    child.unlink()

    def _write_users(self) -> None:
        path = self.directory / "users"
        tmp = path.with_suffix(".tmp")
        logins = {**self._spare_passwords, **self.users}
        tmp.write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in logins.items()))
        tmp.chmod(0o644)
        # Dovecot re-reads the file when its mtime (whole seconds) or size changes; two users added within a
        # second can keep both, so every version gets a later mtime than the one before.
        self._users_version = max(int(time.time()), self._users_version + 1)
        os.utime(tmp, (self._users_version, self._users_version))
        tmp.replace(path)

    def _port_open(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def _greets(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=1.0) as s:
                s.settimeout(1.0)
                return s.recv(64).startswith(b"* OK")
        except OSError:
            return False


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


@contextlib.contextmanager
def running_dovecot(
    users: Mapping[str, str] | None = None,
    spare_users: int = 300,
    tls_cert: Path | None = None,
    tls_key: Path | None = None,
) -> Iterator[DovecotServer]:
    """Dovecot with `users` (default DEFAULT_USERS) and `spare_users` unused logins for `new_user()`.

    With `tls_cert` and `tls_key` (PEM files) it also listens for IMAPS on `tls_port`; the plain port stays.
    """
    binary = find_dovecot()
    if binary is None:
        raise FileNotFoundError("dovecot not found (apt-get install dovecot-imapd)")
    directory = Path(tempfile.mkdtemp(prefix="kundebot-dovecot-"))
    # mkdtemp makes the directory 0700; the mail processes (nobody) and Dovecot's own users must get in.
    directory.chmod(0o755)
    _, _, uid, gid = _mail_owner()
    (directory / "mail").mkdir()
    os.chown(directory / "mail", uid, gid)
    server = DovecotServer(directory=directory, port=free_port(), binary=binary)
    if tls_cert is not None and tls_key is not None:
        server.tls_port = free_port()
        server.config_path.write_text(_config(directory, server.port, (tls_cert, tls_key, server.tls_port)))
    else:
        server.config_path.write_text(_config(directory, server.port))
    server.users.update(DEFAULT_USERS if users is None else users)
    server._spares = [f"box{n}@kundebot.test" for n in range(1, spare_users + 1)]
    server._spare_passwords = {user: f"pw-{user}" for user in server._spares}
    server._write_users()
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)
