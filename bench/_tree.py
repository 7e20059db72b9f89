"""Run a command and measure its whole process tree: wall time, CPU (user + system of the
process and every descendant it waited for), and peak resident memory of the tree.

Peak RSS of the tree is the largest sum of the resident sizes of all its live processes,
sampled every 50 ms from /proc (Linux), and never less than the largest single process's own
peak (VmHWM, read at each sample), which catches a peak shorter than a sample.
"""

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.05


@dataclass
class Measured:
    wall: float
    user: float
    system: float
    peak_rss_mib: float
    returncode: int
    stdout: str
    stderr: str

    @property
    def cpu(self) -> float:
        return self.user + self.system


def _processes() -> dict[int, tuple[int, int]]:
    """pid → (parent pid, resident bytes) of every process."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: fields start after the last ")".
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[1]), int(fields[21]) * PAGE_BYTES)
    return found


def tree_rss(root: int) -> tuple[int, dict[int, int]]:
    """Resident bytes of the tree now, and each member's own peak (VmHWM) so far."""
    processes = _processes()
    children: dict[int, list[int]] = {}
    for pid, (parent, _rss) in processes.items():
        children.setdefault(parent, []).append(pid)
    total, stack, peaks = 0, [root], {}
    while stack:
        pid = stack.pop()
        total += processes.get(pid, (0, 0))[1]
        peaks[pid] = _high_water_mark(pid)
        stack.extend(children.get(pid, []))
    return total, peaks


def _high_water_mark(pid: int) -> int:
    """The process's peak resident size since its exec (unlike ru_maxrss, which keeps the
    forking parent's size from before the exec)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Measured:
    """Run `command` to its end and measure it (its output is captured to files, so a
    chatty child cannot block on a full pipe)."""
    out_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"tree-{os.getpid()}-{time.time_ns()}"
    with open(f"{out_path}.out", "w+") as out, open(f"{out_path}.err", "w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err)
        peak = 0
        own_peaks: dict[int, int] = {}
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                now, peaks = tree_rss(process.pid)
                peak = max(peak, now)
                for pid, value in peaks.items():
                    own_peaks[pid] = max(own_peaks.get(pid, 0), value)
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    for suffix in (".out", ".err"):
        Path(f"{out_path}{suffix}").unlink()
    return Measured(
        wall=wall,
        user=usage.ru_utime,
        system=usage.ru_stime,
        peak_rss_mib=max(peak, *own_peaks.values(), 0) / 2**20,
        returncode=process.returncode,
        stdout=stdout,
        stderr=stderr,
    )
