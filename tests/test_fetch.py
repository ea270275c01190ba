"""`rightsgraph fetch` against a stand-in server on 127.0.0.1 (never the network): the
seed stored with its manifest row and built, every refusal left out of the cache with its
reason, retries, redirects, refresh, a kill mid-way resumed to the same cache."""
from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, SEED, run_cli, shared
from docx_builder import docx_from_export
from stand_in import Reply, stand_in

from rightsgraph.fetch import Cache, Options, fetch, ordered_sources
from rightsgraph.fetch.http import HostLimiter, PoliteClient, retry_after
from rightsgraph.fetch.sources import Source, builtin_sources, config, user_source

SYMBOL = "CMW/C/AZE/CO/3"
ECU = "CMW/C/ECU/CO/3"
TEXT = {"Content-Type": "text/plain; charset=utf-8"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ERROR_PAGE = (b"<!DOCTYPE html><html><head><title>Error</title></head><body><h1>Sorry, "
              b"something went wrong.</h1><p>The document could not be found.</p></body></html>")
LOGIN_PAGE = (b"<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body>"
              b"<form><input type='text' name='user'><input type='password' name='pw'></form>"
              b"</body></html>")


def manifest(folder: Path) -> list[dict]:
    lines = (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def fetch_cli(capsys, server, folder, *args, template="/{language}/{symbol}"):
    return run_cli(capsys, "fetch", *args, "--source", server.url + template, "--to", folder,
                   "--backoff", "0.05")


def test_fetch_stores_the_seed_and_build_builds_it(tmp_path, capsys):
    seed = SEED.read_bytes()
    with stand_in() as server:
        server.route(f"/zh/{SYMBOL}", Reply(200, seed, TEXT))
        code, out, err = fetch_cli(capsys, server, tmp_path / "corpus", SYMBOL, "--language", "zh")
        assert code == 0, err
        stored = tmp_path / "corpus" / "CMW_C_AZE_CO_3.zh.txt"
        assert stored.read_bytes() == seed
        [row] = manifest(tmp_path / "corpus")
        assert row["symbol"] == SYMBOL and row["language"] == "zh" and row["outcome"] == "stored"
        assert row["url"] == f"{server.url}/zh/{SYMBOL}" and row["status"] == 200
        assert row["content_type"].startswith("text/plain") and row["size"] == len(seed)
        assert row["sha256"] == hashlib.sha256(seed).hexdigest() and row["time"]
        assert "stored 1" in out and "1/1" in err
        # a second run asks nothing and changes nothing
        code, out, _ = fetch_cli(capsys, server, tmp_path / "corpus", SYMBOL, "--language", "zh")
        assert code == 0 and len(server.requests) == 1 and "1 already in" in out
        assert len(manifest(tmp_path / "corpus")) == 1
        ua = server.requests[0].headers["User-Agent"]
        assert ua.startswith("rightsgraph/") and "https://rightsgraph.org/" in ua
    code, out, err = run_cli(capsys, "build", tmp_path / "corpus", "--store", tmp_path / "store",
                             "-j", "1")
    assert code == 0, err
    assert "1 documents, 66 paragraphs" in out


def _refused(capsys, tmp_path, reply: Reply, language: str = "en", symbol: str = ECU) -> dict:
    with stand_in() as server:
        server.route(f"/{language}/{symbol}", reply)
        code, out, err = fetch_cli(capsys, server, tmp_path / "c", symbol, "--language",
                                   language)
    assert code == 0, err  # a refusal is an answer, not a failure
    [row] = manifest(tmp_path / "c")
    assert row["outcome"] == "refused" and row["file"] is None
    assert [p.name for p in (tmp_path / "c").iterdir() if p.is_file()] == ["manifest.jsonl"]
    assert not list((tmp_path / "c" / ".partial").iterdir())
    assert f"refused: {symbol} ({language}): {row['reason']}" in out
    return row


def test_an_html_error_page_is_refused(tmp_path, capsys):
    row = _refused(capsys, tmp_path, Reply(200, ERROR_PAGE, {"Content-Type": "text/html"}))
    assert row["reason"].startswith("not concluding observations")
    assert row["sha256"] == hashlib.sha256(ERROR_PAGE).hexdigest()


def test_an_html_page_served_as_a_docx_is_refused(tmp_path, capsys):
    row = _refused(capsys, tmp_path, Reply(200, ERROR_PAGE, {"Content-Type": DOCX}))
    assert row["reason"] == f"an HTML page served as {DOCX}"


def test_a_login_page_is_refused(tmp_path, capsys):
    row = _refused(capsys, tmp_path, Reply(200, LOGIN_PAGE, {"Content-Type": "text/html"}))
    assert row["reason"].startswith("a login page")


def test_a_truncated_download_is_refused(tmp_path, capsys):
    body = (FIXTURES / "en" / "cmw_fixture.txt").read_bytes()
    row = _refused(capsys, tmp_path, Reply(200, body, TEXT, cut_at=5000))
    assert row["reason"] == f"truncated download: 5000 of {len(body)} bytes"


def test_a_pdf_cut_short_is_refused(tmp_path, capsys):
    pdf = (FIXTURES / "en" / "pdf" / "cmw_fixture.pdf").read_bytes()
    row = _refused(capsys, tmp_path, Reply(200, pdf[: len(pdf) // 2],
                                           {"Content-Type": "application/pdf"}))
    assert row["reason"].startswith("truncated PDF")


def test_a_docx_cut_short_is_refused(tmp_path, capsys):
    docx = tmp_path / "ecu.docx"
    docx_from_export(FIXTURES / "en" / "cmw_fixture.txt", docx)
    data = docx.read_bytes()
    row = _refused(capsys, tmp_path, Reply(200, data[: len(data) - 300], {"Content-Type": DOCX}))
    assert "DOCX" in row["reason"]


def test_a_document_in_another_language_is_refused(tmp_path, capsys):
    french = (FIXTURES / "fr" / "cmw_fixture.txt").read_bytes()
    row = _refused(capsys, tmp_path, Reply(200, french, TEXT))
    assert row["reason"] == "wrong language: the document is in fr, not en"


def test_another_document_is_refused(tmp_path, capsys):
    cerd = (FIXTURES / "en" / "cerd_fixture.txt").read_bytes()
    row = _refused(capsys, tmp_path, Reply(200, cerd, TEXT))
    assert row["reason"] == f"another document: CERD/C/URY/CO/21-23, not {ECU}"


def test_an_empty_answer_is_refused(tmp_path, capsys):
    # documents.un.org answers 200 with an empty body for a symbol it does not publish
    row = _refused(capsys, tmp_path, Reply(200, b"", {"Content-Type": "application/pdf"}))
    assert row["reason"].startswith("empty response")


def test_a_legacy_word_file_is_refused(tmp_path, capsys):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000
    row = _refused(capsys, tmp_path, Reply(200, ole, {"Content-Type": "application/msword"}))
    assert "legacy binary Word .doc" in row["reason"]


def test_not_found_is_recorded_and_not_asked_again(tmp_path, capsys):
    with stand_in() as server:
        code, out, _ = fetch_cli(capsys, server, tmp_path / "c", ECU, "--language", "en")
        assert code == 0 and "not-found 1" in out
        [row] = manifest(tmp_path / "c")
        assert row["outcome"] == "not-found" and row["status"] == 404 and row["file"] is None
        fetch_cli(capsys, server, tmp_path / "c", ECU, "--language", "en")
        assert len(server.requests) == 1
        fetch_cli(capsys, server, tmp_path / "c", ECU, "--language", "en", "--retry")
        assert len(server.requests) == 2


def test_429_waits_for_retry_after_then_stores(tmp_path, capsys):
    body = (FIXTURES / "en" / "cmw_fixture.txt").read_bytes()
    with stand_in() as server:
        server.route(f"/en/{ECU}", Reply(429, b"slow down", {"Retry-After": "1"}),
                     Reply(200, body, TEXT))
        code, _, err = fetch_cli(capsys, server, tmp_path / "c", ECU, "--language", "en")
        first, second = server.requests
    assert code == 0, err
    assert second.at - first.at >= 0.9  # Retry-After honoured
    assert manifest(tmp_path / "c")[0]["outcome"] == "stored"


def test_a_500_then_success_is_stored(tmp_path, capsys):
    body = (FIXTURES / "en" / "cmw_fixture.txt").read_bytes()
    with stand_in() as server:
        server.route(f"/en/{ECU}", Reply(500, b"oops"), Reply(200, body, TEXT))
        code, _, err = fetch_cli(capsys, server, tmp_path / "c", ECU, "--language", "en")
        assert len(server.requests) == 2
    assert code == 0, err
    assert (tmp_path / "c" / "CMW_C_ECU_CO_3.en.txt").read_bytes() == body


def test_a_server_that_keeps_failing_is_a_failure_retried_next_time(tmp_path, capsys):
    with stand_in() as server:
        server.route(f"/en/{ECU}", Reply(503, b"down"))
        code, out, _ = fetch_cli(capsys, server, tmp_path / "c", ECU, "--language", "en",
                                 "--retries", "1")
        assert code == 1 and f"failed: {ECU} (en): HTTP 503" in out
        assert len(server.requests) == 2
        fetch_cli(capsys, server, tmp_path / "c", ECU, "--language", "en", "--retries", "0")
        assert len(server.requests) == 3  # a failure is asked again without --retry
    assert not (tmp_path / "c" / "CMW_C_ECU_CO_3.en.txt").exists()


def test_a_redirect_is_followed_and_the_final_url_recorded(tmp_path, capsys):
    pdf = (FIXTURES / "en" / "pdf" / "cmw_fixture.pdf").read_bytes()
    with stand_in() as server:
        server.route(f"/en/{ECU}", Reply(302, b"", {"Location": "/files/ecu-en.pdf"}))
        server.route("/files/ecu-en.pdf", Reply(200, pdf, {"Content-Type": "application/pdf"}))
        code, _, err = fetch_cli(capsys, server, tmp_path / "c", ECU, "--language", "en")
    assert code == 0, err
    [row] = manifest(tmp_path / "c")
    assert row["url"].endswith("/files/ecu-en.pdf") and row["file"] == "CMW_C_ECU_CO_3.en.pdf"
    assert (tmp_path / "c" / row["file"]).read_bytes() == pdf


def test_formats_are_recognised_by_content_and_stored_with_their_extension(tmp_path, capsys):
    docx = tmp_path / "ecu.docx"
    docx_from_export(FIXTURES / "en" / "cmw_fixture.txt", docx)
    html = b"<html><body>" + b"".join(
        b"<p>" + line.encode() + b"</p>"
        for line in (FIXTURES / "es" / "cmw_fixture.txt").read_text(encoding="utf-8").splitlines()
    ) + b"</body></html>"
    with stand_in() as server:  # content types that say nothing useful
        server.route(f"/en/{ECU}", Reply(200, docx.read_bytes(),
                                         {"Content-Type": "application/octet-stream"}))
        server.route(f"/es/{ECU}", Reply(200, html, {"Content-Type": "text/html"}))
        code, _, err = fetch_cli(capsys, server, tmp_path / "c", ECU, "--language", "en,es")
    assert code == 0, err
    assert {row["file"] for row in manifest(tmp_path / "c")} == {
        "CMW_C_ECU_CO_3.en.docx", "CMW_C_ECU_CO_3.es.html"}


def test_refresh_asks_with_the_etag_and_keeps_an_unchanged_file(tmp_path, capsys):
    seed = SEED.read_bytes()
    with stand_in() as server:
        server.route(f"/zh/{SYMBOL}", Reply(200, seed, {**TEXT, "ETag": '"v1"'}),
                     Reply(304, b"", {"ETag": '"v1"'}))
        fetch_cli(capsys, server, tmp_path / "c", SYMBOL, "--language", "zh")
        before = (tmp_path / "c" / "CMW_C_AZE_CO_3.zh.txt").stat().st_mtime_ns
        code, out, _ = fetch_cli(capsys, server, tmp_path / "c", SYMBOL, "--language", "zh",
                                 "--refresh")
        assert code == 0 and "unchanged 1" in out
        assert server.requests[1].headers["If-None-Match"] == '"v1"'
    assert (tmp_path / "c" / "CMW_C_AZE_CO_3.zh.txt").stat().st_mtime_ns == before
    assert [row["outcome"] for row in manifest(tmp_path / "c")] == ["stored", "unchanged"]


def test_refresh_replaces_a_changed_document(tmp_path, capsys):
    old = (FIXTURES / "en" / "cmw_fixture.txt").read_bytes()
    docx = tmp_path / "ecu.docx"
    docx_from_export(FIXTURES / "en" / "cmw_fixture.txt", docx)
    with stand_in() as server:
        server.route(f"/en/{ECU}", Reply(200, old, {**TEXT, "ETag": '"v1"'}),
                     Reply(200, docx.read_bytes(), {"Content-Type": DOCX, "ETag": '"v2"'}))
        fetch_cli(capsys, server, tmp_path / "c", ECU, "--language", "en")
        fetch_cli(capsys, server, tmp_path / "c", ECU, "--language", "en", "--refresh")
    assert not (tmp_path / "c" / "CMW_C_ECU_CO_3.en.txt").exists()
    assert (tmp_path / "c" / "CMW_C_ECU_CO_3.en.docx").read_bytes() == docx.read_bytes()
    assert manifest(tmp_path / "c")[-1]["etag"] == '"v2"'


def _documents() -> dict[str, tuple[bytes, dict]]:
    """Six language versions: the seed and the CMW fixture in five languages."""
    out = {f"/zh/{SYMBOL}": (SEED.read_bytes(), TEXT)}
    for lang in ("en", "fr", "es", "ru", "ar"):
        out[f"/{lang}/{ECU}"] = ((FIXTURES / lang / "cmw_fixture.txt").read_bytes(), TEXT)
    return out


def _cache_state(folder: Path) -> tuple[dict[str, str], set[tuple]]:
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
             for p in folder.iterdir() if p.is_file() and p.name != "manifest.jsonl"}
    rows = {(r["symbol"], r["language"], r["outcome"], r["file"], r["sha256"])
            for r in manifest(folder)}
    return files, rows


def _fetch_process(server, folder: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "rightsgraph.cli", "fetch", SYMBOL, ECU, "--to", folder,
               "--source", server.url + "/{language}/{symbol}", "--concurrency", "1"]
    return subprocess.Popen([str(c) for c in command], cwd=folder.parent,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_killed_mid_way_a_rerun_resumes_to_the_same_cache(tmp_path):
    with stand_in() as server:
        for path, (body, headers) in _documents().items():
            server.route(path, Reply(200, body, headers, pace=0.15))  # slow: 4 KB per 0.15 s
        victim = _fetch_process(server, tmp_path / "killed")
        rows = tmp_path / "killed" / "manifest.jsonl"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # kill once one document is in and more are coming
            if rows.exists() and '"outcome": "stored"' in rows.read_text():
                break
            assert victim.poll() is None, victim.stderr.read().decode()
            time.sleep(0.05)
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
        before = _cache_state(tmp_path / "killed")[0]
        assert 1 <= len(before) < 6, "the kill did not land mid-way"
        resumed = _fetch_process(server, tmp_path / "killed")
        assert resumed.wait(timeout=300) == 0, resumed.stderr.read().decode()
        for name in before:  # what was stored before the kill was not asked again
            symbol = SYMBOL if name.startswith("CMW_C_AZE") else ECU
            assert len(server.hits(f"/{name.split('.')[-2]}/{symbol}")) == 1, name
        whole = _fetch_process(server, tmp_path / "whole")
        assert whole.wait(timeout=300) == 0
    assert _cache_state(tmp_path / "killed") == _cache_state(tmp_path / "whole")
    assert len(_cache_state(tmp_path / "whole")[0]) == 6
    assert not list((tmp_path / "killed" / ".partial").iterdir())


# --- adapters of the data file, served by the stand-in ---------------------------------


def _moved(source: Source, server_url: str, **changes) -> Source:
    """The built-in source with its host replaced by the stand-in's."""
    scheme_host = "https://" + source.host
    fields = {**vars(source), "template": source.template.replace(scheme_host, server_url)}
    fields.update(changes)
    return Source(**fields)


def test_the_un_document_system_adapters_with_an_unpublished_word_version(tmp_path):
    sources = builtin_sources()
    pdf = (FIXTURES / "en" / "pdf" / "cmw_fixture.pdf").read_bytes()
    with stand_in() as server:
        doc, pdf_source = (_moved(sources[n], server.url) for n in ("ods-doc", "ods-pdf"))
        server.route("/api/symbol/access?s=CMW%2FC%2FECU%2FCO%2F3&l=E&t=doc",
                     Reply(200, b"", {"Content-Type": "application/octet-stream"}))
        server.route("/api/symbol/access?s=CMW%2FC%2FECU%2FCO%2F3&l=E&t=pdf",
                     Reply(200, pdf, {"Content-Type": "application/pdf"}))
        client = PoliteClient(rate=0, backoff=0.01)
        summary = fetch([(ECU, "en")], Cache(tmp_path / "c"), [doc, pdf_source], client)
        client.close()
    assert dict(summary.outcomes) == {"stored": 1}
    [row] = manifest(tmp_path / "c")
    assert row["source"] == "ods-pdf" and row["file"] == "CMW_C_ECU_CO_3.en.pdf"


LANDING = """<html><body><table>
<tr><td>English</td>
<td><a title="English pdf" href="https://docstore.ohchr.org/SelfServices/FilesHandler.ashx?enc=EN-PDF">PDF</a></td>
<td><a title="English docx" href="https://docstore.ohchr.org/SelfServices/FilesHandler.ashx?enc=EN-DOCX">Word</a></td></tr>
<tr><td>French</td>
<td><a title="French pdf" href="https://docstore.ohchr.org/SelfServices/FilesHandler.ashx?enc=FR-PDF">PDF</a></td></tr>
<tr><td><a href="https://www.ohchr.org/en/about-us">About us</a></td></tr>
</table></body></html>"""


def test_the_treaty_body_database_page_links_each_language():
    source = builtin_sources()["tbinternet"]
    base = "https://tbinternet.ohchr.org/_layouts/15/treatybodyexternal/Download.aspx"
    assert source.links(LANDING, base, "en") == [
        "https://docstore.ohchr.org/SelfServices/FilesHandler.ashx?enc=EN-DOCX",
        "https://docstore.ohchr.org/SelfServices/FilesHandler.ashx?enc=EN-PDF"]
    assert source.links(LANDING, base, "fr") == [
        "https://docstore.ohchr.org/SelfServices/FilesHandler.ashx?enc=FR-PDF"]
    assert source.links(LANDING, base, "ru") == []


def test_the_treaty_body_database_adapter_end_to_end(tmp_path):
    docx = tmp_path / "ecu.docx"
    docx_from_export(FIXTURES / "en" / "cmw_fixture.txt", docx)
    with stand_in() as server:
        page = LANDING.replace("https://docstore.ohchr.org", server.url)
        source = _moved(builtin_sources()["tbinternet"], server.url, link_host="127.0.0.1")
        # one page, in English, links every language's files (Lang= is the page's language)
        server.route("/_layouts/15/treatybodyexternal/Download.aspx?symbolno=CMW%2FC%2FECU"
                     "%2FCO%2F3&Lang=en", Reply(200, page.encode(), {"Content-Type": "text/html"}))
        server.route("/SelfServices/FilesHandler.ashx?enc=EN-DOCX",
                     Reply(200, docx.read_bytes(), {"Content-Type": DOCX}))
        client = PoliteClient(rate=0)
        summary = fetch([(ECU, "en"), (ECU, "ru")], Cache(tmp_path / "c"), [source], client)
        client.close()
    assert dict(summary.outcomes) == {"stored": 1, "not-found": 1}
    rows = {row["language"]: row for row in manifest(tmp_path / "c")}
    assert rows["en"]["file"] == "CMW_C_ECU_CO_3.en.docx"
    assert rows["ru"]["reason"] == "the page links no ru version"


# --- the data file and the politeness rules ----------------------------------------------


def test_every_source_is_cited_and_fills_in():
    data = config()
    assert set(data["order"]) <= set(data["sources"])
    assert set(data["un_languages"]) == set(data["language_names"]) == {
        "en", "fr", "es", "ru", "ar", "zh"}
    for name, source in builtin_sources().items():
        assert data["sources"][name]["cited"], name
        url = source.url("CRC/C/15/Add.183", "zh")
        assert "{" not in url and "CRC%2FC%2F15%2FAdd.183" in url
    assert builtin_sources()["ods-pdf"].url(SYMBOL, "fr") == (
        "https://documents.un.org/api/symbol/access?s=CMW%2FC%2FAZE%2FCO%2F3&l=F&t=pdf")


@pytest.mark.parametrize(("template", "message"), [
    ("https://mirror.example/{language}/{symbl}", "unknown placeholder {symbl}"),
    ("https://mirror.example/{language}", "needs {symbol} or {symbol_encoded}"),
    ("file:///etc/{symbol}", "not an http(s) URL"),
])
def test_a_bad_template_is_refused_with_the_reason(template, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        user_source(template)


def test_a_user_template_fills_the_symbol_raw_or_encoded():
    assert user_source("https://m.example/{language}/{symbol}").url(SYMBOL, "zh") == (
        "https://m.example/zh/CMW/C/AZE/CO/3")
    assert user_source("https://m.example/d?s={symbol_encoded}&l={un_language}").url(
        SYMBOL, "zh") == "https://m.example/d?s=CMW%2FC%2FAZE%2FCO%2F3&l=C"
    assert [s.name for s in ordered_sources(["ods-pdf"], ["https://m.example/{symbol}"])] == [
        "user-1", "ods-pdf"]
    with pytest.raises(ValueError, match="no source to ask"):
        ordered_sources([], [])


def test_the_host_limiter_spaces_requests_to_one_host():
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = HostLimiter(1.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        limiter.wait("documents.un.org")
    limiter.wait("tbinternet.ohchr.org")  # another host does not wait
    assert slept == [1.0, 1.0]
    limiter.wait("documents.un.org", at_least=5.0)  # a Retry-After pushes the next request
    assert slept[-1] == 5.0


def test_retry_after_reads_seconds_and_dates():
    assert retry_after("7", 0.0) == 7.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470.0) == 10.0
    assert retry_after("soon", 0.0) is None and retry_after(None, 0.0) is None


def test_selection_needs_the_list_of_known_documents(tmp_path, capsys):
    code, _, err = run_cli(capsys, "fetch", "--committee", "CMW", "--to", tmp_path / "c")
    assert code == 2 and "--uhri EXPORT.json" in err


def test_check_sources_asks_each_source_for_one_document(tmp_path, capsys):
    with stand_in() as server:
        server.route(f"/zh/{SYMBOL}", Reply(200, SEED.read_bytes(), TEXT))
        code, out, _ = run_cli(capsys, "fetch", "--check-sources", "--language", "zh",
                               "--source", server.url + "/{language}/{symbol}")
    assert code == 0
    assert out.splitlines()[0].startswith("user-1       ok")
    assert out.splitlines()[-1] == f"1 of 1 sources gave {SYMBOL} (zh)"


def test_check_sources_says_per_source_what_answered(tmp_path, capsys):
    """Each source asked for the seed in English, against a stand-in server: the document
    system's Word version is an error page (refused), its PDF is a 503 every time (failed),
    the treaty body database's page links the English Word file (ok), a mirror has nothing
    (not found); every request is printed with what answered it."""
    from rightsgraph.fetch.cli import _check_sources

    docx = tmp_path / "seed.docx"
    docx_from_export(FIXTURES / "en" / "cmw_fixture.txt", docx)
    page = LANDING.replace("https://docstore.ohchr.org", "")
    builtin = builtin_sources()
    with stand_in() as server:
        sources = [_moved(builtin["ods-doc"], server.url), _moved(builtin["ods-pdf"], server.url),
                   _moved(builtin["tbinternet"], server.url, link_host="127.0.0.1"),
                   user_source(server.url + "/mirror/{language}/{symbol}")]
        server.route("/api/symbol/access?s=CMW%2FC%2FECU%2FCO%2F3&l=E&t=doc",
                     Reply(200, ERROR_PAGE, {"Content-Type": DOCX}))
        server.route("/api/symbol/access?s=CMW%2FC%2FECU%2FCO%2F3&l=E&t=pdf",
                     Reply(503, b"busy", TEXT))
        server.route("/_layouts/15/treatybodyexternal/Download.aspx?symbolno=CMW%2FC%2FECU"
                     "%2FCO%2F3&Lang=en", Reply(200, page.encode(), {"Content-Type": "text/html"}))
        server.route("/SelfServices/FilesHandler.ashx?enc=EN-DOCX",
                     Reply(200, docx.read_bytes(), {"Content-Type": DOCX}))
        client = PoliteClient(rate=0, retries=1, backoff=0.01)
        code = _check_sources(sources, client, ["en"], ECU)
    out = capsys.readouterr().out
    assert code == 0  # one source at least gave the document
    blocks = re.split(r"\n(?=\S)", out.strip())
    by_source = {block.split()[0]: block for block in blocks}
    assert by_source["ods-doc"].split("\n")[0].split(None, 1)[1].startswith(
        "refused: an HTML page served as")
    assert "-> HTTP 200, " + DOCX in by_source["ods-doc"]
    assert by_source["ods-pdf"].split(None, 1)[1].startswith("failed: ")
    assert "HTTP 503" in by_source["ods-pdf"]
    tb = by_source["tbinternet"].splitlines()
    assert tb[0].split(None, 1)[1].startswith("ok: a docx document that passes the checks")
    assert tb[1].strip().startswith("GET " + server.url + "/_layouts/15/treatybodyexternal/")
    assert tb[1].endswith("; the page links 2 en version(s)")
    assert "FilesHandler.ashx?enc=EN-DOCX -> HTTP 200, " + DOCX in tb[2]
    assert by_source["user-1"].split(None, 1)[1].startswith("not-found: HTTP 404")
    assert blocks[-1] == f"1 of 4 sources gave {ECU} (en)"


def test_options_default_to_polite_values():
    assert Options().concurrency == 4
    client = PoliteClient()
    assert client.limiter.interval == 1.0 and client.retries == 3
    client.close()


@pytest.mark.parametrize(("selection", "expected"), [
    (["--committee", "CMW"], ["CMW/C/ECU/CO/3", "CMW/C/AZE/CO/3"]),  # by publication date
    (["--state", "AZE"], ["CMW/C/AZE/CO/3"]),
    (["--committee", "cmw", "--since", "2022"], ["CMW/C/AZE/CO/3"]),
    (["--until", "2021-12-31"], ["CMW/C/ECU/CO/3"]),
    (["--all"], ["CMW/C/ECU/CO/3", "CMW/C/AZE/CO/3", "CRC/C/PER/CO/6-7"]),  # not the UPR
])
def test_a_selection_from_the_uhri_export(selection, expected, capsys):
    export = FIXTURES / "uhri" / "export-test.json"
    code, out, _ = run_cli(capsys, "fetch", "--uhri", export, *selection, "--list")
    assert code == 0 and out.split() == expected


def test_fetch_lists_whose_observations_each_symbol_is_for_build(tmp_path, capsys):
    """With the UHRI export, the cache lists every concluding observations document the
    export knows with its State (the symbol's, or the record's one country for an old
    symbol), so that build knows whose older observations a document cites."""
    from rightsgraph.core.known_symbols import TABLE, Known, read_table

    records = json.loads((FIXTURES / "uhri" / "export-test.json").read_text("utf-8"))
    old = dict(records[0], Symbol="CRC/C/15/Add.77", Countries=["Azerbaijan"],
               AnnotationId="old-1", PublicationDate="2002-06-11T00:00:00")
    export = tmp_path / "export.json"
    export.write_text(json.dumps([*records, old]), "utf-8")
    seed = SEED.read_bytes()
    with stand_in() as server:
        server.route(f"/zh/{SYMBOL}", Reply(200, seed, TEXT))
        code, _, err = fetch_cli(capsys, server, tmp_path / "c", "--uhri", export, "--state",
                                 "AZE", "--committee", "CMW", "--language", "zh")
    assert code == 0, err
    assert f"listed in {tmp_path / 'c'}/{TABLE}" in err
    listed = dict(read_table(tmp_path / "c" / TABLE))
    assert listed["CRC/C/15/Add.77"] == Known("CRC", "AZE")
    assert listed[SYMBOL] == Known("CMW", "AZE") and listed["CRC/C/PER/CO/6-7"].state == "PER"
    assert all("A/HRC" not in symbol for symbol in listed)  # UPR records are not observations
    lines = (tmp_path / "c" / TABLE).read_text("utf-8").splitlines()
    assert lines[0] == "symbol\tcommittee\tstate\tpublished\tsource"
    assert "CRC/C/15/Add.77\tCRC\tAZE\t2002-06-11\tUHRI export export.json" in lines


def test_an_old_symbol_is_fetched_by_its_old_form(tmp_path, capsys):
    # CRC/C/15/Add.183 (2002, French; the UN's page as in ../shared/corpus/openings)
    opening = shared("corpus", "openings", "4.fr.txt").read_text(encoding="utf-8")
    body = opening.split("\n", 1)[1].encode()  # its first line is provenance, not the page
    with stand_in() as server:
        server.route("/fr/CRC/C/15/Add.183", Reply(200, body, TEXT))
        code, _, err = fetch_cli(capsys, server, tmp_path / "c", "crc/c/15/ADD.183",
                                 "--language", "fr")
    assert code == 0, err
    [row] = manifest(tmp_path / "c")
    assert row["symbol"] == "CRC/C/15/Add.183" and row["file"] == "CRC_C_15_Add.183.fr.txt"
