"""The newcomer's path in a real browser (headless Chromium driven by Selenium) against a real
``rightsgraph serve``: search, click through to the paragraph, read its links, download it as
Turtle; and the SPARQL editor (YASGUI) runs a query.

CI installs Chromium (Debian ``chromium chromium-driver``); without it these tests fail."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import httpx
import pytest
from conftest import free_port, running
from rdflib import Graph
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import Select, WebDriverWait

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def site(web_store, tmp_path_factory):
    """``rightsgraph serve`` on a free loopback port; its root URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    command = [str(Path(sys.executable).parent / "rightsgraph"), "serve", "--store",
               str(web_store), "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    url = f"http://127.0.0.1:{port}"
    with running(command, url + "/", log, "rightsgraph serve"):
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists() and not shutil.which(Path(path).name):
            pytest.fail(f"{path} is missing: apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1280,1600",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def test_newcomer_finds_the_migration_strategy_and_downloads_it(site, browser):
    browser.get(site + "/")
    browser.find_element(By.NAME, "q").send_keys("移民战略")
    Select(browser.find_element(By.NAME, "state")).select_by_visible_text("Azerbaijan")
    browser.find_element(By.CSS_SELECTOR, "form.search button").click()
    WebDriverWait(browser, 20).until(ready.presence_of_element_located((By.ID, "count")))
    browser.find_element(By.LINK_TEXT, "CMW/C/AZE/CO/3 ¶16").click()
    WebDriverWait(browser, 20).until(ready.title_contains("¶16"))
    assert browser.current_url == site + "/doc/CMW/C/AZE/CO/3/para/16"
    texts = browser.find_element(By.ID, "texts").text
    assert "委员会建议缔约国立即通过国家移民战略" in texts
    articles = browser.find_element(By.ID, "inherited").text
    assert "ICRMW article 73" in articles and "ICRMW article 84" in articles
    assert browser.find_element(By.ID, "sdg").text.startswith("SDG targets")
    assert browser.find_element(By.ID, "earlier").text.startswith("Earlier recommendations")

    turtle = browser.find_element(By.LINK_TEXT, "Turtle").get_attribute("href")
    response = httpx.get(turtle, timeout=30)
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    assert len(graph) > 10


def test_a_paragraph_with_sdg_targets_and_earlier_recommendations(site, browser):
    browser.get(site + "/doc/CMW/C/AZE/CO/3/para/13")
    assert "ICRMW article 76" in browser.find_element(By.ID, "articles").text
    browser.find_element(By.PARTIAL_LINK_TEXT, "CMW/C/AZE/CO/2 ¶11")
    browser.get(site + "/doc/CMW/C/AZE/CO/3/para/46")
    assert "By 2030, provide legal identity for all" in browser.find_element(By.ID, "sdg").text
    browser.find_element(By.ID, "sdg").find_element(By.LINK_TEXT, "16.9").click()
    WebDriverWait(browser, 20).until(ready.title_contains("SDG target 16.9"))
    assert "/doc/CMW/C/AZE/CO/3/para/46" in browser.page_source


def test_the_sparql_editor_runs_an_example_query(site, browser):
    browser.get(site + "/sparql")
    wait = WebDriverWait(browser, 30)
    wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, ".yasqe .CodeMirror")))
    tabs = browser.find_elements(By.CSS_SELECTOR, ".tabsList .tab")
    assert len(tabs) >= 5
    browser.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, ".yasr table.dataTable td")))
    results = browser.find_element(By.CSS_SELECTOR, ".yasr").text
    assert "CMW/C/AZE/CO/3" in results and "ICRMW/73" in results
