"""A process of matrix readers, started by tests/test_fragments.py: `THREADS` reviewers of the
portal whose settings are in the environment (PORTAL_*) log in through Flask's test client, wait
until the file `GO` exists, then ask for the matrix `URL` at once; the process prints one line of
JSON: the status of each answer, its fragment's digest (poll tag left out) and what the process's
matrix fragments did (`portal.matrix.fragments.counters`).

    python -m tests.support.matrix_readers URL GO THREADS USERNAME
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import threading
import time
from pathlib import Path

from portal import create_app
from portal.matrix import fragments

from .clients import PortalClient


def main(url: str, go: str, threads: int, username: str) -> None:
    app = create_app()
    clients = []
    for _ in range(threads):
        client = PortalClient(app.test_client())
        assert client.login(username).status_code == 303
        clients.append(client)
    answers: list[tuple[int, str]] = []
    start = threading.Barrier(threads)

    def read(client: PortalClient) -> None:
        start.wait()
        response = client.get(url, htmx=True)
        body = re.sub(r'hx-ptag="[^"]+"', "", response.get_data(as_text=True))
        answers.append((response.status_code, hashlib.sha256(body.encode()).hexdigest()))

    workers = [threading.Thread(target=read, args=(client,)) for client in clients]
    print(json.dumps({"ready": True}), flush=True)
    while not Path(go).exists():
        time.sleep(0.002)
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(json.dumps({"answers": answers, "counters": fragments.counters}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])
