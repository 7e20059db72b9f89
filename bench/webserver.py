"""Serve a generated web (bench/crawlweb.py) on its 127.0.0.x addresses: nginx when it is
installed, else the multi-threaded Python server in bench/_static_server.py.

    with serve(web, prefer="auto") as server:
        print(server.name)  # "nginx 1.22.1" or "python (threaded, …)"

nginx on Debian/Ubuntu: `apt-get install -y nginx-light` (or `nginx`); it is run from its
binary with a configuration written here (no system service, nothing in /etc changed).
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
NGINX_HINT = "apt-get install -y nginx-light (Debian/Ubuntu) or your system's nginx package"


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]


def free_port(addresses: list[str]) -> int:
    """A TCP port free on every one of these addresses."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind((addresses[0], 0))
            port = probe.getsockname()[1]
        if all(_bindable(address, port) for address in addresses[1:]):
            return port
    raise RuntimeError(f"no port free on all of {addresses}")


def _bindable(address: str, port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((address, port))
        except OSError:
            return False
    return True


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.path.exists(p)), None
    )


@contextlib.contextmanager
def serve(
    root: Path, addresses: list[str], port: int, prefer: str = "auto", delay: float = 0.0
) -> Iterator[Server]:
    """Serve root/<address>/ on address:port for each address until the block ends.

    `prefer`: "nginx", "python" or "auto" (nginx if installed). A delay before each answer
    needs the Python server.
    """
    binary = nginx_binary()
    if prefer == "nginx" and binary is None:
        raise SystemExit(f"nginx is not installed: {NGINX_HINT}")
    use_nginx = binary is not None and prefer != "python" and not delay
    if use_nginx:
        assert binary is not None
        server = _start_nginx(binary, root, addresses, port)
    else:
        server = _start_python(root, addresses, port, delay)
    try:
        _wait_listening(addresses, port, server.process)
        yield server
    finally:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def _start_python(root: Path, addresses: list[str], port: int, delay: float) -> Server:
    command = [sys.executable, str(HERE / "_static_server.py"), str(root), str(port), *addresses]
    command += ["--delay", str(delay)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    waits = f", {delay * 1000:.0f} ms before each answer" if delay else ""
    return Server(f"python (ThreadingHTTPServer, HTTP/1.1, ETag + Last-Modified{waits})", process)


def _start_nginx(binary: str, root: Path, addresses: list[str], port: int) -> Server:
    prefix = root.parent / "nginx"
    (prefix / "tmp").mkdir(parents=True, exist_ok=True)
    servers = "\n".join(
        f"  server {{ listen {address}:{port}; root {root / address}; }}" for address in addresses
    )
    # As root, nginx's workers would run as "nobody", who cannot read a private temp dir.
    user = "user root;" if os.geteuid() == 0 else ""
    temp_paths = " ".join(
        f"{kind}_temp_path {prefix / 'tmp' / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"""{user}
worker_processes 1;
daemon off;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{ worker_connections 4096; }}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  sendfile on;
  keepalive_timeout 30;
  keepalive_requests 100000;
  {temp_paths}
{servers}
}}
""",
        encoding="utf-8",
    )
    version = subprocess.run([binary, "-v"], capture_output=True, text=True).stderr.strip()
    process = subprocess.Popen(
        [binary, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
        stdout=subprocess.DEVNULL,
    )
    return Server(f"{version.split(': ')[-1]} (1 worker, sendfile, keep-alive)", process)


def _wait_listening(addresses: list[str], port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    for address in addresses:
        while True:
            if process.poll() is not None:
                raise SystemExit(f"the web server exited with code {process.returncode}")
            with socket.socket() as probe:
                if probe.connect_ex((address, port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"the web server does not listen on {address}:{port}")
            time.sleep(0.05)
