"""What the tests share, imported like a library (`from .support.clients import PortalClient`);
pytest's fixtures stay in the conftest.py files, which take what they need from here too. Each
module says what it offers: the portal under test (apps), its databases (databases), clients of it
(clients), what it recorded read back (records), the demo work and directives the tests build on
(progress, directives, world, forms), reading its pages (pages), counting its SQL statements
(statements) and serving it with gunicorn (servers), both of which bench/ uses too, pytest marks
(marks) and the browser tests' helpers (browser). Nothing here imports a test module or a
conftest."""
