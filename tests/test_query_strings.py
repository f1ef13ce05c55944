"""Every number a page reads from its query string is checked like a path id: a value out of
range (beyond ID_MAX, negative, 5,000 digits), not a number, or a number in another script gives a
404 or is ignored as a filter, never a 500.

The parameters are not listed by hand: each GET route of the URL map is opened once, as each role,
with a request whose query string records which names the code looks up (request.args and
request.values alike), and every name it looked up is then given each hostile value."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from werkzeug.datastructures import ImmutableMultiDict

from portal.models import ID_MAX
from portal.query_string import number

from .support.clients import PortalClient
from .support.world import World, world_app

HOSTILE = [
    "99999999999999999999",
    str(ID_MAX + 1),
    "-99999999999999999999",
    "0",
    "1" * 5000,  # int() refuses more than 4,300 digits
    "1e3",
    "٣",  # an Arabic-Indic three: isdecimal(), and int() reads it
    "",
]

# A path argument's value in World, by name; an <int:…> argument not named here gets 1.
ARGUMENTS = {
    "directive_id": "directive",
    "unit_id": "unit",
    "item_id": "item",
    "evidence_id": "evidence",
    "task_id": "task",
    "user_id": "account",
    "notification_id": "notification",
}
# Each role (None: not logged in) and names its pages are known to read, which the recorder must
# find: a recorder that finds nothing would make the test below pass on any portal.
ROLES = {
    None: {"next"},
    "quantri": {"unit", "role", "active", "q", "kind", "status", "overdue", "page", "section"},
    "noivu.duyet": {"kind", "status", "overdue", "q", "page"},
    "lanhdao": {"kind", "status", "overdue", "q", "page"},
    "phuong1": {"page"},
}


class Recorder:
    """The names looked up in request.args (and request.values) since `clear`."""

    names: set[str] = set()

    @classmethod
    def clear(cls) -> set[str]:
        names, cls.names = cls.names, set()
        return names


class RecordingArgs(ImmutableMultiDict):
    def __getitem__(self, key):
        Recorder.names.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        Recorder.names.add(key)
        return super().__contains__(key)

    def get(self, key, default=None, type=None):  # noqa: A002 (werkzeug's own signature)
        Recorder.names.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002
        Recorder.names.add(key)
        return super().getlist(key, type)


@pytest.fixture
def app(databases, world_template, tmp_path):
    for portal in world_app(databases, tmp_path):
        request_class = type("RecordingRequest", (portal.request_class,),
                             {"parameter_storage_class": RecordingArgs})
        portal.request_class = request_class
        yield portal


def get_routes(app, world: World) -> list[str]:
    """A URL for each GET route of the URL map, its ids those of World's rows."""
    values = world.values()
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        arguments = {}
        for name in rule.arguments:
            if name == "what":
                arguments[name] = "users"
            else:
                arguments[name] = values[ARGUMENTS[name]] if name in ARGUMENTS else 1
        urls.append(rule.build(arguments, append_unknown=False)[1])
    return sorted(urls)


def names_read(client, url: str) -> set[str]:
    Recorder.clear()
    client.get(url)
    return Recorder.clear() - {"csrf_token"}


@pytest.mark.parametrize("username", ROLES, ids=lambda name: name or "visitor")
def test_no_query_string_value_is_a_server_error(app, world, login, username):
    client = login(username) if username else PortalClient(app.test_client())
    failures, found = [], set()
    for url in get_routes(app, world):
        names = names_read(client, url)
        found |= names
        for name in sorted(names):
            for value in HOSTILE:
                response = client.get(f"{url}?{urlencode({name: value})}")
                if response.status_code >= 500:
                    failures.append((url, name, value[:30], response.status_code))
    assert ROLES[username] <= found, ROLES[username] - found
    assert failures == []


@pytest.mark.parametrize(("text", "value"), [
    ("7", 7), ("007", 7), (str(ID_MAX), ID_MAX), (str(ID_MAX + 1), None), ("0", None),
    ("-1", None), ("+1", None), (" 7", None), ("7 ", None), ("٣", None), ("²", None),
    ("1" * 5000, None), ("", None), ("1_000", None),
])
def test_a_query_string_number_is_ascii_digits_within_id_max(text, value):
    assert number({"page": text}, "page") == value
    assert number({}, "page") is None
