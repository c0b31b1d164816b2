"""The live status page, in Debian's headless Chromium, against a worker on the real broker."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator

import orjson
import pytest

from tests.integration.observability.helpers import (
    ARTIFACTS,
    SteadyProducer,
    create_spec_topics,
    require_tool,
    status_json,
    wait_until,
    web_url,
    worker_env,
)
from tests.kafkit import produce

pytestmark = [pytest.mark.kafka, pytest.mark.browser]

NONE = "\u2013"  # the page shows an en dash where there is no value


@pytest.fixture
def browser() -> Iterator[object]:
    chromium = require_tool("/usr/bin/chromium")
    chromedriver = require_tool("/usr/bin/chromedriver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync",
                     f"--user-data-dir={profile}", "--window-size=1280,1000"):
            options.add_argument(flag)
        # An explicit driver path: selenium-manager never runs, nothing is downloaded.
        driver = webdriver.Chrome(service=Service(chromedriver), options=options)
        try:
            yield driver
        finally:
            driver.quit()


def test_status_page_refreshes_itself(browser, kafka_bootstrap, topic_prefix, worker_factory):
    from selenium.webdriver.common.by import By

    raw = f"{topic_prefix}logs.raw"
    create_spec_topics(kafka_bootstrap, topic_prefix, f"{topic_prefix}app")
    first = [orjson.dumps({"ip": "198.51.100.9", "path": f"/p{n}"}) for n in range(30)]
    asyncio.run(produce(kafka_bootstrap, raw, [*first, b"\xff\xfe not utf-8"]))
    worker = worker_factory("--topic-prefix", topic_prefix, "--app-id", f"{topic_prefix}app",
                            env=worker_env())
    wait_until("events routed", lambda: status_json(worker)["throughput"]["events_in_total"]
               >= 31, worker=worker)

    browser.get(f"{web_url(worker)}/status")

    def text(element_id: str) -> str:
        return str(browser.find_element(By.ID, element_id).text)

    wait_until("the page to show 31 events", lambda: text("total") == "31")
    wait_until("lag rows", lambda: len(browser.find_elements(By.CSS_SELECTOR, "#lag tbody tr")))
    updated = text("updated")

    def chart_points(chart_id: str) -> str:
        line = browser.find_element(By.CSS_SELECTOR, f"#{chart_id} polyline")
        return str(line.get_attribute("points") or "")

    wait_until("the charts drawn", lambda: chart_points("chart-in").count(",") >= 2)
    before = {c: chart_points(c) for c in ("chart-in", "chart-out-analytics")}
    # Events keep arriving; the open page picks them up on its own, without a reload.
    with SteadyProducer(kafka_bootstrap, raw, per_second=20) as producer:
        wait_until("the page to show a non-zero rate", lambda: float(text("rate")) > 0)
        for chart_id, points in before.items():
            wait_until(f"{chart_id} to move", lambda c=chart_id, p=points:
                       chart_points(c) != p and any(
                           float(xy.split(",")[1]) < 58 for xy in chart_points(c).split()))
    total = 31 + producer.sent
    wait_until(f"the page to refresh itself to {total} events", lambda: text("total") == str(total))
    assert text("updated") != updated
    wait_until("lag caught up and OK", lambda: text("gstatus") == "OK")

    routes = {row.find_elements(By.TAG_NAME, "td")[0].text:
              int(row.find_elements(By.TAG_NAME, "td")[1].text)
              for row in browser.find_elements(By.CSS_SELECTOR, "#routes tbody tr")}
    assert sum(routes.values()) == total
    reasons = [row.find_elements(By.TAG_NAME, "td")[0].text
               for row in browser.find_elements(By.CSS_SELECTOR, "#deadletters tbody tr")]
    assert reasons, "the dead-lettered event's reason is listed"
    lag_rows = browser.find_elements(By.CSS_SELECTOR, "#lag tbody tr")
    statuses = {row.find_elements(By.TAG_NAME, "td")[6].text for row in lag_rows
                if row.find_elements(By.TAG_NAME, "td")[0].text == raw
                and row.find_elements(By.TAG_NAME, "td")[2].text != NONE}
    assert statuses == {"OK"}
    assert "198.51.100" not in browser.page_source
    # Read in one script: the page rebuilds its tables on every refresh.
    facts = dict(browser.execute_script(
        "return [...document.querySelectorAll('#facts tbody tr')]"
        ".map((tr) => [...tr.cells].map((td) => td.textContent));"))
    assert facts["policy version"] not in ("", NONE)
    assert facts["last restart"] != "never"
    assert facts["consent table (subjects)"] == "0"
    assert browser.find_element(By.ID, "outage").get_attribute("hidden") is not None

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "status-page.png"
    browser.set_window_size(1280, 1400)
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
