"""A newcomer's first session in a real browser (headless Chromium, Selenium) on what `make
graph` builds (the seed, CMW/C/AZE/CO/3 in Chinese), with a screenshot of every step in the
test's temporary folder (issue 11).  Covered: search that finds, a paragraph, an article page
reached from the paragraph's heading, /docs rendered offline, a 404 with navigation."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import SEED, free_port, running
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait
from test_browser import browser  # noqa: F401 - the shared Chromium fixture


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory):
    """``rightsgraph build seeds`` then ``serve``, as `make graph` does, in a temp folder."""
    from rightsgraph.graph.build import build
    from rightsgraph.graph.store import open_store

    store = tmp_path_factory.mktemp("seed") / "store"
    with open_store(store) as opened:
        assert build([SEED], opened).ok
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    command = [str(Path(sys.executable).parent / "rightsgraph"), "serve", "--store", str(store),
               "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    url = f"http://127.0.0.1:{port}"
    with running(command, url + "/", log, "rightsgraph serve"):
        yield url


def test_a_newcomers_first_session(seed_site, browser, tmp_path):  # noqa: F811
    def shot(name: str) -> None:
        assert browser.save_screenshot(str(tmp_path / f"{name}.png"))

    browser.get(seed_site + "/")
    shot("01-home")
    browser.find_element(By.NAME, "q").send_keys("移民战略")
    browser.find_element(By.CSS_SELECTOR, "form.search button").click()
    WebDriverWait(browser, 30).until(ready.presence_of_element_located((By.ID, "count")))
    assert not browser.find_element(By.ID, "count").text.startswith("0 ")
    shot("02-search-finds")

    browser.find_element(By.LINK_TEXT, "CMW/C/AZE/CO/3 ¶16").click()
    WebDriverWait(browser, 30).until(ready.title_contains("¶16"))
    assert "国家移民战略" in browser.find_element(By.ID, "texts").text
    shot("03-paragraph")

    inherited = browser.find_element(By.ID, "inherited")
    inherited.find_element(By.PARTIAL_LINK_TEXT, "ICRMW article 73").click()
    WebDriverWait(browser, 30).until(ready.title_contains("73"))
    assert "/treaty/ICRMW/article/73" in browser.current_url
    assert browser.find_elements(By.CSS_SELECTOR, 'main a[href$="/CMW/C/AZE/CO/3/para/16"]')
    shot("04-article-from-heading")

    browser.get(seed_site + "/docs")
    WebDriverWait(browser, 60).until(
        ready.presence_of_element_located((By.CSS_SELECTOR, ".opblock-summary-path")))
    paths = {e.text.replace("\u200b", "")
             for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
    assert "/api/paragraphs" in paths and "/api/chain" in paths
    shot("05-docs")

    browser.get(seed_site + "/doc/NOPE/1")
    assert "404" in browser.title
    nav = browser.find_element(By.ID, "elsewhere")
    for href in ("/", "/sparql", "/docs", "/void"):
        assert nav.find_element(By.CSS_SELECTOR, f'a[href="{href}"]')
    shot("06-not-found")
    assert len(list(tmp_path.glob("*.png"))) == 6
