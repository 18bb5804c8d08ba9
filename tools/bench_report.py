"""Write the serving benchmark's report (Markdown) from the raw figures of a tools/bench.sh run.

    python3 tools/bench_report.py .cache/bench/<date>    print the report (tools/bench.sh
                                                         tees it to docs/benchmarks.md)

The run directory holds meta.tsv (key, value), results.tsv (one wrk run per line: round,
configuration, requests, duration and latency in microseconds, error counts, 1-minute load
after the run; absent from a WSGISTACK_BENCH_ONLY=converge run), converge.tsv (stack, phase,
seconds, the recap's ok/changed/skipped/failed/rescued/ignored, the 1-minute load at the end and
at the start) and profile-<stack>-<phase>.tsv (every task's seconds, profile_tasks).
The figures before issue 18 (deploy speed), which every report compares with, are kept here
(BEFORE_*). Only the standard library: the report can be rewritten wherever the raw figures are.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

BASELINE = "gunicorn_alone"
STATIC_BASELINE = "static_nginx"
X = "\N{MULTIPLICATION SIGN}"  # as in "1.0 x gunicorn alone"
DASH = "\N{EN DASH}"

LABELS = {
    "gunicorn_alone": f"gunicorn alone: sync, 2 {X} cores + 1 workers, TCP (baseline)",
    "nginx_stack": "**our nginx_gunicorn stack** (defaults)",
    "apache_stack": "**our apache_modwsgi stack** (defaults)",
    "seed004": "seed 004: nginx → gunicorn gevent on 127.0.0.1:9000, max_requests=1000",
    "seed003": "seed 003: mod_wsgi daemon, WSGIDaemonProcess threads=5",
    "seed001": "seed 001: mod_wsgi embedded, WSGIScriptAlias only",
    "static_nginx": "nginx (our nginx_gunicorn stack)",
    "static_apache": "Apache (our apache_modwsgi stack)",
    "static_app": "the app (Flask's static route, gunicorn alone)",
}
DYNAMIC = ["gunicorn_alone", "nginx_stack", "apache_stack", "seed004", "seed003", "seed001"]
STATIC = ["static_nginx", "static_apache", "static_app"]
STACKS = {"nginx_gunicorn": "nginx_gunicorn", "apache_modwsgi": "apache_modwsgi"}
RERUN_TARGET_SECONDS = 20.0
# The converge phases of tools/bench.sh, in the order it runs them.
PHASES = {
    "fresh": "fresh container, `containers.podman`",
    "rerun": "idempotent rerun, `containers.podman`",
    "rerun_pipelined": "idempotent rerun, pipelined podman connection",
    "rerun_ssh": "idempotent rerun over SSH",
    "deploy_code_ssh": "code-only deploy over SSH (`--skip-tags database`)",
}
# Issue 18's targets: module calls per idempotent rerun at least halved, the rerun over SSH
# within 20 s, a code-only deploy over SSH within 30 s.
SSH_RERUN_TARGET_SECONDS = 20.0
CODE_DEPLOY_TARGET_SECONDS = 30.0
# Task results (ok + skipped) of an idempotent rerun before issue 18 that "at least halved" is
# measured against: the issue's own figure for the nginx stack; for the apache stack the before
# run's (BEFORE_CONVERGE), else the published bench of 2026-11-22's.
ISSUE_18_RERUN_TASK_RESULTS = {"nginx_gunicorn": 207}
PUBLISHED_RERUN_TASK_RESULTS = {"nginx_gunicorn": 207, "apache_modwsgi": 211}
NOISE = 1.15  # this machine's run-to-run noise: about ±15 %
# The columns of converge.tsv (tools/bench.sh's converge()).
CONVERGE_COLUMNS = [
    "stack",
    "phase",
    "seconds",
    "ok",
    "changed",
    "skipped",
    "load1",
    "failed",
    "rescued",
    "ignored",
    "load1_start",
    "cpu_controller",
    "cpu_host",
]
# The figures before issue 18 (deploy speed): tools/bench.sh with WSGISTACK_BENCH_ONLY=converge,
# one run per stack, in a git worktree of BEFORE_COMMIT with the bench's files of issue 18 copied
# in, on the machine of the published report. BEFORE_CONVERGE: those runs' converge.tsv lines
# (CONVERGE_COLUMNS, one line each); BEFORE_META: the lines of their meta.tsv the report reads,
# with where_<phase>_<stack> and tasks_<phase>_<stack> (where_time_goes and tasks_by_role of their
# profile files), `runs` (when, how loaded) and `note`. The raw runs (logs, profiles) are not
# kept in the repository.
BEFORE_COMMIT = "5deb43f"
BEFORE_META: dict[str, str] = {
    "podman_exec_seconds_nginx_gunicorn": "0.20",
    "ssh_command_seconds_nginx_gunicorn": "0.024",
    "slowest_rerun_ssh_nginx_gunicorn": (
        "Unpack the app sources where they differ from the archive (2.75 s); nginx_gunicorn : "
        "Enable and start each app's gunicorn (2.62 s); nginx_gunicorn : Rotate each app's "
        "gunicorn access log (2.39 s)"
    ),
    "where_rerun_ssh_nginx_gunicorn": (
        "CPU 44.7 s on this machine (ansible-playbook, its workers, ssh and its "
        "ControlMaster) and 41.8 s in the container (sshd, the modules and what they run), "
        "0.21 s and 0.19 s per task result, in 89.2 s of wall clock on 2 cores shared with "
        "other jobs (1-minute load 3.00 → 2.60); 87.7 s in 219 tasks, 1.5 s in "
        "ansible-playbook's start-up and between tasks; by role: nginx_gunicorn 28.4 s (50 "
        "tasks), virtualenv 20.4 s (90 tasks), postgres_pghba 16.9 s (33 tasks), the "
        "playbooks' own tasks 14.3 s (22 tasks), selinux 4.5 s (21 tasks), fact gathering 3.3 "
        "s (3 tasks)"
    ),
    "tasks_rerun_ssh_nginx_gunicorn": (
        "virtualenv 90, nginx_gunicorn 50, postgres_pghba 33, the playbooks' own tasks 22, "
        "selinux 21, fact gathering 3"
    ),
    "slowest_deploy_code_ssh_nginx_gunicorn": (
        "virtualenv : Install the local projects that changed or are not installed (4.12 s); "
        "Unpack the app sources where they differ from the archive (2.76 s); nginx_gunicorn : "
        "Rotate each app's gunicorn access log (2.22 s)"
    ),
    "where_deploy_code_ssh_nginx_gunicorn": (
        "CPU 33.7 s on this machine (ansible-playbook, its workers, ssh and its "
        "ControlMaster) and 34.5 s in the container (sshd, the modules and what they run), "
        "0.18 s and 0.18 s per task result, in 72.2 s of wall clock on 2 cores shared with "
        "other jobs (1-minute load 2.60 → 3.46); 70.2 s in 190 tasks, 2.0 s in "
        "ansible-playbook's start-up and between tasks; by role: nginx_gunicorn 27.5 s (51 "
        "tasks), virtualenv 21.9 s (90 tasks), the playbooks' own tasks 13.6 s (21 tasks), "
        "selinux 2.8 s (21 tasks), postgres_pghba 2.4 s (5 tasks), fact gathering 2.1 s (2 "
        "tasks)"
    ),
    "tasks_deploy_code_ssh_nginx_gunicorn": (
        "virtualenv 90, nginx_gunicorn 51, the playbooks' own tasks 21, selinux 21, "
        "postgres_pghba 5, fact gathering 2"
    ),
    "podman_exec_seconds_apache_modwsgi": "0.22",
    "ssh_command_seconds_apache_modwsgi": "0.029",
    "slowest_rerun_ssh_apache_modwsgi": (
        "Pack each app's sources on the controller (2.64 s); Unpack the app sources where "
        "they differ from the archive (2.62 s); apache_modwsgi : Write the apps' virtual "
        "hosts (2.59 s)"
    ),
    "where_rerun_ssh_apache_modwsgi": (
        "CPU 47.5 s on this machine (ansible-playbook, its workers, ssh and its "
        "ControlMaster) and 38.0 s in the container (sshd, the modules and what they run), "
        "0.22 s and 0.17 s per task result, in 88.4 s of wall clock on 2 cores shared with "
        "other jobs (1-minute load 2.78 → 2.43); 86.1 s in 219 tasks, 2.3 s in "
        "ansible-playbook's start-up and between tasks; by role: apache_modwsgi 29.7 s (50 "
        "tasks), postgres_pghba 19.4 s (33 tasks), virtualenv 16.0 s (90 tasks), the "
        "playbooks' own tasks 14.2 s (22 tasks), selinux 3.4 s (21 tasks), fact gathering 3.3 "
        "s (3 tasks)"
    ),
    "tasks_rerun_ssh_apache_modwsgi": (
        "virtualenv 90, apache_modwsgi 50, postgres_pghba 33, the playbooks' own tasks 22, "
        "selinux 21, fact gathering 3"
    ),
    "slowest_deploy_code_ssh_apache_modwsgi": (
        "virtualenv : Install the local projects that changed or are not installed (10.65 s); "
        "Unpack the app sources where they differ from the archive (5.26 s); apache_modwsgi : "
        "Write the .wsgi entry points (4.19 s)"
    ),
    "where_deploy_code_ssh_apache_modwsgi": (
        "CPU 47.1 s on this machine (ansible-playbook, its workers, ssh and its "
        "ControlMaster) and 43.0 s in the container (sshd, the modules and what they run), "
        "0.25 s and 0.23 s per task result, in 130.2 s of wall clock on 2 cores shared with "
        "other jobs (1-minute load 2.55 → 4.14); 126.7 s in 190 tasks, 3.5 s in "
        "ansible-playbook's start-up and between tasks; by role: apache_modwsgi 47.2 s (51 "
        "tasks), virtualenv 40.9 s (90 tasks), the playbooks' own tasks 28.8 s (21 tasks), "
        "selinux 4.0 s (21 tasks), postgres_pghba 2.9 s (5 tasks), fact gathering 2.9 s (2 "
        "tasks)"
    ),
    "tasks_deploy_code_ssh_apache_modwsgi": (
        "virtualenv 90, apache_modwsgi 51, the playbooks' own tasks 21, selinux 21, "
        "postgres_pghba 5, fact gathering 2"
    ),
    "cores": "2",
    "runs": (
        "2026-12-07 21:10 UTC, `WSGISTACK_BENCH_ONLY=converge bash tools/bench.sh` "
        "(nginx_gunicorn then apache_modwsgi; load average, 1 5 15 min, before the run 0.44 "
        "1.56 2.41, at its end 4.14 3.38 3.17; 27 min)"
    ),
    "note": (
        "Two earlier runs of the same bench at 5deb43f on 2026-12-07 (before it counted CPU) "
        "measured, for nginx_gunicorn at 20:37 UTC (1-minute load 3.37 to 4.54), 133.3 s for the "
        "rerun over SSH and 123.5 s for the code-only deploy, and for apache_modwsgi at 20:54 "
        "UTC (1-minute load 2.18 to 4.93) 90.6 s and 81.9 s, with the same task results: on this "
        "machine a phase's seconds move with the load by as much as half."
    ),
}
BEFORE_CONVERGE: list[str] = [
    "nginx_gunicorn fresh 385.9 152 40 72 4.85 0 0 0 0.56 115.3 144.5",
    "nginx_gunicorn rerun 249.8 129 0 88 3.84 0 0 0 4.85 93.9 56.5",
    "nginx_gunicorn rerun_pipelined 73.2 129 0 88 3.08 0 0 0 3.84 71.1 0.4",
    "nginx_gunicorn rerun_ssh 89.2 129 0 88 2.60 0 0 0 3.00 44.7 41.8",
    "nginx_gunicorn deploy_code_ssh 72.2 118 6 72 3.46 0 0 0 2.60 33.7 34.5",
    "apache_modwsgi fresh 272.4 143 35 79 4.74 0 0 0 3.26 99.4 143.3",
    "apache_modwsgi rerun 162.8 126 0 92 3.49 0 0 0 4.74 79.1 44.2",
    "apache_modwsgi rerun_pipelined 72.0 126 0 92 2.64 0 0 0 3.49 70.4 0.5",
    "apache_modwsgi rerun_ssh 88.4 126 0 92 2.43 0 0 0 2.78 47.5 38.0",
    "apache_modwsgi deploy_code_ssh 130.2 115 6 76 4.14 0 0 0 2.55 47.1 43.0",
]


@dataclass
class Run:
    round: int
    config: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    connect: int
    read: int
    write: int
    timeout: int
    status: int
    load1: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


@dataclass
class Ratio:
    median: float
    low: float
    high: float

    def text(self, digits: int = 2) -> str:
        return f"{self.median:.{digits}f} ({self.low:.{digits}f}{DASH}{self.high:.{digits}f})"


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def read_meta(path: Path) -> dict[str, str]:
    meta = {}
    for line in path.read_text().splitlines():
        key, _sep, value = line.partition("\t")
        meta[key] = value
    return meta


def read_runs(path: Path) -> list[Run]:
    if not path.exists():  # a run of the converge phases only
        return []
    return [
        Run(
            round=int(row["round"]),
            config=row["id"],
            requests=int(row["requests"]),
            seconds=int(row["duration_us"]) / 1e6,
            p50_ms=int(row["p50_us"]) / 1e3,
            p99_ms=int(row["p99_us"]) / 1e3,
            connect=int(row["connect"]),
            read=int(row["read"]),
            write=int(row["write"]),
            timeout=int(row["timeout"]),
            status=int(row["status"]),
            load1=float(row["load1"]),
        )
        for row in read_tsv(path)
    ]


class Figures:
    """The runs of one bench, by configuration and by round."""

    def __init__(self, runs: list[Run]) -> None:
        self.runs = runs
        self.rounds = sorted({run.round for run in runs})
        self.by = {(run.config, run.round): run for run in runs}

    def of(self, config: str) -> list[Run]:
        return [self.by[config, r] for r in self.rounds if (config, r) in self.by]

    def median(self, config: str, attribute: str) -> float:
        return statistics.median(getattr(run, attribute) for run in self.of(config))

    def ratio(self, config: str, baseline: str, attribute: str = "rps") -> Ratio:
        """Each round's config/baseline ratio: their median and range."""
        values = [
            getattr(self.by[config, r], attribute) / getattr(self.by[baseline, r], attribute)
            for r in self.rounds
            if (config, r) in self.by and (baseline, r) in self.by
        ]
        return Ratio(statistics.median(values), min(values), max(values))


def fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def errors(figures: Figures, config: str) -> str:
    counts = {
        kind: sum(getattr(run, kind) for run in figures.of(config))
        for kind in ("connect", "read", "write", "timeout", "status")
    }
    words = {"status": "non-2xx/3xx", "timeout": "timeouts (10 s)"}
    found = [f"{n} {words.get(kind, kind)}" for kind, n in counts.items() if n]
    return ", ".join(found) or "none"


def dynamic_table(figures: Figures) -> list[str]:
    lines = [
        "| Configuration | req/s | p50 ms | p99 ms | req/s ÷ gunicorn alone | "
        "p99 ÷ gunicorn alone | errors |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for config in DYNAMIC:
        if not figures.of(config):
            continue
        rps, p99 = figures.ratio(config, BASELINE), figures.ratio(config, BASELINE, "p99_ms")
        lines.append(
            f"| {LABELS[config]} | {fmt(figures.median(config, 'rps'))} "
            f"| {figures.median(config, 'p50_ms'):.1f} | {figures.median(config, 'p99_ms'):.1f} "
            f"| {rps.text()} | {p99.text()} | {errors(figures, config)} |"
        )
    return lines


def static_table(figures: Figures, meta: dict[str, str]) -> list[str]:
    lines = [
        "| Static file through | req/s | p50 ms | p99 ms | req/s ÷ nginx static | "
        "req/s ÷ gunicorn alone's dynamic page | answered by the app | errors |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for config in STATIC:
        if not figures.of(config):
            continue
        lines.append(
            f"| {LABELS[config]} | {fmt(figures.median(config, 'rps'))} "
            f"| {figures.median(config, 'p50_ms'):.1f} | {figures.median(config, 'p99_ms'):.1f} "
            f"| {figures.ratio(config, STATIC_BASELINE).text()} "
            f"| {figures.ratio(config, BASELINE).text(1)} "
            f"| {meta.get('served_by_app_' + config, '?')} | {errors(figures, config)} |"
        )
    return lines


def candidates(figures: Figures) -> list[str]:
    """Configurations of the run that are neither a row of our own nor a baseline."""
    known = set(DYNAMIC) | set(STATIC)
    return [c for c in dict.fromkeys(run.config for run in figures.runs) if c not in known]


def candidate_table(figures: Figures, meta: dict[str, str]) -> list[str]:
    lines = [
        "| Candidate | req/s | p50 ms | p99 ms | req/s ÷ our stack | p99 ÷ our stack "
        "| req/s ÷ gunicorn alone | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for config in candidates(figures):
        ours = "nginx_stack" if config.startswith("nginx_") else "apache_stack"
        lines.append(
            f"| {config.split('_')[0]} stack, {meta.get('label_' + config, config)} "
            f"| {fmt(figures.median(config, 'rps'))} "
            f"| {figures.median(config, 'p50_ms'):.1f} | {figures.median(config, 'p99_ms'):.1f} "
            f"| {figures.ratio(config, ours).text()} "
            f"| {figures.ratio(config, ours, 'p99_ms').text()} "
            f"| {figures.ratio(config, BASELINE).text()} | {errors(figures, config)} |"
        )
    return lines


def candidate_verdicts(figures: Figures, meta: dict[str, str]) -> list[str]:
    """Each candidate against our default: its rate and its tail, each beyond the noise or not."""
    noise = f"±{(NOISE - 1) * 100:.0f} % run to run"
    lines = []
    for config in candidates(figures):
        ours = "nginx_stack" if config.startswith("nginx_") else "apache_stack"
        rps, p99 = figures.ratio(config, ours), figures.ratio(config, ours, "p99_ms")
        if rps.low > 1.0 and rps.median >= NOISE:
            rate = "faster than our default in every round"
        elif rps.high < 1.0 and rps.median <= 1 / NOISE:
            rate = "slower than our default in every round"
        else:
            rate = f"a rate within this machine's noise of our default's ({noise})"
        if p99.median > NOISE:
            tail = "a worse tail"
        elif p99.median < 1 / NOISE:
            tail = "a lower tail"
        else:
            tail = "a tail within the noise"
        lines.append(
            f"- {config.split('_')[0]} stack, {meta.get('label_' + config, config)}: {rate}, "
            f"with {tail} (req/s {rps.text()} {X}, p99 {p99.text()} {X} ours)."
        )
    return lines


@dataclass
class Target:
    text: str
    value: Ratio | float | None
    limit: float
    at_least: bool
    why_missed: str
    why_met: str = ""
    digits: int = 1

    def outcome(self) -> str:
        if self.value is None:
            return f"- {self.text}: not measured in this run."
        value = self.value.median if isinstance(self.value, Ratio) else self.value
        shown = (
            self.value.text() if isinstance(self.value, Ratio) else f"{self.value:.{self.digits}f}"
        )
        met = value >= self.limit if self.at_least else value <= self.limit
        if met:
            straddles = isinstance(self.value, Ratio) and (
                self.value.low < self.limit if self.at_least else self.value.high > self.limit
            )
            note = (
                " (the median; some rounds were on the other side of the line)" if straddles else ""
            )
            why = f" {self.why_met}" if self.why_met else ""
            return f"- {self.text}: measured {shown} → **met**{note}.{why}"
        margin = abs(value - self.limit) / self.limit * 100
        times = f" ({value / self.limit:.1f} {X} the limit)" if margin >= 100 else ""
        return (
            f"- {self.text}: measured {shown} → **missed by {margin:.0f} %**{times} because "
            f"{self.why_missed}"
        )


def converge_rows(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    return {(row["stack"], row["phase"]): row for row in read_tsv(path)} if path.exists() else {}


def count(row: dict[str, str], key: str) -> int:
    """One of the recap's counts (0 where a run of an older bench did not record it)."""
    return int(row.get(key) or 0)


def task_runs(row: dict[str, str]) -> int:
    """Task results of a converge (ok + skipped): the measure issue 18's figures use."""
    return count(row, "ok") + count(row, "skipped")


def ran(row: dict[str, str]) -> int:
    """Task results that ran a module (ok, which counts the changed and ignored ones, + failed
    + rescued); a looped task is one result."""
    return count(row, "ok") + count(row, "failed") + count(row, "rescued")


def per_task(row: dict[str, str]) -> float:
    """Seconds per task result of a converge."""
    return float(row["seconds"]) / task_runs(row)


def load_of(row: dict[str, str]) -> str:
    """The 1-minute load when a phase started and when it ended."""
    start = row.get("load1_start") or "?"
    return f"{start} → {row.get('load1') or '?'}"


def cpu_of(row: dict[str, str]) -> str:
    """CPU seconds of a phase on this machine and in the container (runs of an older bench: ?)."""
    return f"{row.get('cpu_controller') or '?'} / {row.get('cpu_host') or '?'}"


def converge_table(rows: dict[tuple[str, str], dict[str, str]]) -> list[str]:
    lines = [
        "| Stack (inventories/local: 2 apps + PostgreSQL) | phase | s | task results "
        "(ok + skipped) | ran (ok + failed) | changed | skipped | s per task result "
        "| CPU s: this machine / the container | 1-minute load, start → end |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for stack in STACKS:
        for phase, label in PHASES.items():
            row = rows.get((stack, phase))
            if not row:
                continue
            lines.append(
                f"| {stack} | {label} | {float(row['seconds']):.1f} | {task_runs(row)} "
                f"| {ran(row)} | {row['changed']} | {row['skipped']} | {per_task(row):.2f} "
                f"| {cpu_of(row)} | {load_of(row)} |"
            )
    return lines


def connection_costs(meta: dict[str, str]) -> list[str]:
    return [
        f"- {stack}: one `podman exec` {meta.get('podman_exec_seconds_' + stack, '?')} s; one "
        "command over the open SSH connection (ControlMaster) "
        f"{meta.get('ssh_command_seconds_' + stack, '?')} s."
        for stack in STACKS
        if meta.get("podman_exec_seconds_" + stack) or meta.get("ssh_command_seconds_" + stack)
    ]


def profile(run_dir: Path | None, stack: str, phase: str) -> list[tuple[str, float]]:
    """Every task's seconds in a phase (profile_tasks), as tools/bench.sh kept them."""
    path = run_dir / f"profile-{stack}-{phase}.tsv" if run_dir else None
    if not path or not path.exists():
        return []
    tasks = []
    for line in path.read_text().splitlines():
        name, _sep, seconds = line.rpartition("\t")
        if name:
            tasks.append((name, float(seconds)))
    return tasks


def by_role(tasks: list[tuple[str, float]]) -> dict[str, list[float]]:
    """Task times by role; the playbooks' own tasks and fact gathering apart."""
    groups: dict[str, list[float]] = {}
    for name, seconds in tasks:
        if name == "Gathering Facts":
            group = "fact gathering"
        elif " : " in name:
            group = name.split(" : ", 1)[0]
        else:
            group = "the playbooks' own tasks"
        groups.setdefault(group, []).append(seconds)
    return groups


def tasks_by_role(run_dir: Path | None, meta: dict[str, str], stack: str, phase: str) -> str:
    """Where a phase's tasks are: their number per role (profile_tasks' entries)."""
    recorded = meta.get(f"tasks_{phase}_{stack}")
    tasks = profile(run_dir, stack, phase)
    if recorded or not tasks:
        return recorded or ""
    groups = sorted(by_role(tasks).items(), key=lambda item: -len(item[1]))
    return ", ".join(f"{group} {len(times)}" for group, times in groups)


def where_time_goes(
    run_dir: Path | None, meta: dict[str, str], row: dict[str, str], stack: str, phase: str
) -> str:
    """A phase's seconds split into ansible's own (start-up, between tasks) and the tasks', these
    by role (a playbook's own tasks apart); what a slow phase is explained with."""
    recorded = meta.get(f"where_{phase}_{stack}")
    tasks = profile(run_dir, stack, phase)
    if recorded or not tasks:
        return recorded or ""
    groups = by_role(tasks)
    wall = float(row["seconds"])
    in_tasks = sum(seconds for _name, seconds in tasks)
    by_group = sorted(groups.items(), key=lambda item: -sum(item[1]))
    cpu = (
        f"CPU {row['cpu_controller']} s on this machine (ansible-playbook, its workers, ssh and "
        f"its ControlMaster) and {row['cpu_host']} s in the container (sshd, the modules and "
        f"what they run), {float(row['cpu_controller']) / task_runs(row):.2f} s and "
        f"{float(row['cpu_host']) / task_runs(row):.2f} s per task result, in {wall:.1f} s of "
        f"wall clock on {meta.get('cores', '?')} cores shared with other jobs (1-minute load "
        f"{load_of(row)}); "
        if row.get("cpu_controller") and row.get("cpu_host")
        else ""
    )
    return (
        f"{cpu}{in_tasks:.1f} s in {len(tasks)} tasks, {max(wall - in_tasks, 0):.1f} s in "
        "ansible-playbook's start-up and between tasks; by role: "
        + ", ".join(
            f"{group} {sum(times):.1f} s ({len(times)} task{'s' if len(times) > 1 else ''})"
            for group, times in by_group
        )
    )


def before_rows() -> dict[tuple[str, str], dict[str, str]]:
    """The converge figures before issue 18 (BEFORE_CONVERGE), as converge_rows reads a run's."""
    rows = [dict(zip(CONVERGE_COLUMNS, line.split())) for line in BEFORE_CONVERGE]
    return {(row["stack"], row["phase"]): row for row in rows}


def rerun_results_measured_before() -> dict[str, int]:
    """Task results (ok + skipped) of the idempotent rerun in the before run (BEFORE_CONVERGE)."""
    rows = before_rows()
    return {
        stack: task_runs(row)
        for (stack, phase), row in rows.items()
        if phase == "rerun_ssh" or (phase == "rerun" and (stack, "rerun_ssh") not in rows)
    }


def rerun_results_before() -> dict[str, int]:
    """The figure "at least halved" is measured against, per stack (ISSUE_18_RERUN_TASK_RESULTS)."""
    return {
        **PUBLISHED_RERUN_TASK_RESULTS,
        **rerun_results_measured_before(),
        **ISSUE_18_RERUN_TASK_RESULTS,
    }


def where_sentence(
    run_dir: Path | None, meta: dict[str, str], row: dict[str, str], stack: str, phase: str
) -> str:
    where = where_time_goes(run_dir, meta, row, stack, phase)
    return f" Where the time goes: {where}." if where else ""


def issue18_targets(
    rows: dict[tuple[str, str], dict[str, str]], meta: dict[str, str], run_dir: Path | None
) -> list[Target]:
    """Issue 18's targets for the runs of `rows`: module calls of a rerun at least halved, the
    rerun over SSH within 20 s, a code-only deploy over SSH within 30 s."""
    result = []
    before, measured_before = rerun_results_before(), rerun_results_measured_before()
    for stack in STACKS:
        ssh, code = rows.get((stack, "rerun_ssh")), rows.get((stack, "deploy_code_ssh"))
        # A rerun runs the same tasks through every connection.
        rerun = ssh or rows.get((stack, "rerun_pipelined")) or rows.get((stack, "rerun"))
        if not rerun and not code:
            continue
        if stack in before:
            where = tasks_by_role(run_dir, meta, stack, "rerun_ssh") if ssh else ""
            result.append(
                Target(
                    f"module calls per idempotent rerun of the {stack} stack at least halved "
                    f"(task results, ok + skipped, against {before[stack]} before issue 18"
                    + (
                        f"; {measured_before[stack]} measured at {BEFORE_COMMIT}"
                        if measured_before.get(stack, before[stack]) != before[stack]
                        else ""
                    )
                    + f": ≤ {before[stack] / 2:g})",
                    float(task_runs(rerun)) if rerun else None,
                    before[stack] / 2,
                    False,
                    f"the rerun still has {task_runs(rerun) if rerun else '?'} task results: "
                    f"{ran(rerun) if rerun else '?'} ran a module (ok + failed), "
                    f"{rerun['skipped'] if rerun else '?'} were skipped"
                    + (
                        f"; tasks per role (profile_tasks, a task included per app counted per "
                        f"inclusion): {where}."
                        if where
                        else "."
                    ),
                    f"{ran(rerun) if rerun else '?'} ran a module, "
                    f"{rerun['skipped'] if rerun else '?'} were skipped.",
                    digits=0,
                )
            )
        ssh_cost = meta.get("ssh_command_seconds_" + stack, "?")
        changed = f" It reported changed={ssh['changed']}." if ssh and ssh["changed"] != "0" else ""
        result.append(
            Target(
                f"idempotent rerun of the {stack} stack over SSH "
                f"≤ {SSH_RERUN_TARGET_SECONDS:.0f} s (and changed=0)",
                float(ssh["seconds"]) if ssh else None,
                SSH_RERUN_TARGET_SECONDS,
                False,
                (
                    f"it runs {task_runs(ssh)} task results, {per_task(ssh):.2f} s each on "
                    f"average (1-minute load {load_of(ssh)}): one command over the open SSH "
                    f"connection takes {ssh_cost} s, the rest of a task is its module's Python "
                    "start and work on the host and ansible's own work on this machine."
                    f"{where_sentence(run_dir, meta, ssh, stack, 'rerun_ssh')} Slowest tasks: "
                    f"{meta.get('slowest_rerun_ssh_' + stack, '?')}.{changed}"
                )
                if ssh
                else "",
                (f"(1-minute load {load_of(ssh)}).{changed}" if ssh else ""),
            )
        )
        result.append(
            Target(
                f"code-only deploy of the {stack} stack over SSH (one file of guestbook's code "
                f"changed, `--skip-tags database`) ≤ {CODE_DEPLOY_TARGET_SECONDS:.0f} s",
                float(code["seconds"]) if code else None,
                CODE_DEPLOY_TARGET_SECONDS,
                False,
                (
                    f"it ran {ran(code)} module calls ({code['changed']} changed, "
                    f"{code['skipped']} tasks skipped; 1-minute load {load_of(code)})."
                    f"{where_sentence(run_dir, meta, code, stack, 'deploy_code_ssh')} "
                    f"Slowest tasks: {meta.get('slowest_deploy_code_ssh_' + stack, '?')}."
                )
                if code
                else "",
                (
                    f"It ran {ran(code)} module calls, {code['changed']} changed (1-minute load "
                    f"{load_of(code)})."
                    if code
                    else ""
                ),
            )
        )
    return result


def seconds(row: dict[str, str] | None) -> str:
    return f"{float(row['seconds']):.1f}" if row else DASH


def issue18_table(rows: dict[tuple[str, str], dict[str, str]], meta: dict[str, str]) -> list[str]:
    """The deploy-speed figures before issue 18 (BEFORE_*) and of this run."""
    lines = [
        "| | stack | rerun over SSH: s | its task results (ok + skipped) | ran / changed / "
        "skipped | its CPU s: this machine / the container | code-only deploy over SSH: s "
        "| ran / changed | rerun, `containers.podman`: s | rerun, pipelined: s "
        f"| fresh converge: s | 1-minute load over the phases, min{DASH}max |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    commit = meta.get("commit", "?")
    uncommitted = " + uncommitted changes" if meta.get("uncommitted") else ""
    runs = [(f"before ({BEFORE_COMMIT})", before_rows())]
    this_has_ssh = any(phase == "rerun_ssh" for _stack, phase in rows)
    # A run of the before commit itself is the before row once it is recorded here.
    if this_has_ssh and not (commit == BEFORE_COMMIT and not uncommitted and runs[0][1]):
        runs.append((f"this run ({commit}{uncommitted})", rows))
    for label, figures in runs:
        for stack in STACKS:
            phases = {phase: figures.get((stack, phase)) for phase in PHASES}
            if not any(phases.values()):
                continue
            ssh, code = phases["rerun_ssh"], phases["deploy_code_ssh"]
            loads = [
                float(row[key])
                for row in phases.values()
                if row
                for key in ("load1_start", "load1")
                if row.get(key)
            ]

            ssh_counts = f"{ran(ssh)} / {ssh['changed']} / {ssh['skipped']}" if ssh else DASH
            code_counts = f"{ran(code)} / {code['changed']}" if code else DASH
            load_range = f"{min(loads):.2f}{DASH}{max(loads):.2f}" if loads else "?"
            lines.append(
                f"| {label} | {stack} | {seconds(ssh)} | {task_runs(ssh) if ssh else DASH} "
                f"| {ssh_counts} | {cpu_of(ssh) if ssh else DASH} | {seconds(code)} "
                f"| {code_counts} "
                f"| {seconds(phases['rerun'])} | {seconds(phases['rerun_pipelined'])} "
                f"| {seconds(phases['fresh'])} | {load_range} |"
            )
    if len(runs) == 1:
        lines.append("| after (issue 18) | | not measured yet | | | | | | | | | |")
    return lines


def issue18_section(rows: dict[tuple[str, str], dict[str, str]], meta: dict[str, str]) -> list[str]:
    before = BEFORE_META
    this_has_ssh = any(phase == "rerun_ssh" for _stack, phase in rows)
    return [
        "### Before and after issue 18 (deploy speed)",
        "",
        "Seconds of `ansible-playbook` and task results of each phase, before issue 18 (commit "
        f"{BEFORE_COMMIT})"
        + (" and in this run" if this_has_ssh else "")
        + ". The before figures come from tools/bench.sh run in a "
        f"git worktree of {BEFORE_COMMIT} with this bench's files copied in: "
        f"{before.get('runs', 'not measured yet')}. The machine ({before.get('cores', '2')} "
        "cores) is shared with other engineers' molecule runs: the load column says how busy it "
        "was during each row's phases, and a row measured under a higher load is slower for it "
        "(compare rows at a like load, or the task results, which the load does not change). "
        "The issue's own figures (a quiet machine, nginx stack): 207 task results, rerun 92 s "
        "through `containers.podman`, 58 s through the pipelined connection, 51.8 s over SSH."
        + (f" {before['note']}" if before.get("note") else ""),
        "",
        *issue18_table(rows, meta),
        "",
        *(
            []
            if this_has_ssh
            else [
                "The after row: `make bench` (as root, about 20 minutes; it rewrites this file "
                "with every figure of one run, this table's row for the run included), or for the "
                "deploy figures alone `WSGISTACK_BENCH_ONLY=converge bash tools/bench.sh` "
                "(both stacks, about 15 minutes; report in .cache/bench/benchmarks.md), on a "
                "checkout whose roles are not being edited.",
                "",
            ]
        ),
        f"The before run ({BEFORE_COMMIT}), phase by phase:",
        "",
        *converge_table(before_rows()),
        "",
        "Issue 18's targets against the before figures:",
        "",
        *(
            [target.outcome() for target in issue18_targets(before_rows(), before, None)]
            or [f"- not measured at {BEFORE_COMMIT} yet."]
        ),
        "",
    ]


def targets(
    figures: Figures, meta: dict[str, str], rows: dict[tuple[str, str], dict[str, str]]
) -> list[Target]:
    def ratio(config: str, baseline: str, attribute: str = "rps") -> Ratio | None:
        if not figures.of(config) or not figures.of(baseline):
            return None
        return figures.ratio(config, baseline, attribute)

    def times(config: str, baseline: str = BASELINE, attribute: str = "rps") -> str:
        value = ratio(config, baseline, attribute)
        return f"{value.median:.2f} {X}" if value else "?"

    def shapes(prefix: str) -> str:
        found = [c for c in candidates(figures) if c.startswith(prefix)]
        return ", ".join(f"{meta.get('label_' + c, c)} {times(c, prefix + 'stack')}" for c in found)

    load = statistics.median(run.load1 for run in figures.runs) if figures.runs else 0.0
    cores = int(meta.get("cores", "2") or 2)
    p99s = [figures.median(c, "p99_ms") for c in DYNAMIC if figures.of(c)]
    p99_range = f"{min(p99s):.0f}{DASH}{max(p99s):.0f} ms" if p99s else "?"
    restarts = meta.get("restarts_seed004", "?")
    nginx_shapes, apache_shapes = shapes("nginx_"), shapes("apache_")
    hop = (
        "nginx is a second server on the same 2 cores: every request is parsed, proxied over "
        "the unix socket and logged by nginx, and that CPU comes out of the cores the workers "
        "need."
    )
    result = [
        Target(
            f"nginx_gunicorn stack ≥ 1.0 {X} gunicorn alone (req/s)",
            ratio("nginx_stack", BASELINE),
            1.0,
            True,
            hop + (f" Candidates, {X} our stack: {nginx_shapes}." if nginx_shapes else ""),
        ),
        Target(
            f"nginx_gunicorn stack p99 ≤ 1.2 {X} gunicorn alone",
            ratio("nginx_stack", BASELINE, "p99_ms"),
            1.2,
            False,
            "requests queue twice (in nginx and in gunicorn's backlog) while nginx's workers and "
            "gunicorn's compete for the 2 cores; workers replaced after max_requests "
            f"({meta.get('restarts_nginx_stack', '?')} during the measurement) stall a few more.",
        ),
        Target(
            f"nginx_gunicorn stack ≥ 1.7 {X} seed 004's configuration (req/s)",
            ratio("nginx_stack", "seed004"),
            1.7,
            True,
            f"seed 004's configuration measured {times('seed004')} gunicorn alone here (the "
            f"guide: 0.57 {X}) in spite of its {restarts} worker restarts.",
        ),
        Target(
            f"apache_modwsgi stack ≥ 1.0 {X} gunicorn alone (req/s)",
            ratio("apache_stack", BASELINE),
            1.0,
            True,
            "each request crosses an Apache thread and the daemon's unix socket before it reaches "
            "Python, and Apache's CPU comes out of the same 2 cores"
            + (
                f" (other daemon shapes, {X} our stack: {apache_shapes})." if apache_shapes else "."
            ),
        ),
        Target(
            f"apache_modwsgi stack p99 ≤ 1.5 {X} gunicorn alone",
            ratio("apache_stack", BASELINE, "p99_ms"),
            1.5,
            False,
            "requests queue twice (for one of Apache's threads and in the daemon's socket "
            "queue) while Apache's threads and the daemon processes compete for the 2 cores.",
        ),
        Target(
            f"apache_modwsgi stack ≥ 1.5 {X} seed 003's daemon configuration (req/s)",
            ratio("apache_stack", "seed003"),
            1.5,
            True,
            f"seed 003's one process of 5 threads measured {times('seed003')} gunicorn alone "
            f"here (the guide: 0.66 {X}), and no daemon shape measured does much better than "
            f"it (req/s ÷ our stack: {apache_shapes or 'no candidates measured'}, seed 003 "
            f"{times('seed003', 'apache_stack')}): with a page this cheap the daemon's processes "
            "and threads are not what limits the rate, the per-request cost of the hop from "
            "Apache to the daemon is (embedded mode, which has no hop, measured "
            f"{times('seed001', 'apache_stack')} our stack).",
        ),
        Target(
            f"apache_modwsgi stack: none of embedded mode's tail latency (p99 ÷ seed 001's "
            f"p99 ≤ 1; seed 001's p99 is {times('seed001', attribute='p99_ms')} gunicorn alone's)",
            ratio("apache_stack", "seed001", "p99_ms"),
            1.0,
            False,
            (
                f"p99 in this run is set by the machine's load (1-minute load {load:.1f} on "
                f"{cores} cores): the p99 of every dynamic configuration lies in {p99_range}, "
                "embedded mode's included, so its own tail does not stand out."
            )
            if load > 2 * cores
            else f"embedded mode's tail did not stand out in this run (p99 of every dynamic "
            f"configuration: {p99_range}).",
        ),
    ]
    leaked = [
        c for c in ("static_nginx", "static_apache") if meta.get(f"served_by_app_{c}") != "no"
    ]
    result.append(
        Target(
            "static files never reach the app (no X-Guestbook-App header on nginx's and "
            "Apache's static responses; the app adds it to every response)",
            float(len(leaked)),
            0.0,
            False,
            f"{', '.join(leaked)} answered with the app's header.",
            "Both front servers answer /static themselves.",
        )
    )
    for stack in STACKS:
        stock, rerun = rows.get((stack, "rerun")), rows.get((stack, "rerun_pipelined"))
        value = float(rerun["seconds"]) if rerun else None
        tasks = task_runs(rerun) if rerun else 0
        changed = (
            f" It reported changed={rerun['changed']}." if rerun and rerun["changed"] != "0" else ""
        )
        result.append(
            Target(
                f"idempotent rerun of the {stack} stack ≤ {RERUN_TARGET_SECONDS:.0f} s "
                "(and changed=0), through the pipelined connection",
                value,
                RERUN_TARGET_SECONDS,
                False,
                f"a rerun still runs {tasks} tasks (ok + skipped), "
                f"{per_task(rerun) if rerun else 0:.2f} s each on average: every module call "
                "is one `podman exec` (it took "
                f"{meta.get('podman_exec_seconds_' + stack, '?')} s here) and a Python start "
                "in the container. Through inventories/local's containers.podman.podman (three "
                f"`podman exec` per module) the rerun took "
                f"{float(stock['seconds']) if stock else 0:.0f} s. Slowest tasks of the "
                f"pipelined rerun: {meta.get('slowest_rerun_pipelined_' + stack, '?')}.{changed}",
                changed.strip(),
            )
        )
    return result


def load_line(figures: Figures, meta: dict[str, str]) -> str:
    loads = [run.load1 for run in figures.runs]
    during = (
        f"{min(loads):.2f} / {statistics.median(loads):.2f} / {max(loads):.2f}" if loads else "?"
    )
    return (
        f"load average (1, 5, 15 min) before the run {meta.get('load_start', '?')}, before the "
        f"measuring rounds {meta.get('load_measure_start', '?')}, at the end "
        f"{meta.get('load_end', '?')}; 1-minute load after each wrk run, min / median / max: "
        f"{during}; the whole run took {meta.get('run_minutes', '?')} min"
    )


def shared(meta: dict[str, str], serving: bool = True) -> str:
    """A word on the machine's other jobs when the load before the run says there were some."""
    cores = int(meta.get("cores", "2") or 2)
    try:
        before = float(meta.get("load_start", "").split()[0])
    except (IndexError, ValueError):
        return ""
    if before < cores / 2:
        return ""
    if not serving:
        return (
            f"The machine was busy with other jobs (1-minute load {before:.1f} on {cores} cores "
            "before the run; the load during a converge counts ansible and the container's own "
            "work too): the seconds are higher than on an idle machine. "
        )
    return (
        f"The machine was busy with other jobs (1-minute load {before:.1f} on {cores} cores "
        "before the run; the load during the rounds counts wrk and the servers measured too): "
        "absolute figures are lower than on an idle machine, and every configuration lost CPU "
        "to those jobs alike, which the per-round ratios allow for. "
    )


def converge_load_line(rows: dict[tuple[str, str], dict[str, str]], meta: dict[str, str]) -> str:
    loads = [
        float(row[key]) for row in rows.values() for key in ("load1_start", "load1") if row.get(key)
    ]
    during = f"{min(loads):.2f}{DASH}{max(loads):.2f}" if loads else "?"
    return (
        f"load average (1, 5, 15 min) before the run {meta.get('load_start', '?')}, at the end "
        f"{meta.get('load_end', '?')}; 1-minute load at the start and end of each converge "
        f"phase: {during} (per phase in the table below); the whole run took "
        f"{meta.get('run_minutes', '?')} min"
    )


def serving_sections(figures: Figures, meta: dict[str, str]) -> list[str]:
    return [
        "## Measured: dynamic page",
        "",
        "Medians over the rounds; the ratio columns are each round's ratio to gunicorn alone "
        f"in the same round: median (min{DASH}max).",
        "",
        *dynamic_table(figures),
        "",
        "Our defaults as deployed: gunicorn `"
        + meta.get("defaults_nginx_gunicorn", "?").rstrip(";").replace(";", "; ")
        + "`; nginx upstream `"
        + meta.get("defaults_nginx_upstream", "?").strip()
        + "`; mod_wsgi `"
        + meta.get("defaults_apache_modwsgi", "?")
        + "`.",
        f"Worker replacements after max_requests during the whole measurement: our nginx_gunicorn "
        f"stack {meta.get('restarts_nginx_stack', '?')}, seed 004 "
        f"{meta.get('restarts_seed004', '?')}.",
        "",
        "## Measured: static file",
        "",
        *static_table(figures, meta),
        "",
        *(
            [
                "## Measured: candidate defaults",
                "",
                "Our stack with one setting changed, measured in the same rounds (the ratios are "
                "per round, to our stack with its defaults and to gunicorn alone): what a default "
                "is chosen from.",
                "",
                *candidate_table(figures, meta),
                "",
                *candidate_verdicts(figures, meta),
                "",
                "A candidate serves a copy of our stack's site on a port of its own. Measured both "
                "ways round (mod_wsgi processes=2 threads=5 as the default with processes=5 "
                "threads=1 as a candidate, then the reverse), the candidate's side came out "
                "about 4 % faster, with a p99 about a fifth lower, than the same settings as the "
                "default: read a candidate's edge of that size as none.",
                "",
                "A candidate faster than our default in every round, with no worse a tail, is the "
                "measured case for changing that default (in the role's defaults/main.yml and "
                "meta/argument_specs.yml, with the reasoning next to it).",
                "",
            ]
            if candidates(figures)
            else []
        ),
    ]


def per_round_section(figures: Figures) -> list[str]:
    return [
        "## Per-round figures",
        "",
        "req/s of each configuration in each round (1-minute load after the run).",
        "",
        "| Configuration | " + " | ".join(f"round {r}" for r in figures.rounds) + " |",
        "|---|" + "---:|" * len(figures.rounds),
        *[
            f"| {config} | "
            + " | ".join(
                f"{fmt(figures.by[config, r].rps)} ({figures.by[config, r].load1:.1f})"
                if (config, r) in figures.by
                else DASH
                for r in figures.rounds
            )
            + " |"
            for config in DYNAMIC + STATIC + candidates(figures)
            if figures.of(config)
        ],
        "",
    ]


def converge_section(
    run_dir: Path, rows: dict[tuple[str, str], dict[str, str]], meta: dict[str, str]
) -> list[str]:
    ssh_phases = [
        (stack, phase)
        for stack in STACKS
        for phase in ("rerun_ssh", "deploy_code_ssh")
        if (stack, phase) in rows
    ]
    return [
        "## Measured: converge",
        "",
        "Wall-clock seconds of `ansible-playbook` from this machine: the fresh converge and "
        "the idempotent rerun through inventories/local's `containers.podman.podman` (as "
        "`tools/demo.sh` deploys), the rerun again through the molecule scenarios' "
        "pipelined connection (`molecule/resources/plugins/connection/podman_pipelined.py`: "
        "as root, each module piped through `nsenter` into the container, else one "
        "`podman exec` per module instead of three), then over real SSH, as users reach their "
        "hosts: the idempotent rerun (it must report changed=0) and a code-only deploy (one file "
        "of guestbook's code changed, `--skip-tags database`; guestbook must then answer with the "
        "new release). SSH: openssh-server installed in the container for the bench, root with a "
        "throw-away key, the container's bridge address, pipelining, ansible's default ssh_args "
        "(`-C -o ControlMaster=auto -o ControlPersist=60s`). Task results are the recap's: `ok` "
        "counts the changed tasks too, a looped task is one result; ran = ok + failed.",
        "",
        *converge_table(rows),
        "",
        *connection_costs(meta),
        "",
        "Slowest tasks (profile_tasks):",
        "",
        *[
            f"- {stack}, {phase}: {meta['slowest_' + phase + '_' + stack]}"
            for stack in STACKS
            for phase in PHASES
            if meta.get("slowest_" + phase + "_" + stack)
        ],
        "",
        *(
            [
                "Where the time of the SSH phases goes (profile_tasks; a task's time includes "
                "its loop items and, in the rerun, its skipped runs):",
                "",
                *[
                    f"- {stack}, {phase}: "
                    f"{where_time_goes(run_dir, meta, rows[stack, phase], stack, phase) or '?'}"
                    for stack, phase in ssh_phases
                ],
                "",
            ]
            if ssh_phases
            else []
        ),
        *issue18_section(rows, meta),
    ]


def report(run_dir: Path) -> str:
    meta = read_meta(run_dir / "meta.tsv")
    figures = Figures(read_runs(run_dir / "results.tsv"))
    rows = converge_rows(run_dir / "converge.tsv")
    cores = meta.get("cores", "?")
    serving = bool(figures.runs)
    commit = meta.get("commit")
    uncommitted = meta.get("uncommitted")
    code = (
        f" The code measured: commit {commit}"
        + (f" with uncommitted changes to {uncommitted}" if uncommitted else "")
        + "."
        if commit
        else ""
    )
    out = [
        "<!-- Written by tools/bench.sh (tools/bench_report.py); rerun it rather than editing. -->",
        "# Serving benchmark" if serving else "# Deploy benchmark (converge phases only)",
        "",
        f"Reproduce: `{meta.get('command', 'make bench')}` (as root, on a machine where "
        "`bash tools/test.sh`'s set-up ran; `tools/bench.sh` runs `tools/bootstrap.sh` first). "
        "Figures from one run, all configurations on the same machine in the same run. They are "
        "**measurements, not targets**; the targets of "
        + ("issues 8 and 18" if serving else "issue 18")
        + f" and how this run compares are at the end.{code}",
        "",
        "## Machine and method",
        "",
        f"- {meta.get('date', '?')}; {meta.get('distro', '?')}, kernel {meta.get('kernel', '?')}; "
        f"{cores} cores ({meta.get('cpu', '?')}), {meta.get('memory_gib', '?')} GiB; "
        f"podman {meta.get('podman', '?')}, containers from `{meta.get('image', '?')}`.",
        (
            f"- {load_line(figures, meta)}. {shared(meta)}This machine's run-to-run "
            "noise is about ±15 %: read medians and the per-round ratios (median and "
            f"min{DASH}max over the rounds), not single figures."
            if serving
            else f"- {converge_load_line(rows, meta)}. {shared(meta, serving=False)}"
            "The converge phases are not repeated: a phase's seconds move with the load."
        ),
        *(
            [
                f"- wrk {meta.get('wrk', '?')} (Debian's package) "
                f"`-t2 -c{meta.get('connections', '?')} -d{meta.get('seconds', '?')}s "
                "--timeout 10s`, run on the machine inside each container's network namespace "
                "against 127.0.0.1 (the same way for every row). "
                f"{meta.get('rounds', '?')} rounds; each round measures every configuration once, "
                "the order rotated by one from round to round; a "
                f"{meta.get('warmup_seconds', '?')} s warm-up of each configuration is not "
                "counted.",
                "- Dynamic page: `GET "
                f"{meta.get('dynamic', '?')}` of the guestbook app (tests/apps/guestbook: a JSON "
                "description of the serving process; no database, the app's cheapest page). "
                f"Static file: `GET {meta.get('static', '?')}` "
                f"({meta.get('static_bytes', '?')} bytes). {meta.get('app_packages', '')}; gevent "
                f"{meta.get('gevent', '?')} (seed 004); nginx {meta.get('nginx_version', '?')}; "
                f"Apache {meta.get('apache_version', '?')}, MPM {meta.get('apache_mpm', '?')} for "
                "every Apache row.",
                "- The baseline: gunicorn alone's sync workers answer every request with "
                "`Connection: close`, so wrk opens a new connection per request, and gunicorn 27 "
                "holds the worker until wrk (on the same cores) has read the answer and closed "
                "its end (`util.close_graceful`). Behind nginx the client's connections stay "
                "open and the worker waits on nginx instead. gunicorn alone's rate thus depends "
                "on how quickly the client closes, which a busy machine slows: ratios to it can "
                "come out higher than in the issue's guide.",
                "- Two containers: the nginx_gunicorn stack (with gunicorn alone on "
                "127.0.0.1:8000 and seed 004's nginx site on :8004 and gunicorn on "
                "127.0.0.1:9000) and the apache_modwsgi stack (with a second Apache instance "
                "holding seed 001's lines on :8001 and seed 003's vhost on :8003). Both deployed "
                "with `playbooks/<stack>.yml -i inventories/local`, as `tools/demo.sh` does; the "
                "baselines run the app from its deployed venv. The seeds' files as written (seed "
                "004's gunicorn.py and nginx site, seed 001's two lines, seed 003's vhost) are in "
                "`setup_nginx_baselines` and `setup_apache_baselines` of `tools/bench.sh`.",
            ]
            if serving
            else [
                f"- Stacks: {meta.get('stacks', '?')}, each in a container of its own, deployed "
                "with `playbooks/<stack>.yml -i inventories/local`, as `tools/demo.sh` does. No "
                "serving figures in this run (`WSGISTACK_BENCH_ONLY=converge`)."
            ]
        ),
        "",
        *(serving_sections(figures, meta) if serving else []),
        *converge_section(run_dir, rows, meta),
        *(
            [
                "## Targets (issue 8) and this run",
                "",
                *[target.outcome() for target in targets(figures, meta, rows)],
                "",
            ]
            if serving
            else []
        ),
        "## Targets (issue 18) and this run",
        "",
        *[target.outcome() for target in issue18_targets(rows, meta, run_dir)],
        "",
        *(per_round_section(figures) if serving else []),
    ]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=Path, help="a .cache/bench/<date> directory")
    args = parser.parse_args()
    sys.stdout.write(report(args.run_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
