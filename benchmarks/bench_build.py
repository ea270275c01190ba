"""Build throughput: documents and triples per second, time per stage, peak memory.

    python -m benchmarks.bench_build CORPUS_DIR [--work /tmp/rightsgraph-bench] [--cores 2]

Two measurements on the same corpus (``benchmarks.synthetic``):

* **end to end**: the command line a user runs, ``rightsgraph build CORPUS --store DIR
  -j CORES`` into a new store, pinned to ``--cores`` CPUs, with the peak resident memory of
  its process tree and its CPU seconds (:mod:`benchmarks.measure`).  It does whatever
  ``build`` does: extract, validate, reason, index and load, documents prepared in one
  process per core.
* **per stage**, in this process on one core, with the build's own functions: read + extract
  (``extract_file``), the document's graphs (``document_graphs``), validation
  (``validation_step``, compiled shapes), reasoning (``reasoning_step``), N-Triples, the
  full-text index's rows (``document_rows``) and the atomic replacement in the embedded
  store (``replace_graphs``).

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

from benchmarks import measure
from benchmarks.bench_sparql import BIN, RESULTS, machine, write_report
from benchmarks.measure import checked
from rightsgraph.extract import extract_file

TARGET_DOCS_PER_S = 20


def end_to_end(corpus: Path, work: Path, cores: int) -> dict:
    build = [str(BIN / "rightsgraph"), "build", str(corpus)]
    help_text = subprocess.run([*build[:2], "--help"], capture_output=True, text=True).stdout
    if "--store" in help_text:
        target = work / "build-store"
        shutil.rmtree(target, ignore_errors=True)
        shutil.rmtree(target.with_name(target.name + ".search"), ignore_errors=True)
        command = [*build, "--store", str(target), "-j", str(cores)]
    else:
        target = work / "build.trig"
        command = [*build, "-o", str(target)]
    measured = checked(measure.run(command, cores))
    triples = re.search(r"(\d+) (?:triples|quads)", measured.stdout)
    documents = sum(1 for _ in corpus.rglob("*.txt"))
    result = {
        "command": " ".join(command),
        "cpus": sorted(os.sched_getaffinity(0))[:cores],
        "documents": documents,
        "seconds": measured.seconds,
        "documents_per_s": documents / measured.seconds,
        "cpu_seconds": measured.cpu_seconds,
        "cpu_ms_per_document": measured.cpu_seconds * 1000 / documents,
        "documents_per_s_on_cpu_time": documents * cores / measured.cpu_seconds,
        "peak_rss_mb": measured.peak_rss_mb,
        "load_before": measured.load_before,
        "load_after": measured.load_after,
        "summary": measured.stdout.strip().splitlines(),
    }
    if triples:
        result["triples"] = int(triples.group(1))
        result["triples_per_s"] = int(triples.group(1)) / measured.seconds
    return result


def stages(corpus: Path, work: Path) -> dict:
    """The build's own steps, one document at a time on one core, each timed in CPU seconds
    of this process (steadier than wall time on a shared machine): extract, the document's
    graphs, validation (compiled shapes), reasoning (compiled OWL-RL rules), N-Triples, the
    rows of the full-text index, and the atomic replacement in the embedded store (one
    transaction per document: what an incremental build does; a fresh build bulk-loads)."""
    from rightsgraph.graph.build import (
        NTriples,
        document_graphs,
        reasoning_step,
        validation_step,
    )
    from rightsgraph.graph.search import document_rows
    from rightsgraph.graph.store import open_store

    files = sorted(corpus.rglob("*.txt"))
    timings = dict.fromkeys(("extract", "to_graph", "validate", "reason", "serialize_ntriples",
                             "search_rows", "load_store"), 0.0)
    store_dir = work / "stage-store"
    shutil.rmtree(store_dir, ignore_errors=True)
    quads = 0
    clock = time.process_time
    with open_store(store_dir) as store:
        for path in files:
            t0 = clock()
            doc = extract_file(path)
            t1 = clock()
            graphs = document_graphs(doc)
            t2 = clock()
            graphs = validation_step(doc, graphs)
            t3 = clock()
            graphs = reasoning_step(doc, graphs)
            t4 = clock()
            ready = {name: NTriples.of(graph) for name, graph in graphs.items()}
            t5 = clock()
            document_rows(graphs)
            t6 = clock()
            store.replace_graphs(ready)
            t7 = clock()
            quads += sum(map(len, ready.values()))
            for stage, seconds in zip(timings, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4,
                                                t6 - t5, t7 - t6), strict=True):
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
    e2e, st = report["end_to_end"], report.get("stages")
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
        + f", peak RSS {e2e['peak_rss_mb']:.0f} MB. CPU (user + system, every process): "
        f"{e2e['cpu_seconds']:.0f} s, {e2e['cpu_ms_per_document']:.0f} ms per document, "
        f"so {e2e['documents_per_s_on_cpu_time']:.1f} documents/s on {len(e2e['cpus'])} idle "
        f"cores. Load average {e2e['load_before'][0]} before, {e2e['load_after'][0]} after "
        "(the machine is shared).",
        "",
    ]
    if st is None:
        return "\n".join(lines)
    lines += [
        "## Per stage (one core, in process, CPU seconds)",
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
    parser.add_argument("--no-stages", action="store_true",
                        help="end to end only (not the stages one by one in process)")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "end_to_end": end_to_end(args.corpus, args.work, args.cores),
    }
    if not args.no_stages:
        report["stages"] = stages(args.corpus, args.work)
    write_report(args.output, report, markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
