"""`qa serve` and `make run`: where it listens, and a port already taken."""

import socket
import subprocess
import sys
from pathlib import Path

from ..conftest import ROOT

QA = Path(sys.executable).with_name("qa")


def test_a_taken_port_is_refused_in_one_line_saying_how_to_choose_another(index_copy):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run(
            [str(QA), "serve", "--port", str(port), "--index-dir", str(index_copy)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert run.returncode == 2
    assert run.stderr == (
        f"qa: port {port} on 127.0.0.1 is already in use: choose another with "
        "`qa serve --port N` (or `make run PORT=N`)\n"
    )


def test_make_run_takes_the_port_and_host():
    plan = subprocess.run(
        ["make", "-n", "-o", "index", "run", "PORT=8001", "HOST=0.0.0.0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "qa serve --host 0.0.0.0 --port 8001" in plan
