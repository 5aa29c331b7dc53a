"""The launcher's preload: every listed module exists and imports, quietly, before the server starts."""
from __future__ import annotations

import os
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_preload_imports_every_listed_module_without_runtime_warnings():
    code = ("import sys; from monitor.app.serve import PRELOAD, preload; preload(); "
            "missing = [m for m in PRELOAD if m not in sys.modules]; print('missing', missing)")
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "missing []" in p.stdout
    assert "No runtime found" not in p.stderr + p.stdout
    # every project module the entrypoint and the pages import is among them, so the first script run of a
    # process imports none of them
    from monitor.app.serve import PRELOAD
    scripts = [ROOT / "app.py", *(ROOT / "pages").glob("*.py")]
    imported = set()
    for path in scripts:
        for line in path.read_text(encoding="utf-8").splitlines():
            words = line.split()
            if words[:1] == ["from"] and words[1].startswith("monitor.") and words[2] == "import":
                package = words[1]
                if importlib.util.find_spec(package).submodule_search_locations is None:
                    imported.add(package)  # names imported from a module
                    continue
                for name in line.split(" import ", 1)[1].split(","):
                    module = f"{package}.{name.split(' as ')[0].strip()}"
                    imported.add(module if importlib.util.find_spec(module) else package)
    assert len(imported) > 10
    writers = {"monitor.report.docx", "monitor.report.pdf", "monitor.report.xlsx"}  # loaded by Bericht on demand
    assert sorted(imported - set(PRELOAD) - writers) == []


def _malloc_probe(env_value: str | None) -> str:
    """In a fresh interpreter: tune_malloc()'s answer, and whether 2 MiB freed in a thread go back to the system
    (resident memory after the free minus before the allocation, MiB, from /proc/self/statm)."""
    code = """
import ctypes, os, threading
from monitor.app.serve import tune_malloc
ok = tune_malloc()
page = os.sysconf("SC_PAGE_SIZE")
rss = lambda: int(open("/proc/self/statm").read().split()[1]) * page / 2**20
libc = ctypes.CDLL("libc.so.6"); libc.malloc.restype = ctypes.c_void_p; libc.free.argtypes = [ctypes.c_void_p]
out = {}
def work():
    before = rss()
    ptrs = [libc.malloc(64 * 1024) for _ in range(32)]  # 2 MiB in 64 KiB blocks, below any mmap threshold
    for p in ptrs: ctypes.memset(p, 1, 64 * 1024)
    for p in ptrs: libc.free(p)
    out["kept"] = rss() - before
t = threading.Thread(target=work); t.start(); t.join()
print(ok, round(out["kept"], 1))
"""
    env = {k: v for k, v in os.environ.items() if k != "REGIONALMONITOR_MALLOC"}
    if env_value is not None:
        env["REGIONALMONITOR_MALLOC"] = env_value
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)
    assert p.returncode == 0, p.stderr
    return p.stdout.split()


def test_tuned_allocator_gives_freed_memory_back_and_can_be_switched_off():
    ok, kept = _malloc_probe(None)
    assert ok == "True"
    assert float(kept) < 1.0  # freed at once: the trim threshold is 128 KiB
    ok, kept = _malloc_probe("default")
    assert ok == "False"
    assert float(kept) >= 1.5  # glibc's default keeps it (trim threshold 128 KiB grows, thread arena keeps top)


def _arrow_pool(env: dict) -> list[str]:
    """In a fresh interpreter with ``env`` added: arrow_on_malloc()'s answer and pyarrow's default pool after it."""
    code = """
from monitor.app.serve import arrow_on_malloc
import pyarrow
print(arrow_on_malloc(), pyarrow.default_memory_pool().backend_name)
"""
    clean = {k: v for k, v in os.environ.items() if k not in ("REGIONALMONITOR_MALLOC", "ARROW_DEFAULT_MEMORY_POOL")}
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                       env={**clean, **env})
    assert p.returncode == 0, p.stderr
    return p.stdout.split()


def test_arrow_allocates_through_malloc_unless_switched_off():
    assert _arrow_pool({}) == ["True", "system"]
    ok, bundled = _arrow_pool({"REGIONALMONITOR_MALLOC": "default"})
    assert ok == "False" and bundled != "system"  # pyarrow's own choice (mimalloc or jemalloc) stays
    assert _arrow_pool({"ARROW_DEFAULT_MEMORY_POOL": bundled}) == ["False", bundled]  # the operator's choice wins


def test_direct_run_check_is_settled_before_the_first_element():
    """Streamlit's REPL / direct-run check (inspect.stack at the first element) is marked done by the launcher:
    afterwards the first element of the process does not call env_util.is_repl."""
    code = """
from streamlit import env_util, delta_generator
calls = []
original = env_util.is_repl
env_util.is_repl = lambda: calls.append(1) or original()
from monitor.app.serve import skip_direct_run_check
print('flag', skip_direct_run_check())
delta_generator._maybe_print_use_warning()
print('calls', len(calls))
"""
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "flag True" in p.stdout and "calls 0" in p.stdout


def test_heap_frozen_after_preload_so_a_full_collection_walks_few_objects():
    """After the preload, freeze_heap() puts the libraries' objects into the permanent generation: a full
    collection then sees only objects made later (counted, not timed), and main() freezes right after the
    preload, before the server starts."""
    code = """
import gc
from monitor.app.serve import preload, freeze_heap
preload()
before = len(gc.get_objects())
frozen = freeze_heap()
import plotly.graph_objects as go
figures = [go.Figure(go.Scatter(x=[1, 2], y=[3, 4])) for _ in range(3)]
print(before, frozen, len(gc.get_objects()))
"""
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    before, frozen, after = (int(x) for x in p.stdout.split())
    assert frozen >= 0.9 * before  # nearly everything the preload made is frozen
    assert after < before / 5  # what a collection still walks: the objects made after the freeze
    assert 0 < after

    import monitor.app.serve as serve
    calls = []
    originals = {name: getattr(serve, name) for name in ("tune_malloc", "arrow_on_malloc", "preload",
                                                          "freeze_heap", "skip_direct_run_check")}
    cli_main = serve.cli.main
    argv, uses_pages = sys.argv[:], serve.PagesManager.uses_pages_directory
    try:
        for name in originals:
            setattr(serve, name, lambda name=name: calls.append(name))
        serve.cli.main = lambda: calls.append("server") or 0
        assert serve.main([]) == 0
    finally:
        for name, f in originals.items():
            setattr(serve, name, f)
        serve.cli.main = cli_main
        sys.argv, serve.PagesManager.uses_pages_directory = argv, uses_pages
    assert calls.index("preload") < calls.index("freeze_heap") < calls.index("server")
    assert calls.index("tune_malloc") < calls.index("arrow_on_malloc") < calls.index("preload")


def test_close_metrics_answers_404(monkeypatch):
    """The launcher replaces Streamlit's metrics route with one that answers 404 (GET and OPTIONS); the real
    server is checked in tests/browser/test_third_party.py."""
    import asyncio

    from streamlit.web.server.starlette import starlette_app

    from monitor.app import serve

    monkeypatch.setattr(starlette_app, "create_metrics_routes", starlette_app.create_metrics_routes)  # undone after
    assert serve.close_metrics()
    (route,) = starlette_app.create_metrics_routes(None, "")
    assert route.path == "/_stcore/metrics" and {"GET", "OPTIONS"} <= route.methods
    response = asyncio.run(route.endpoint(None))
    assert response.status_code == 404 and b"sessions" not in response.body

# ---------------------------------------------------------------- where the server listens (issue #16)
def _serve(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m monitor.app.serve args`` with no secrets file (``--secrets.files`` pointing nowhere, so a
    developer's own .streamlit/secrets.toml does not count); a refusal ends it within seconds."""
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("REGIONALMONITOR_OEFFENTLICH", "STREAMLIT_SERVER_ADDRESS")}
    return subprocess.run([sys.executable, "-m", "monitor.app.serve", "--server.headless", "true",
                           "--secrets.files", "/nonexistent/secrets.toml", *args],
                          cwd=ROOT, env={**environment, **(env or {})}, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args, env", [
    (("--server.address", "0.0.0.0"), {}),
    (("--server.address=192.168.10.5",), {}),
    (("--server.address", "::"), {}),
    ((), {"STREAMLIT_SERVER_ADDRESS": "0.0.0.0"}),
])
def test_serve_refuses_a_non_local_address_without_sign_in(args, env):
    p = _serve(*args, "--server.port", "1", env=env)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "Regionalmonitor startet nicht" in p.stderr and "keine Anmeldung eingerichtet" in p.stderr
    assert "--oeffentlich" in p.stderr  # the message names the way out
    assert "Traceback" not in p.stderr


def _check(args: list[str], secrets_text: str | None, tmp_path, environ: dict | None = None):
    from monitor.app import serve

    path = tmp_path / "secrets.toml"
    if secrets_text is not None:
        path.write_text(secrets_text, encoding="utf-8")
    environ = {} if environ is None else environ
    return serve.listen_check([*args, "--secrets.files", str(path)], environ)


COMPLETE = """
[auth]
redirect_uri = "https://monitor.example.invalid/oauth2callback"
cookie_secret = "0123456789abcdefghijklmnopqrstuvwxyz"
client_id = "regionalmonitor"
client_secret = "geheim"
server_metadata_url = "https://login.example.invalid/.well-known/openid-configuration"
[regionalmonitor.groups]
"GG-K" = "kompetenzstelle"
"""


def test_serve_listens_locally_unless_told_otherwise(tmp_path):
    args, refusal = _check([], None, tmp_path)
    assert refusal == "" and args[-2:] == ["--server.address", "127.0.0.1"]
    args, refusal = _check(["--server.address", "127.0.0.1"], None, tmp_path)
    assert refusal == "" and args.count("--server.address") == 1


def test_serve_allows_any_address_with_sign_in_or_as_public_instance(tmp_path):
    assert _check(["--server.address", "0.0.0.0"], COMPLETE, tmp_path)[1] == ""
    environ = {}
    args, refusal = _check(["--oeffentlich", "--server.address", "0.0.0.0"], None, tmp_path, environ)
    assert refusal == "" and "--oeffentlich" not in args  # the launcher's flag is not Streamlit's
    assert environ["REGIONALMONITOR_OEFFENTLICH"] == "1"  # the app reads it: everyone is Partner
    assert _check(["--server.address", "0.0.0.0"], None, tmp_path, {"REGIONALMONITOR_OEFFENTLICH": "1"})[1] == ""


@pytest.mark.parametrize("secrets_text, words", [
    (COMPLETE.replace('client_id = "regionalmonitor"', ""), "client_id fehlt"),
    (COMPLETE.replace('"GG-K" = "kompetenzstelle"', '"GG-K" = "chef"'), "unbekannte Rolle „chef“"),
    (COMPLETE.split("[regionalmonitor.groups]")[0], "niemand bekäme eine Rolle"),
    ((ROOT / ".streamlit" / "secrets.example.toml").read_text(encoding="utf-8"), "Platzhalter"),
    ("[auth\nkaputt", "nicht lesbar"),
])
def test_serve_refuses_incomplete_sign_in_settings_on_any_address(tmp_path, secrets_text, words):
    refusal = _check([], secrets_text, tmp_path)[1]
    assert words in refusal, refusal
