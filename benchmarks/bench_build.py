"""Build throughput: documents and triples per second, time per stage, peak memory.

    python -m benchmarks.bench_build CORPUS_DIR [--work /tmp/rightsgraph-bench] [--cores 2]

Two measurements on the same corpus (``benchmarks.synthetic``):

* **end to end**: the command line a user runs, ``rightsgraph build CORPUS --store DIR``
  (or ``-o FILE.trig`` while ``build`` has no store), pinned to ``--cores`` CPUs, with the
  peak resident memory of its process tree (psutil, sampled every 50 ms).  It does whatever
  ``build`` does: extract, validate, reason and load, documents prepared in one process per
  core.
* **per stage**, in this process on one core, with the build's own functions: read + extract
  (``extract_file``), the document's graphs (``document_graphs``), validation
  (``validation_step``, pyshacl), reasoning (``reasoning_step``), N-Triples, and the atomic
  replacement in the embedded store (``replace_graphs``).

Results go to ``benchmarks/results/build.json`` and ``build.md``.  Target of issue 5: at
least 20 documents per second.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil

from benchmarks.bench_sparql import BIN, RESULTS, machine, write_report
from rightsgraph.extract import extract_file

TARGET_DOCS_PER_S = 20


def end_to_end(corpus: Path, work: Path, cores: int) -> dict:
    build = [str(BIN / "rightsgraph"), "build", str(corpus)]
    help_text = subprocess.run([*build[:2], "--help"], capture_output=True, text=True).stdout
    if "--store" in help_text:
        target = work / "build-store"
        shutil.rmtree(target, ignore_errors=True)
        command = [*build, "--store", str(target)]
    else:
        target = work / "build.trig"
        command = [*build, "-o", str(target)]
    available = sorted(os.sched_getaffinity(0))
    pinned = available[:cores]
    started = time.perf_counter()
    process = psutil.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process.cpu_affinity(pinned)
    peak = 0
    while process.poll() is None:
        try:
            tree = [process, *process.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree))
        except psutil.NoSuchProcess:
            pass
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    out, err = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{err[-2000:]}")
    triples = re.search(r"(\d+) triples", out)
    documents = sum(1 for _ in corpus.rglob("*.txt"))
    result = {
        "command": " ".join(command),
        "cpus": pinned,
        "documents": documents,
        "seconds": elapsed,
        "documents_per_s": documents / elapsed,
        "peak_rss_mb": peak / 2**20,
        "summary": out.strip().splitlines(),
    }
    if triples:
        result["triples"] = int(triples.group(1))
        result["triples_per_s"] = int(triples.group(1)) / elapsed
    return result


def stages(corpus: Path, work: Path) -> dict:
    """The build's own steps, one document at a time on one core, each timed: extract, the
    document's graphs, validation (pyshacl), reasoning (compiled OWL-RL rules), N-Triples,
    and the atomic replacement in the embedded store."""
    from rightsgraph.graph.build import (
        NTriples,
        document_graphs,
        reasoning_step,
        validation_step,
    )
    from rightsgraph.graph.store import open_store

    files = sorted(corpus.rglob("*.txt"))
    timings = dict.fromkeys(("extract", "to_graph", "validate", "reason", "serialize_ntriples",
                             "load_store"), 0.0)
    store_dir = work / "stage-store"
    shutil.rmtree(store_dir, ignore_errors=True)
    quads = 0
    with open_store(store_dir) as store:
        for path in files:
            t0 = time.perf_counter()
            doc = extract_file(path)
            t1 = time.perf_counter()
            graphs = document_graphs(doc)
            t2 = time.perf_counter()
            graphs = validation_step(doc, graphs)
            t3 = time.perf_counter()
            graphs = reasoning_step(doc, graphs)
            t4 = time.perf_counter()
            ready = {name: NTriples.of(graph) for name, graph in graphs.items()}
            t5 = time.perf_counter()
            store.replace_graphs(ready)
            t6 = time.perf_counter()
            quads += sum(map(len, ready.values()))
            for stage, seconds in zip(timings, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4,
                                                t6 - t5), strict=True):
                timings[stage] += seconds
        store_quads = len(store)
    total = sum(timings.values())
    return {
        "documents": len(files),
        "quads": quads,
        "seconds": timings,
        "ms_per_document": {k: v * 1000 / len(files) for k, v in timings.items()},
        "documents_per_s_one_core": len(files) / total,
        "store_quads": store_quads,
    }


def markdown(report: dict) -> str:
    e2e, st = report["end_to_end"], report["stages"]
    lines = [
        f"# Build throughput ({e2e['documents']} synthetic documents)",
        "",
        f"Machine: {report['machine']['cores']} cores, {report['machine']['memory_gb']} GB, "
        f"{report['machine']['system']}. Generated by `benchmarks/bench_build.py` on "
        f"{report['date']}.",
        "",
        "## End to end",
        "",
        f"`{e2e['command']}` on CPUs {e2e['cpus']}: {e2e['seconds']:.1f} s, "
        f"**{e2e['documents_per_s']:.1f} documents/s** (target {TARGET_DOCS_PER_S})"
        + (f", {e2e['triples_per_s']:,.0f} triples/s ({e2e['triples']:,} triples)"
           if "triples" in e2e else "")
        + f", peak RSS {e2e['peak_rss_mb']:.0f} MB.",
        "",
        "## Per stage (one core, in process)",
        "",
        "| stage | total s | ms per document |",
        "|---|---|---|",
    ]
    for stage, seconds in st["seconds"].items():
        lines.append(f"| {stage} | {seconds:.1f} | {st['ms_per_document'][stage]:.1f} |")
    lines += ["", f"{st['quads']:,} quads in {st['documents']} documents; "
              f"{st['documents_per_s_one_core']:.1f} documents/s on one core for these stages.",
              ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--work", type=Path, default=Path("/tmp/rightsgraph-bench"))
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--output", type=Path, default=RESULTS / "build")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "end_to_end": end_to_end(args.corpus, args.work, args.cores),
        "stages": stages(args.corpus, args.work),
    }
    write_report(args.output, report, markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
