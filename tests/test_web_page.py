"""The web chat page in a real browser: headless Chromium driven by Selenium against the
API served by uvicorn, on the real app (PostgreSQL, Milvus Lite, MiniLM, the real engine).

A shopper describes an outfit, picks a design, sees products and asks an atelier; the
atelier's owner, on the page in another window (another origin, so another session),
accepts the lead and its buttons go; the shopper hears it through the inbox.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from tests.fakes.api import RunningApi, api_client
from tests.fakes.frontends import photograph_products

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
WAIT_S = 30


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    """Headless Chromium (Debian's ``chromium`` and ``chromium-driver``; .ci/run installs them)."""
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.skip("needs Debian's chromium and chromium-driver (apt-get install, see .ci/run)")
    options = Options()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--window-size=1000,1250")
    options.set_capability("goog:loggingPrefs", {"browser": "SEVERE"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def waiting(driver: WebDriver, check: Callable[[WebDriver], Any]) -> Any:
    """What ``check`` returns once it is truthy (TimeoutException after WAIT_S)."""
    return WebDriverWait(driver, WAIT_S).until(check)


def bot_messages(driver: WebDriver) -> list[WebElement]:
    """The assistant's messages on the page (progress bubbles excluded), oldest first."""
    return driver.find_elements(By.CSS_SELECTOR, ".msg.bot:not(.pending)")


def answer_after(driver: WebDriver, count: int, words: str = "") -> WebElement:
    """The newest assistant message once there are more than ``count`` (and it has ``words``)."""
    return waiting(
        driver,
        lambda d: len(found := bot_messages(d)) > count and words in found[-1].text and found[-1],
    )


def press(driver: WebDriver, label: str) -> WebElement:
    """Click the newest button labelled ``label``; the answer it brings."""
    before = len(bot_messages(driver))
    buttons = driver.find_elements(By.XPATH, f"//button[normalize-space()='{label}']")
    buttons[-1].click()
    return answer_after(driver, before)


def say(driver: WebDriver, words: str) -> WebElement:
    """Type ``words`` and press Enter; the answer."""
    before = len(bot_messages(driver))
    driver.find_element(By.ID, "message").send_keys(words, Keys.ENTER)
    return answer_after(driver, before)


def images_loaded(driver: WebDriver, selector: str) -> bool:
    """Whether every image matching ``selector`` has loaded (and there is one)."""
    return bool(
        driver.execute_script(
            "const found = [...document.querySelectorAll(arguments[0])];"
            "return found.length > 0 && found.every(i => i.complete && i.naturalWidth > 0);",
            selector,
        )
    )


def test_a_whole_conversation_in_the_browser(
    make_app: Any, browser: WebDriver, tmp_path: Path
) -> None:
    app = make_app()
    photograph_products(app)
    with RunningApi(app) as api:
        # The atelier owner opens the page on another origin: their own session.
        browser.get(api.url.replace("127.0.0.1", "localhost") + "/")
        owner_window = browser.current_window_handle
        answer_after(browser, 0, "StyleGenie")
        shown_id = browser.find_element(By.ID, "chat-id")
        chat_id = waiting(browser, lambda _: shown_id.get_attribute("textContent").strip("…"))
        atelier = app.ateliers.get_atelier("at-lis-moonthread")
        owners = {"web": chat_id.removeprefix("web:")}
        app.ateliers.upsert_ateliers([atelier.model_copy(update={"owner_chat_ids": owners})])

        browser.switch_to.new_window("window")
        shopper_window = browser.current_window_handle
        browser.get(api.url + "/")
        answer_after(browser, 0, "Describe an outfit")
        browser.find_element(By.CSS_SELECTOR, "#about summary").click()
        browser.find_element(By.ID, "name").send_keys("Ana")
        browser.find_element(By.ID, "contact").send_keys("ana@example.com")
        browser.find_element(By.CSS_SELECTOR, "#about summary").click()

        designs = say(browser, "a sage green linen dress for a wedding, under 300, I'm in Lisbon")
        assert len(designs.find_elements(By.CSS_SELECTOR, ".gallery img")) >= 2
        waiting(browser, lambda d: images_loaded(d, ".gallery img"))
        assert "Lovely choice" in press(browser, "Pick 1").text

        products = press(browser, "Show products")
        cards = products.find_elements(By.CSS_SELECTOR, ".cards.products .card")
        assert cards and all(card.find_element(By.CSS_SELECTOR, ".price").text for card in cards)
        shop = cards[0].find_element(By.CSS_SELECTOR, "a.shop")
        assert shop.get_attribute("rel") == "noopener" and shop.get_attribute("href")
        waiting(browser, lambda d: images_loaded(d, ".product img"))
        browser.save_screenshot(str(tmp_path / "products.png"))

        ateliers = press(browser, "Find an atelier")
        assert "Moonthread" in ateliers.find_element(By.CSS_SELECTOR, ".cards.ateliers").text
        consent = press(browser, "Ask Atelier Moonthread (fictional)")
        assert "ana@example.com" in consent.text
        assert "Moonthread" in press(browser, "Send to Atelier Moonthread (fictional)").text
        answer_after(browser, len(bot_messages(browser)) - 1, "has your request")

        browser.switch_to.window(owner_window)
        lead = answer_after(browser, 1, "Accept")
        accepted = press(browser, "Accept")
        assert "ana@example.com" in accepted.text
        assert not lead.find_elements(By.CSS_SELECTOR, ".choices"), "the answered lead's buttons"
        assert "Accepted" in lead.find_element(By.CSS_SELECTOR, ".outcome").text
        browser.refresh()
        again = answer_after(browser, 2, "Accepted")
        kept = [m for m in bot_messages(browser) if m.find_elements(By.CSS_SELECTOR, ".outcome")]
        assert kept and not kept[0].find_elements(By.CSS_SELECTOR, ".choices"), "after a reload"
        assert "ana@example.com" in again.text

        browser.switch_to.window(shopper_window)
        news = answer_after(browser, len(bot_messages(browser)) - 1, "accepted")
        assert "hello@moonthread.example" in news.text
        browser.save_screenshot(str(tmp_path / "conversation.png"))
        assert not browser.get_log("browser"), "the page logged errors"


def test_the_page_and_its_files_are_served_with_a_strict_policy(make_app: Any) -> None:
    app = make_app()
    with api_client(app) as client:
        for path in ("/", "/web/app.js", "/web/api.js", "/web/render.js", "/web/style.css"):
            served = client.get(path)
            assert served.status_code == 200, path
            assert "default-src 'self'" in served.headers["content-security-policy"]
        assert 'aria-live="polite"' in client.get("/").text
        assert client.get("/web/missing.js").status_code == 404
        assert client.get("/web/..%2Fapp.py").status_code == 404
    closed = make_app(api={"web_chat": False})
    with api_client(closed) as client:
        assert client.get("/").status_code == 404
        assert client.post("/api/v1/chat/sessions").status_code == 401
