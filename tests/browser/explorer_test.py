#!/usr/bin/env python3
"""Drives the papergraph explorer (`papergraph serve`) in headless Chromium.

Searches "kv cache", opens the KV cache concept, SCBench's paper page (highlighted evidence), the
concept's graph and the SPARQL page (canned query `count-papers`, then a syntax error), saving a
screenshot of each view. Fails on a missing element, a JavaScript error in the console, or any
request to a host other than loopback. Needs Debian's chromium and chromium-driver, and
`pip install -r tests/browser/requirements.txt`.

    python3 tests/browser/explorer_test.py --url http://127.0.0.1:7979 --screenshots /tmp/shots
"""

import argparse
import contextlib
import ipaddress
import json
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
TIMEOUT = 30  # seconds any one step may take


class Failure(Exception):
    pass


def start_browser(profile):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", f"--user-data-dir={profile}", "--window-size=1400,1000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    # An explicit driver path: Selenium Manager never runs, so nothing is downloaded.
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


class Explorer:
    def __init__(self, driver, url, screenshots):
        self.driver, self.url, self.screenshots = driver, url.rstrip("/"), screenshots
        self.step = "start"
        self.requests = []  # every URL the page requested
        self.console = []  # browser log entries

    def wait(self, condition, what):
        try:
            return WebDriverWait(self.driver, TIMEOUT).until(condition)
        except WebDriverException as error:
            raise Failure(f"{what}: not seen within {TIMEOUT} s") from error

    def element(self, css, what):
        return self.wait(EC.visibility_of_element_located((By.CSS_SELECTOR, css)), what)

    def view(self, name):
        """Waits until the router has rendered view `name` without error."""
        self.wait(EC.presence_of_element_located((By.CSS_SELECTOR, f'main[data-view="{name}"][data-state]:not([data-state="loading"])')),
                  f"the {name} view")
        state = self.driver.find_element(By.ID, "view").get_attribute("data-state")
        if state != "ready":
            raise Failure(f"the {name} view shows an error: {self.driver.find_element(By.ID, 'view').text[:500]}")

    def screenshot(self, name):
        self.driver.save_screenshot(str(self.screenshots / name))

    def collect_logs(self):
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"]["url"])
        self.console += self.driver.get_log("browser")

    def run(self):
        d = self.driver
        self.step = "search"
        d.get(self.url + "/#/")
        self.view("home")
        search = self.element("#search", "the search box")
        search.send_keys("kv cache")
        option = self.wait(EC.element_to_be_clickable((By.XPATH,
            "//ul[contains(@class,'suggestions')]/li[span[@class='label' and normalize-space()='KV cache']]")),
            "the autocomplete suggestion “KV cache”")
        option.click()

        self.step = "concept page"
        self.view("concept")
        title = self.element("main h1", "the concept title").text
        if title != "KV cache":
            raise Failure(f"the concept page is titled {title!r}, not 'KV cache'")
        papers = d.find_elements(By.CSS_SELECTOR, "#concept-papers tbody tr")
        scbench = self.wait(EC.element_to_be_clickable((By.XPATH,
            "//table[@id='concept-papers']//a[contains(normalize-space(), 'SCBench')]")), "a paper titled SCBench")
        self.screenshot("concept.png")

        self.step = "paper page"
        scbench.click()
        self.view("paper")
        self.element("#paper-title", "the paper title")
        marks = self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#abstract mark"), "highlighted evidence in the abstract")
        self.screenshot("paper.png")

        self.step = "graph view"
        d.back()
        self.view("concept")
        self.element("#open-graph", "the Graph button").click()
        self.view("graph")
        self.element('#cy[data-ready="true"] canvas', "the graph canvas")
        count = self.element("#graph-count", "the graph's node count")
        nodes, edges = int(count.get_attribute("data-nodes")), int(count.get_attribute("data-edges"))
        if nodes <= 10:
            raise Failure(f"the graph has {nodes} nodes, expected more than 10")
        self.screenshot("graph.png")

        self.step = "SPARQL: canned query"
        d.find_element(By.CSS_SELECTOR, 'header nav a[data-view="sparql"]').click()
        self.view("sparql")
        self.element('.canned-list a[data-name="count-papers"]', "the canned query count-papers").click()
        self.wait(lambda d: "count-papers" in d.find_element(By.CSS_SELECTOR, "#canned-params h2").text, "count-papers selected")
        self.element("#run-query", "the Run button").click()
        rows = self.wait(lambda d: d.find_element(By.ID, "sparql-count").get_attribute("data-rows"), "the result count")
        if int(rows) < 1:
            raise Failure(f"count-papers answered {rows} rows")
        self.element(".yasr table tbody tr", "the results table")
        self.screenshot("sparql.png")

        self.step = "SPARQL: syntax error"
        # Typed, so that the editor's autocompleters run (none may fetch from the network).
        d.execute_script("document.querySelector('.yasqe .CodeMirror').CodeMirror.setValue('')")
        self.element(".yasqe .CodeMirror-lines", "the query editor").click()
        ActionChains(d).send_keys("SELECT ?paper WHERE { ?paper a schema:ScholarlyArticle").send_keys(Keys.ESCAPE).perform()
        self.element(".yasqe_queryButton", "the editor's run button").click()
        error = self.element("#sparql-error", "the syntax error message").text
        if not error.strip():
            raise Failure("the SPARQL error message is empty")
        self.screenshot("sparql-error.png")

        self.step = "logs"
        self.collect_logs()
        self.check_logs()
        return (f"concept 'KV cache' ({len(papers)} papers), SCBench paper ({len(marks)} marks in the abstract), "
                f"graph {nodes} nodes / {edges} edges, count-papers {rows} row(s), syntax error shown "
                f"({error.splitlines()[0][:60]!r}); {len(self.requests)} requests, all loopback; no console errors")

    def check_logs(self):
        outside = [u for u in self.requests if not is_loopback(u)]
        if outside:
            raise Failure("the page requested non-loopback URLs: " + ", ".join(sorted(set(outside))[:10]))
        # The one expected failure: the deliberately broken query, answered 400 by /sparql.
        errors = [e for e in self.console if e["level"] == "SEVERE"
                  and not (e.get("source") == "network" and "/sparql" in e["message"] and " 400 " in e["message"])]
        if errors:
            raise Failure("console errors:\n  " + "\n  ".join(e["message"] for e in errors))


def is_loopback(url):
    """Whether a URL stays on this machine: loopback hosts, or no network at all (data:, chrome:, ...)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss", "ftp"):
        return True
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main():
    parser = argparse.ArgumentParser(description="Browser test of the papergraph explorer.")
    parser.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:7979")
    parser.add_argument("--screenshots", required=True, type=Path, help="directory for the PNG screenshots")
    args = parser.parse_args()
    if not is_loopback(args.url):
        sys.exit(f"FAIL: --url must be a loopback address, not {args.url}")
    args.screenshots.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="papergraph-chromium-") as profile:
        driver = start_browser(profile)
        explorer = Explorer(driver, args.url, args.screenshots)
        try:
            summary = explorer.run()
        except (Failure, WebDriverException) as failure:
            with contextlib.suppress(WebDriverException):
                explorer.screenshot("failure.png")
                explorer.collect_logs()
            reason = failure if isinstance(failure, Failure) else f"browser error: {str(failure.msg).splitlines()[0]}"
            print(f"FAIL at step '{explorer.step}': {reason}", file=sys.stderr)
            errors = [e["message"] for e in explorer.console if e["level"] == "SEVERE"]
            if errors and explorer.step != "logs":  # the logs step reports them itself
                print("console errors so far:\n  " + "\n  ".join(errors), file=sys.stderr)
            print(f"screenshot of the failure: {args.screenshots / 'failure.png'}", file=sys.stderr)
            sys.exit(1)
        finally:
            driver.quit()
    print(f"explorer OK: {summary}; screenshots in {args.screenshots}")


if __name__ == "__main__":
    main()
