"""A throw-away LDAP directory for the tests: Debian's `slapd`, started on a free port of
127.0.0.1 with a configuration, a database and a certificate of its own (made with openssl), never
the system's slapd service. It answers StartTLS and refuses a simple bind without TLS, as an
office's directory should; `khoa` is a person the directory has locked (no one may bind as them).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .servers import free_port, wait_until_listening

SUFFIX = "dc=sadec,dc=local"
PEOPLE = f"ou=people,{SUFFIX}"
BIND_DN = f"uid={{username}},{PEOPLE}"
# The directory's people and their passwords. phuong1 and quantri have portal accounts too;
# canbo.moi has none; khoa is locked in the directory.
PEOPLE_PASSWORDS = {
    "phuong1": "mat-khau-thu-muc-1",
    "quantri": "mat-khau-thu-muc-qt",
    "canbo.moi": "mat-khau-thu-muc-moi",
    "khoa": "mat-khau-thu-muc-khoa",
}
LOCKED = "khoa"


def slapd_available() -> bool:
    return shutil.which("slapd") is not None or Path("/usr/sbin/slapd").exists()


def make_certificate(folder: Path, name: str = "directory") -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, and its key."""
    cert, key = folder / f"{name}.crt", folder / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )
    return cert, key


CONFIG = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {root}/slapd.pid
argsfile {root}/slapd.args
TLSCertificateFile {cert}
TLSCertificateKeyFile {key}
# A simple bind only over TLS: a password never crosses the network in clear.
security simple_bind=64

database mdb
suffix "{suffix}"
rootdn "cn=admin,{suffix}"
directory {root}/db
maxsize 10485760
access to dn.exact="uid={locked},{people}" by * none
access to attrs=userPassword by anonymous auth by * none
access to * by * read
"""


def _ldif() -> str:
    entries = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: sadec\n"
        "o: UBND Thanh pho Sa Dec\n",
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n",
    ]
    for uid, password in PEOPLE_PASSWORDS.items():
        entries.append(
            f"dn: uid={uid},{PEOPLE}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {uid}\n"
            f"sn: {uid}\nmail: {uid}@sadec.gov.vn\nuserPassword: {password}\n")
    return "\n".join(entries)


@dataclass
class Directory:
    port: int
    cert: Path
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    def settings(self) -> dict:
        """The portal's settings for this directory."""
        return {"LDAP_URL": self.url, "LDAP_BIND_DN": BIND_DN, "LDAP_CA_FILE": str(self.cert),
                "LDAP_TIMEOUT": 5}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_directory(root: Path) -> Directory:
    """slapd on a free port, with its data loaded by slapadd before it starts."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "db").mkdir()
    cert, key = make_certificate(root)
    config = root / "slapd.conf"
    config.write_text(CONFIG.format(root=root, cert=cert, key=key, suffix=SUFFIX,
                                    locked=LOCKED, people=PEOPLE))
    data = root / "people.ldif"
    data.write_text(_ldif())
    slapd = shutil.which("slapd") or "/usr/sbin/slapd"
    slapadd = shutil.which("slapadd") or "/usr/sbin/slapadd"
    subprocess.run([slapadd, "-f", str(config), "-l", str(data)], check=True,
                   capture_output=True)
    port = free_port()
    log = root / "slapd.log"
    with log.open("w") as out:
        # -d 0: in the foreground, so that the test owns the process and stops it.
        process = subprocess.Popen(
            [slapd, "-d", "0", "-h", f"ldap://127.0.0.1:{port}/", "-f", str(config)],
            stdout=out, stderr=subprocess.STDOUT)
    directory = Directory(port, cert, process, log)
    wait_until_listening(process, port, log, "slapd", directory.stop, 20)
    return directory
