"""The office's directory (LDAP or Active Directory), asked whether a password is right by a
simple bind as the person, through ldap3: over StartTLS for an ldap:// address, over TLS for
ldaps://, never in clear, the server's certificate checked. The password is only passed on; the
portal never stores it."""

from __future__ import annotations

import contextlib
import ssl

from flask import current_app
from ldap3 import Connection, Server, Tls
from ldap3.core.exceptions import LDAPException
from ldap3.utils.dn import escape_rdn

INVALID_CREDENTIALS = 49


class DirectoryUnavailable(Exception):
    """The directory could not be asked: down, unreachable, or its TLS is not to be trusted."""


def enabled() -> bool:
    return bool(current_app.config["LDAP_URL"])


def check_password(username: str, password: str) -> bool:
    """Whether the directory accepts this name and password. Raises DirectoryUnavailable when it
    cannot say."""
    config = current_app.config
    if not password:  # an empty password is an anonymous bind, which "succeeds"
        return False
    url = config["LDAP_URL"]
    timeout = config["LDAP_TIMEOUT"]
    tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=config["LDAP_CA_FILE"] or None,
              version=ssl.PROTOCOL_TLS_CLIENT)
    server = Server(url, tls=tls, connect_timeout=timeout, use_ssl=url.startswith("ldaps://"))
    bind_dn = config["LDAP_BIND_DN"].format(username=escape_rdn(username))
    connection = Connection(server, user=bind_dn, password=password, read_only=True,
                            receive_timeout=timeout, raise_exceptions=False)
    try:
        connection.open()
        if not url.startswith("ldaps://") and not connection.start_tls():
            raise DirectoryUnavailable(f"StartTLS refused: {connection.result}")
        if connection.bind():
            return True
        if connection.result.get("result") == INVALID_CREDENTIALS:
            return False
        raise DirectoryUnavailable(f"bind answered {connection.result}")
    except LDAPException as error:
        raise DirectoryUnavailable(str(error)) from error
    finally:
        with contextlib.suppress(LDAPException):
            connection.unbind()
