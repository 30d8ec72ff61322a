#!/usr/bin/env python3
"""Kill-and-restart check for `dh serve`.

Submits tasks over the Kling API while the server is killed with SIGKILL at random moments (during
uploads, renders, encoding and callback delivery) and restarted on the same database and media
directory. At the end every accepted task must reach a final state exactly once, every succeeded
task's MP4 must be whole (probed with ffprobe after downloading it over HTTP), each final status
must have been called back, and the ledger must balance: the key's balance drops by exactly the
sum of the succeeded tasks' charges and nothing else.

Usage: kill_restart.py --dh BUILD/src/cli/dh --data tests/data [--kills 50] [--seed 1]
Exit status 0 when every check holds; prints a summary either way.
"""
import argparse
import base64
import http.server
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CallbackSink(http.server.ThreadingHTTPServer):
    """Records every callback body it receives."""

    def __init__(self):
        self.received = []
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with outer.lock:
                    outer.received.append(json.loads(body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)


class Server:
    def __init__(self, args, work, port, log):
        self.cmd = [args.dh, "serve", "--port", str(port), "--db", f"{work}/dh.sqlite",
                    "--media-dir", f"{work}/media", "--workers", "2", "--lease-seconds", "2",
                    "--max-attempts", "3", "--callback-retry-base-ms", "200",
                    "--allow-fetch-from", "127.0.0.0/8", "--allow-callback-to", "127.0.0.0/8",
                    "--log-level", "warn"]
        self.port = port
        self.log = log
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(self.cmd, stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1).read()
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.05)
        raise RuntimeError("server did not become healthy")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


def request(port, key, method, path, body=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                 headers={"Authorization": f"Bearer {key}",
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dh", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    work = tempfile.mkdtemp(prefix="dh-kill-")
    log = open(f"{work}/server.log", "ab")
    created = json.loads(subprocess.check_output(
        [args.dh, "keys", "--db", f"{work}/dh.sqlite", "create", "--name", "chaos",
         "--balance", "100000", "--json"], stderr=subprocess.DEVNULL))
    key, initial_balance = created["api_key"], float(created["balance"])

    face = base64.b64encode(open(f"{args.data}/faces/02_grace_hopper.jpg", "rb").read()).decode()
    voice = base64.b64encode(
        open(f"{args.data}/speech/en_m_librivox_0870.wav", "rb").read()).decode()
    sink = CallbackSink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    callback_url = f"http://127.0.0.1:{sink.server_address[1]}/hook"

    port = free_port()
    server = Server(args, work, port, log)
    accepted = []
    accepted_lock = threading.Lock()
    refused_or_lost = 0

    def submit(n):
        nonlocal refused_or_lost
        try:
            reply = request(port, key, "POST", "/v1/videos/avatar/image2video",
                            {"image": face, "sound_file": voice, "mode": "std",
                             "callback_url": callback_url, "external_task_id": f"chaos-{n}"})
            if reply.get("code") == 0:
                with accepted_lock:
                    accepted.append(reply["data"]["task_id"])
                return
        except (urllib.error.URLError, ConnectionError, OSError, ValueError):
            pass
        with accepted_lock:
            refused_or_lost += 1

    started = time.time()
    submitted = 0
    for kill in range(args.kills):
        server.start()
        threads = []
        for _ in range(rng.randint(1, 3)):
            t = threading.Thread(target=submit, args=(submitted,))
            submitted += 1
            t.start()
            threads.append(t)
            time.sleep(rng.uniform(0.0, 0.3))
        # Let work reach a random point: upload, render, encode or callback delivery.
        time.sleep(rng.uniform(0.1, 3.0))
        server.kill()
        for t in threads:
            t.join()

    # Final run: no more kills; every accepted task must settle.
    server.start()
    final = {}
    deadline = time.time() + 900
    while time.time() < deadline:
        pending = 0
        for task_id in accepted:
            if task_id in final:
                continue
            data = request(port, key, "GET", f"/v1/videos/avatar/image2video/{task_id}")["data"]
            if data["task_status"] in ("succeed", "failed"):
                final[task_id] = data
            else:
                pending += 1
        if pending == 0:
            break
        time.sleep(1)
    time.sleep(3)  # let the last callbacks go out

    problems = []
    lost = [t for t in accepted if t not in final]
    if lost:
        problems.append(f"{len(lost)} accepted tasks never reached a final state")
    succeeded = [d for d in final.values() if d["task_status"] == "succeed"]
    failed = [d for d in final.values() if d["task_status"] == "failed"]
    truncated = 0
    for data in succeeded:
        url = data["task_result"]["videos"][0]["url"]
        path = f"{work}/check.mp4"
        with urllib.request.urlopen(url, timeout=30) as resp, open(path, "wb") as out:
            out.write(resp.read())
        probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration",
                                "-of", "csv=p=0", path], capture_output=True, text=True)
        ok = probe.returncode == 0 and probe.stdout.strip() and \
            abs(float(probe.stdout.strip()) - 7.1) < 0.2
        decode = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "null", "-"],
                                capture_output=True, text=True)
        if not ok or decode.returncode != 0 or decode.stderr.strip():
            truncated += 1
    if truncated:
        problems.append(f"{truncated} succeeded tasks have a damaged MP4")

    ledger = [json.loads(line) for line in subprocess.check_output(
        [args.dh, "keys", "--db", f"{work}/dh.sqlite", "ledger", "chaos"],
        stderr=subprocess.DEVNULL).decode().splitlines() if line.strip()]
    charges = {}
    for entry in ledger:
        if entry["kind"] == "charge":
            charges.setdefault(entry["task_id"], []).append(entry["units"])
    double = [t for t, c in charges.items() if len(c) > 1]
    if double:
        problems.append(f"{len(double)} tasks charged more than once")
    charged_failed = [d["task_id"] for d in failed if d["task_id"] in charges]
    if charged_failed:
        problems.append(f"{len(charged_failed)} failed tasks were charged")
    expected_spend = sum(float(d["final_unit_deduction"]) for d in succeeded)
    balance = ledger[-1]["balance_after"] if ledger else initial_balance
    if abs((initial_balance - balance) - expected_spend) > 1e-6:
        problems.append(f"ledger does not balance: spent {initial_balance - balance:.3f}, "
                        f"succeeded tasks cost {expected_spend:.3f}")

    with sink.lock:
        finals_called = {(b.get("task_id"), b.get("task_status")) for b in sink.received}
    missing_callbacks = [t for t, d in final.items() if (t, d["task_status"]) not in finals_called]
    if missing_callbacks:
        problems.append(f"{len(missing_callbacks)} final statuses were never called back")
    server.kill()

    summary = {
        "kills": args.kills, "submitted": submitted, "accepted": len(accepted),
        "not_accepted_or_reply_lost": refused_or_lost, "succeeded": len(succeeded),
        "failed": len(failed), "lost": len(lost), "double_charged": len(double),
        "damaged_mp4": truncated, "callbacks_received": len(sink.received),
        "seconds": round(time.time() - started, 1),
        "failure_reasons": sorted({d["task_status_msg"] for d in failed}),
        "problems": problems,
    }
    print(json.dumps(summary, indent=2))
    if not args.keep:
        subprocess.run(["rm", "-rf", work])
    else:
        print(f"work directory: {work}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
