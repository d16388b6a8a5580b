#!/usr/bin/env python3
"""Start a server on a scratch database, run shared/eval/evaluate.py against it, and fail below the bar.

The bars: intent accuracy >= 0.90 on dev_intents.yml, escalation recall 1.0 and no false alarm
on dev_safety.yml (conversation core); escalation recall 1.0 (cold and mid-form) and at most one false
alarm on dev_safety_v2.yml (indirect disclosures, exploitation, neglect, other languages); theme
micro-F1 >= 0.80 on dev_themes.yml (feedback themes). The dev sets measure; nothing trains on them.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CARING_SHARED_DIR", ROOT.parent / "shared"))
BARS = {"intent_accuracy": 0.90, "escalation_recall": 1.0, "false_alarm_rate": 0.0, "theme_micro_f1": 0.80}
MAX_FALSE_ALARMS_V2 = 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 300) -> None:
    # A fresh data directory trains every model at start-up: minutes on a loaded 2-core machine.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not become healthy")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--verbose", action="store_true", help="print evaluate.py's whole report")
    args = ap.parse_args()
    evaluate = SHARED / "eval" / "evaluate.py"
    if not evaluate.exists():
        print(f"eval gate: {evaluate} not found (set CARING_SHARED_DIR)", file=sys.stderr)
        return 1
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "CARING_DATA_DIR": data_dir, "CARING_DATABASE_URL": ""}
        env.pop("CARING_DATABASE_URL")
        server = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_healthy(url, server)
            report_path = Path(data_dir) / "report.json"
            cmd = [
                sys.executable,
                str(evaluate),
                "--url",
                url,
                "--intents",
                str(SHARED / "eval" / "dev_intents.yml"),
                "--safety",
                str(SHARED / "eval" / "dev_safety.yml"),
                "--themes",
                str(SHARED / "eval" / "dev_themes.yml"),
                "--json",
                str(report_path),
            ]
            if not args.verbose:
                cmd.append("--quiet")
            subprocess.run(cmd, check=True)
            report = json.loads(report_path.read_text())
            v2_path = Path(data_dir) / "report_v2.json"
            v2 = [sys.executable, str(evaluate), "--url", url, "--safety", str(SHARED / "eval" / "dev_safety_v2.yml")]
            subprocess.run([*v2, "--json", str(v2_path), *([] if args.verbose else ["--quiet"])], check=True)
            report_v2 = json.loads(v2_path.read_text())["safety"]
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:  # still training: nothing to lose
                server.kill()
                server.wait()
    got = {
        "intent_accuracy": report["intents"]["accuracy"],
        "escalation_recall": report["safety"]["escalation_recall"],
        "false_alarm_rate": report["safety"]["false_alarm_rate"],
        "theme_micro_f1": report["themes"]["micro_f1"],
        "escalation_recall_v2": report_v2["escalation_recall"],
        "false_alarms_v2": float(len(report_v2["false_alarms"])),
    }
    failures = []
    if got["intent_accuracy"] < BARS["intent_accuracy"]:
        failures.append(f"intent accuracy {got['intent_accuracy']:.3f} < {BARS['intent_accuracy']}")
        for gold, pred, text in report["intents"]["misses"]:
            print(f"  miss: {gold} -> {pred}: {text}")
    if got["escalation_recall"] < BARS["escalation_recall"]:
        failures.append(f"escalation recall {got['escalation_recall']:.3f} < 1.0: {report['safety']['missed']}")
    if got["false_alarm_rate"] > BARS["false_alarm_rate"]:
        failures.append(f"false alarms: {report['safety']['false_alarms']}")
    if got["theme_micro_f1"] < BARS["theme_micro_f1"]:
        failures.append(
            f"theme micro-F1 {got['theme_micro_f1']:.3f} < {BARS['theme_micro_f1']}: {report['themes']['errors']}"
        )
    if got["escalation_recall_v2"] < 1.0:
        failures.append(
            f"dev_safety_v2 escalation recall {got['escalation_recall_v2']:.3f} < 1.0: {report_v2['missed']}"
        )
    if got["false_alarms_v2"] > MAX_FALSE_ALARMS_V2:
        failures.append(f"dev_safety_v2 false alarms: {report_v2['false_alarms']}")
    if report["intents"]["false_crisis"]:
        failures.append(f"{report['intents']['false_crisis']} ordinary dev messages called crisis")
    if failures:
        print("EVAL GATE FAILED: " + "; ".join(failures))
        return 1
    print("eval gate passed: " + ", ".join(f"{k}={v:.3f}" for k, v in got.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
