"""Write the serving benchmark's report (Markdown) from the raw figures of a tools/bench.sh run.

    python3 tools/bench_report.py .cache/bench/<date>    print the report (tools/bench.sh
                                                         tees it to docs/benchmarks.md)

The run directory holds meta.tsv (key, value), results.tsv (one wrk run per line: round,
configuration, requests, duration and latency in microseconds, error counts, 1-minute load
after the run) and converge.tsv (stack, phase, seconds, ok/changed/skipped tasks, load).
Only the standard library: the report can be rewritten wherever the raw figures are.
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
NOISE = 1.15  # this machine's run-to-run noise: about ±15 %


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


def converge_rows(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    return {(row["stack"], row["phase"]): row for row in read_tsv(path)} if path.exists() else {}


def converge_table(rows: dict[tuple[str, str], dict[str, str]], meta: dict[str, str]) -> list[str]:
    lines = [
        "| Stack (inventories/local: 2 apps + PostgreSQL) | fresh container: s | "
        "tasks ok / changed | idempotent rerun: s | tasks ok / changed / skipped | "
        "s per task run | rerun, pipelined connection: s | s per task run | "
        "one `podman exec`: s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for stack in STACKS:
        fresh, rerun = rows.get((stack, "fresh")), rows.get((stack, "rerun"))
        piped = rows.get((stack, "rerun_pipelined"))
        if not fresh or not rerun or not piped:
            continue
        lines.append(
            f"| {stack} | {float(fresh['seconds']):.0f} | {fresh['ok']} / {fresh['changed']} "
            f"| {float(rerun['seconds']):.0f} | {rerun['ok']} / {rerun['changed']} / "
            f"{rerun['skipped']} | {per_task(rerun):.2f} | {float(piped['seconds']):.0f} "
            f"| {per_task(piped):.2f} | {meta.get('podman_exec_seconds_' + stack, '?')} |"
        )
    return lines


def task_runs(row: dict[str, str]) -> int:
    """Tasks a converge ran (ok + skipped)."""
    return int(row["ok"]) + int(row["skipped"])


def per_task(row: dict[str, str]) -> float:
    """Seconds per task run of a converge."""
    return float(row["seconds"]) / task_runs(row)


@dataclass
class Target:
    text: str
    value: Ratio | float | None
    limit: float
    at_least: bool
    why_missed: str
    why_met: str = ""

    def outcome(self) -> str:
        if self.value is None:
            return f"- {self.text}: not measured in this run."
        value = self.value.median if isinstance(self.value, Ratio) else self.value
        shown = self.value.text() if isinstance(self.value, Ratio) else f"{self.value:.1f}"
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


def shared(meta: dict[str, str]) -> str:
    """A word on the machine's other jobs when the load before the run says there were some."""
    cores = int(meta.get("cores", "2") or 2)
    try:
        before = float(meta.get("load_start", "").split()[0])
    except (IndexError, ValueError):
        return ""
    if before < cores / 2:
        return ""
    return (
        f"The machine was busy with other jobs (1-minute load {before:.1f} on {cores} cores "
        "before the run; the load during the rounds counts wrk and the servers measured too): "
        "absolute figures are lower than on an idle machine, and every configuration lost CPU "
        "to those jobs alike, which the per-round ratios allow for. "
    )


def report(run_dir: Path) -> str:
    meta = read_meta(run_dir / "meta.tsv")
    figures = Figures(read_runs(run_dir / "results.tsv"))
    rows = converge_rows(run_dir / "converge.tsv")
    cores = meta.get("cores", "?")
    out = [
        "<!-- Written by tools/bench.sh (tools/bench_report.py); rerun it rather than editing. -->",
        "# Serving benchmark",
        "",
        f"Reproduce: `{meta.get('command', 'make bench')}` (as root, on a machine where "
        "`bash tools/test.sh`'s set-up ran; `tools/bench.sh` runs `tools/bootstrap.sh` first). "
        "Figures from one run, all configurations on the same machine in the same run. They are "
        "**measurements, not targets**; the targets of issue 8 and how this run compares are at "
        "the end.",
        "",
        "## Machine and method",
        "",
        f"- {meta.get('date', '?')}; {meta.get('distro', '?')}, kernel {meta.get('kernel', '?')}; "
        f"{cores} cores ({meta.get('cpu', '?')}), {meta.get('memory_gib', '?')} GiB; "
        f"podman {meta.get('podman', '?')}, containers from `{meta.get('image', '?')}`.",
        f"- {load_line(figures, meta)}. {shared(meta)}This machine's run-to-run "
        "noise is about ±15 %: read medians and the per-round ratios (median and "
        f"min{DASH}max over the rounds), not single figures.",
        f"- wrk {meta.get('wrk', '?')} (Debian's package) `-t2 -c{meta.get('connections', '?')} "
        f"-d{meta.get('seconds', '?')}s --timeout 10s`, run on the machine inside each "
        "container's network namespace against 127.0.0.1 (the same way for every row). "
        f"{meta.get('rounds', '?')} rounds; each round measures every configuration once, the "
        "order rotated by one from round to round; a "
        f"{meta.get('warmup_seconds', '?')} s warm-up of each configuration is not counted.",
        f"- Dynamic page: `GET {meta.get('dynamic', '?')}` of the guestbook app "
        "(tests/apps/guestbook: a JSON description of the serving process; no database, the "
        "app's cheapest page). Static file: `GET "
        f"{meta.get('static', '?')}` ({meta.get('static_bytes', '?')} bytes). "
        f"{meta.get('app_packages', '')}; gevent {meta.get('gevent', '?')} (seed 004); nginx "
        f"{meta.get('nginx_version', '?')}; Apache {meta.get('apache_version', '?')}, MPM "
        f"{meta.get('apache_mpm', '?')} for every Apache row.",
        "- The baseline: gunicorn alone's sync workers answer every request with "
        "`Connection: close`, so wrk opens a new connection per request, and gunicorn 27 holds "
        "the worker until wrk (on the same cores) has read the answer and closed its end "
        "(`util.close_graceful`). Behind nginx the client's connections stay open and the "
        "worker waits on nginx instead. gunicorn alone's rate thus depends on how quickly the "
        "client closes, which a busy machine slows: ratios to it can come out higher than in "
        "the issue's guide.",
        "- Two containers: the nginx_gunicorn stack (with gunicorn alone on 127.0.0.1:8000 and "
        "seed 004's nginx site on :8004 and gunicorn on 127.0.0.1:9000) and the apache_modwsgi "
        "stack (with a second Apache instance holding seed 001's lines on :8001 and seed 003's "
        "vhost on :8003). Both deployed with `playbooks/<stack>.yml -i inventories/local`, as "
        "`tools/demo.sh` does; the baselines run the app from its deployed venv. The seeds' "
        "files as written (seed 004's gunicorn.py and nginx site, seed 001's two lines, seed "
        "003's vhost) are in `setup_nginx_baselines` and `setup_apache_baselines` of "
        "`tools/bench.sh`.",
        "",
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
        "## Measured: converge",
        "",
        "Wall-clock seconds of `ansible-playbook` from this machine: the fresh converge and "
        "the idempotent rerun through inventories/local's `containers.podman.podman` (as "
        "`tools/demo.sh` deploys), then the rerun again through the molecule scenarios' "
        "pipelined connection (`molecule/resources/plugins/connection/podman_pipelined.py`: "
        "as root, each module piped through `nsenter` into the container, else one "
        "`podman exec` per module instead of three; nearer to an SSH host with pipelining).",
        "",
        *converge_table(rows, meta),
        "",
        "Slowest tasks (profile_tasks):",
        "",
        *[
            f"- {stack}, {phase}: {meta['slowest_' + phase + '_' + stack]}"
            for stack in STACKS
            for phase in ("fresh", "rerun", "rerun_pipelined")
            if meta.get("slowest_" + phase + "_" + stack)
        ],
        "",
        "## Targets (issue 8) and this run",
        "",
        *[target.outcome() for target in targets(figures, meta, rows)],
        "",
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
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=Path, help="a .cache/bench/<date> directory")
    args = parser.parse_args()
    sys.stdout.write(report(args.run_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
