"""Load from a second process: wrk (Debian's `wrk`) when installed, else a Python load generator in a
child process (one keep-alive connection per thread). Every response must be 200: a page that answers
with a redirect or an error would be measured fast and wrong."""

import http.client
import json
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time

WRK = shutil.which("wrk")
TOOL = "wrk" if WRK else "python"


def ready(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def get(port: int, path: str, cookie: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def _seconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60}[unit]


MIN_REQUESTS = 16


def measure(port: int, path: str, cookie: str, duration: float, connections: int) -> dict:
    """{"rps", "p50_ms", "requests"}: throughput and median latency of `path` under `connections`. A
    page too slow to complete MIN_REQUESTS in `duration` is measured again for long enough."""
    status, body = get(port, path, cookie)  # check, and warm the workers' caches
    if status != 200:
        raise SystemExit(f"{path}: HTTP {status} (expected 200)")
    get(port, path, cookie)
    result = _measure(port, path, cookie, duration, connections)
    if result["requests"] < MIN_REQUESTS:
        seconds = 1 / result["rps"] if result["rps"] else duration
        longer = min(max(duration * 3, MIN_REQUESTS * seconds * 1.5), 120)
        result = _measure(port, path, cookie, longer, connections)
    return result


def _measure(port: int, path: str, cookie: str, duration: float, connections: int) -> dict:
    if WRK:
        out = subprocess.run(
            [WRK, "-t", "2", "-c", str(connections), "-d", f"{max(int(duration), 1)}s", "--timeout", "60s",
             "--latency", "-H", f"Cookie: sessionid={cookie}", f"http://127.0.0.1:{port}{path}"],
            capture_output=True, text=True, check=True).stdout
        if "Non-2xx" in out:
            raise SystemExit(f"{path}: non-2xx responses under load\n{out}")
        try:
            rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
            # The latency distribution's line "    50%   12.34ms" (not a "68.50%" of the thread stats).
            p50 = _seconds(re.search(r"^\s*50%\s+(\S+)\s*$", out, re.MULTILINE).group(1)) * 1000
            requests = int(re.search(r"(\d+) requests in", out).group(1))
        except (AttributeError, ValueError) as exc:
            raise SystemExit(f"{path}: unreadable wrk output ({exc})\n{out}") from exc
        return {"rps": rps, "p50_ms": p50, "requests": requests}
    out = subprocess.run([sys.executable, "-m", "cpaudit.bench.load", str(port), path, cookie, str(duration),
                          str(connections)], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def _python_load(port: int, path: str, cookie: str, duration: float, connections: int) -> dict:
    latencies: list[float] = []
    errors: list[int] = []
    deadline = time.perf_counter() + duration

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
            latencies.append(time.perf_counter() - start)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{path}: HTTP {errors[0]} under load")
    return {"rps": len(latencies) / elapsed, "p50_ms": statistics.median(latencies) * 1000,
            "requests": len(latencies)}


if __name__ == "__main__":
    port, path, cookie, duration, connections = sys.argv[1:6]
    print(json.dumps(_python_load(int(port), path, cookie, float(duration), int(connections))))
