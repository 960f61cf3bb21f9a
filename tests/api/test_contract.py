"""schemathesis over every operation of a running `qa serve`, with the write token: each
response must be one the OpenAPI document allows (status, body, headers, Allow), no 5xx,
and a created article must be readable and a deleted one gone."""

import subprocess
import sys
from pathlib import Path

import httpx

from ..conftest import running_server

ST = Path(sys.executable).with_name("st")
CONFIG = Path(__file__).with_name("schemathesis.toml")
TOKEN = "contract-token"
ARTICLE = (
    "Lantern regatta on Lake Glimmerfen\n\n"
    "More than two hundred lantern boats crossed Lake Glimmerfen on Saturday night, "
    "the organisers said.\n"
)


def test_the_server_keeps_its_openapi_contract(index_copy, tmp_path):
    with running_server(index_copy, QA_API_TOKEN=TOKEN) as base:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        # The first write loads the embedding model and the entity recogniser; after it, a
        # write embeds and reads only its own text, but on a busy 2-core machine that can
        # pass schemathesis's default 10 s, so its limit is 60 s.
        warm = httpx.post(f"{base}/documents", json={"text": ARTICLE}, headers=auth, timeout=120)
        assert warm.status_code == 201
        run = subprocess.run(
            [str(ST), "--config-file", str(CONFIG), "run", f"{base}/openapi.json"]
            + ["-H", f"Authorization: Bearer {TOKEN}", "--checks", "all"]
            + ["--max-examples", "50", "--workers", "1", "--seed", "12", "--no-color"]
            + ["--request-timeout", "60"],
            capture_output=True,
            text=True,
            cwd=tmp_path,  # its caches stay out of the work tree
            timeout=300,
        )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "Selected: 8/8" in run.stdout and "Tested: 8" in run.stdout
    assert "No issues found" in run.stdout
