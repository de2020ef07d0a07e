"""Make the screenshots of the intake page shown in docs/web.md and the README.

The same walk as tests/pipelines/web/test_browser.py, in Chinese (the page's default): the
sign-in page, the broken August report just after it was sent, and the city office's month at
a glance once the fixed report is loaded. Needs Chromium on PATH and the dev extra
(playwright); run from the project's folder:

    .venv/bin/python docs/screenshots/make_screenshots.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # the project, for tests.helpers

from PIL import Image  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.helpers import (  # noqa: E402
    SAMPLE,
    broken_sample,
    browser_load,
    browser_sign_in,
    browser_upload,
    web_server,
)

WIDTH = 1000


def shoot(page: Page, name: str, height: int) -> None:
    """A ``WIDTH``×``height`` picture of the top of the page, in 256 colours (a tenth of the
    bytes of a full-colour PNG; the pages are flat colours and text)."""
    page.set_viewport_size({"width": WIDTH, "height": height})
    target = HERE / f"{name}.png"
    page.screenshot(path=str(target))
    with Image.open(target) as picture:
        small = picture.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(target, optimize=True)
    print(f"{target.name}: {target.stat().st_size // 1024} KiB")


def main() -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("no chromium on PATH (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as folder, web_server(Path(folder)) as server:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=chromium, headless=True)
            page = browser.new_context(locale="zh-CN").new_page()
            page.goto(f"{server.url}/signin")
            shoot(page, "signin", 360)
            browser_sign_in(page, server, "yueqing")
            browser_upload(page, server, broken_sample(Path(folder) / "sent"))
            shoot(page, "report", 1350)
            browser_load(page)
            browser_upload(page, server, SAMPLE)
            browser_load(page, confirm=True)
            browser_sign_in(page, server, "admin")
            page.goto(f"{server.url}/month?year=2022&month=8")
            shoot(page, "month", 430)
            browser.close()


if __name__ == "__main__":
    main()
