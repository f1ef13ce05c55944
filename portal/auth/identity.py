"""The province's central login (OpenID Connect, e.g. WSO2 Identity Server): the authorization
code flow with PKCE through Authlib, the ID token checked (signature, issuer, audience, nonce,
expiry), and the identity mapped to a portal account by one claim (OIDC_CLAIM) compared with the
account's user name or e-mail address (OIDC_MATCH). Accounts, units and roles stay the portal's:
an identity without an account is refused, naming whom to ask.

Each app has a client of its own (app.extensions["portal_identity"]), registered by `init_app`
when OIDC_ISSUER and OIDC_CLIENT_ID are set; Authlib keeps the flow's state, nonce and PKCE
verifier in the session.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, url_for
from requests import RequestException
from sqlalchemy import func, select

from ..extensions import db
from ..models import User

EXTENSION = "portal_identity"


class IdentityUnavailable(Exception):
    """The identity server could not be reached or answered nonsense."""


class IdentityRefused(Exception):
    """The answer of the identity server is not to be trusted: `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def init_app(app: Flask) -> None:
    config = app.config
    if not (config["OIDC_ISSUER"] and config["OIDC_CLIENT_ID"]):
        return
    oauth = OAuth(app)
    metadata = config["OIDC_METADATA_URL"] or (
        config["OIDC_ISSUER"].rstrip("/") + "/.well-known/openid-configuration")
    oauth.register(
        "province",
        client_id=config["OIDC_CLIENT_ID"],
        client_secret=config["OIDC_CLIENT_SECRET"],
        server_metadata_url=metadata,
        client_kwargs={"scope": config["OIDC_SCOPES"], "code_challenge_method": "S256",
                       "timeout": config["OIDC_TIMEOUT"]},
    )
    app.extensions[EXTENSION] = oauth.province


def enabled() -> bool:
    return EXTENSION in current_app.extensions


def _client():
    return current_app.extensions[EXTENSION]


def callback_url() -> str:
    """Where the identity server sends the browser back: the portal's own address (BASE_URL),
    which the identity server has registered for this client."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for("auth.oidc_callback")


def start():
    """The redirect to the identity server's login page."""
    try:
        return _client().authorize_redirect(callback_url())
    except (RequestException, AuthlibBaseError, ValueError) as error:
        raise IdentityUnavailable(str(error)) from error


@dataclass(frozen=True)
class Identity:
    claim: str  # the value of OIDC_CLAIM
    id_token: str
    name: str = ""  # for an account created at a first login (CREATE_ACCOUNTS)
    email: str = ""


def finish() -> Identity:
    """The identity the identity server vouches for, from its answer to the browser (the code
    exchanged for tokens, the ID token checked). Raises IdentityRefused or IdentityUnavailable."""
    config = current_app.config
    try:
        token = _client().authorize_access_token(leeway=config["OIDC_LEEWAY"])
    except MismatchingStateError as error:
        raise IdentityRefused("state") from error
    except OAuthError as error:
        raise IdentityRefused(error.error or "oauth") from error
    except RequestException as error:
        raise IdentityUnavailable(str(error)) from error
    except (AuthlibBaseError, ValueError, KeyError) as error:
        # the ID token: expired, wrong issuer or audience, bad signature or nonce
        raise IdentityRefused(getattr(error, "error", None) or type(error).__name__) from error
    claims = dict(token.get("userinfo") or {})
    if config["OIDC_CLAIM"] not in claims:
        # A provider may keep the ID token small: the other claims come from its userinfo
        # endpoint, with the access token, about the same subject.
        try:
            more = _client().userinfo(token=token)
        except RequestException as error:
            raise IdentityUnavailable(str(error)) from error
        except (AuthlibBaseError, ValueError) as error:
            raise IdentityRefused("userinfo") from error
        if more.get("sub") != claims.get("sub"):
            raise IdentityRefused("userinfo_subject")
        claims.update(more)
    value = claims.get(config["OIDC_CLAIM"])
    if not isinstance(value, str) or not value.strip():
        raise IdentityRefused("claim_missing")
    name, email = claims.get("name"), claims.get("email")
    return Identity(value.strip()[:200], token.get("id_token", ""),
                    name if isinstance(name, str) else "", email if isinstance(email, str) else "")


def account_for(identity: Identity) -> User | None:
    """The portal's account the identity maps to, by user name or e-mail (OIDC_MATCH); an
    address that several accounts share maps to none of them."""
    value = identity.claim.lower()
    if current_app.config["OIDC_MATCH"] == "email":
        found = db.session.scalars(select(User).where(func.lower(User.email) == value)
                                   .limit(2)).all()
        return found[0] if len(found) == 1 else None
    return db.session.scalar(select(User).where(func.lower(User.username) == value))


def logout_url(id_token: str) -> str | None:
    """The identity server's own logout (RP-initiated logout), back to the portal's login page
    afterwards; None when it offers none or cannot be reached."""
    try:
        endpoint = _client().load_server_metadata().get("end_session_endpoint")
    except (RequestException, AuthlibBaseError, ValueError):
        return None
    if not endpoint:
        return None
    query = {"client_id": current_app.config["OIDC_CLIENT_ID"],
             "post_logout_redirect_uri":
                 current_app.config["BASE_URL"].rstrip("/") + url_for("auth.login")}
    if id_token:
        query["id_token_hint"] = id_token
    return f"{endpoint}?{urlencode(query)}"
