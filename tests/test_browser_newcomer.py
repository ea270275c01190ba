"""A newcomer's first session in a real browser (headless Chromium, Selenium) on what `make
graph` builds (the seed, CMW/C/AZE/CO/3 in Chinese), with a screenshot of every step in the
test's temporary folder (issue 11, "Done when"): the home page listing the documents held, a
search that finds and one that explains why it does not, a paragraph, an article page
reached from the paragraph's heading, a paragraph the store only cites, /docs rendered
offline, /void as a page, the SPARQL editor's plain results and a 404 with navigation."""
from __future__ import annotations

import shutil
import subprocess
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


def a_chinese_font() -> bool:
    """Whether fontconfig knows a font with Chinese glyphs (else screenshots show boxes)."""
    if not shutil.which("fc-list"):
        return False
    found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True,
                           check=False)
    return bool(found.stdout.strip())


def test_a_newcomers_first_session(seed_site, browser, tmp_path):  # noqa: F811
    assert a_chinese_font(), "no CJK font: apt-get install fonts-noto-cjk"
    wait = WebDriverWait(browser, 30)

    def shot(name: str) -> None:
        assert browser.save_screenshot(str(tmp_path / f"{name}.png"))

    # the home page lists the documents held
    browser.get(seed_site + "/")
    held = browser.find_element(By.ID, "documents")
    row = held.find_element(By.XPATH, ".//tr[td/a[text()='CMW/C/AZE/CO/3']]").text
    for cell in ("CMW", "Azerbaijan", "2021", "zh", "66"):
        assert cell in row
    shot("01-home-documents-held")

    # a search that finds
    browser.find_element(By.NAME, "q").send_keys("移民战略")
    browser.find_element(By.CSS_SELECTOR, "form.search button").click()
    wait.until(ready.presence_of_element_located((By.ID, "count")))
    assert not browser.find_element(By.ID, "count").text.startswith("0 ")
    shot("02-search-finds")

    # a paragraph
    browser.find_element(By.LINK_TEXT, "CMW/C/AZE/CO/3 ¶16").click()
    wait.until(ready.title_contains("¶16"))
    assert "国家移民战略" in browser.find_element(By.ID, "texts").text
    shot("03-paragraph")

    # an article page reached from the paragraph's heading
    inherited = browser.find_element(By.ID, "inherited")
    inherited.find_element(By.PARTIAL_LINK_TEXT, "ICRMW article 73").click()
    wait.until(ready.title_contains("73"))
    assert "/treaty/ICRMW/article/73" in browser.current_url
    assert browser.find_elements(By.CSS_SELECTOR, 'main a[href$="/CMW/C/AZE/CO/3/para/16"]')
    shot("04-article-from-heading")

    # a search that finds nothing, and says why
    browser.get(seed_site + "/")
    browser.find_element(By.NAME, "q").send_keys("migration strategy")
    browser.find_element(By.CSS_SELECTOR, "form.search button").click()
    wait.until(ready.presence_of_element_located((By.ID, "count")))
    assert browser.find_element(By.ID, "count").text.startswith("0 ")
    assert "Chinese" in browser.find_element(By.ID, "held-languages").text
    why = browser.find_element(By.ID, "not-in-a-held-language").text
    assert "English" in why and "rightsgraph fetch CMW/C/AZE/CO/3 --language en" in why
    shot("05-search-explains")
    browser.find_element(By.ID, "browse").find_element(
        By.PARTIAL_LINK_TEXT, "every paragraph in Chinese").click()
    wait.until(ready.text_to_be_present_in_element((By.ID, "count"), "66"))

    # a paragraph the store only cites, reached from the paragraph that reiterates it
    browser.get(seed_site + "/doc/CMW/C/AZE/CO/3/para/11")
    browser.find_element(By.ID, "earlier").find_element(
        By.LINK_TEXT, "CMW/C/AZE/CO/2 ¶13").click()
    wait.until(ready.presence_of_element_located((By.ID, "not-held")))
    assert "does not hold its text" in browser.find_element(By.ID, "not-held").text
    assert browser.find_element(By.ID, "read-it").get_attribute("href") == \
        "https://undocs.org/en/CMW/C/AZE/CO/2"
    assert "CMW/C/AZE/CO/3 ¶11" in browser.find_element(By.ID, "cited-by").text
    assert "No article is cited" not in browser.page_source
    shot("06-cited-only-paragraph")

    # /docs rendered offline, under the pages' Content-Security-Policy
    browser.get(seed_site + "/docs")
    WebDriverWait(browser, 60).until(
        ready.presence_of_element_located((By.CSS_SELECTOR, ".opblock-summary-path")))
    paths = {e.text.replace("\u200b", "")
             for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
    assert "/api/paragraphs" in paths and "/api/chain" in paths
    shot("07-docs")

    # /void as a page
    browser.get(seed_site + "/void")
    summary = browser.find_element(By.ID, "summary").text
    assert "Chinese (zh): 1 version" in summary and "Quads" in summary
    assert "article" in browser.find_element(By.ID, "links").text
    shot("08-void")

    # the SPARQL editor: plain values, whole column names
    browser.get(seed_site + "/sparql")
    wait.until(lambda b: b.execute_script("return !!window.rightsgraphEditor"))
    browser.execute_script("""var y = window.rightsgraphEditor;
        y.selectTabId(Object.keys(y._tabs)[1]); y.getTab().query();""")
    wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, ".yasr tbody tr td")))
    headers = browser.find_elements(By.CSS_SELECTOR, ".yasr thead th")
    assert [h.text for h in headers if h.text] == ["target", "committee", "paragraphs",
                                                   "label"]
    for header in headers:
        assert browser.execute_script(
            "var d = arguments[0].querySelector('div') || arguments[0];"
            "return d.scrollWidth <= d.clientWidth + 1;", header), header.text
    cells = browser.find_element(By.CSS_SELECTOR, ".yasr tbody").text
    assert "^^" not in cells and "XMLSchema" not in cells
    shot("09-sparql-plain-values")

    # a 404 with navigation
    browser.get(seed_site + "/doc/NOPE/1")
    assert "404" in browser.title
    nav = browser.find_element(By.ID, "elsewhere")
    for href in ("/", "/sparql", "/docs", "/void"):
        assert nav.find_element(By.CSS_SELECTOR, f'a[href="{href}"]')
    shot("10-not-found")
    assert len(list(tmp_path.glob("*.png"))) == 10
