"""A bot's browser: one cookie jar, real HTTP to the site (requests), redirects followed as a
browser follows them, the CSRF token sent from the form with the cookie beside it, the Origin
and Referer headers a browser sets on a POST, and the images a page references fetched.

Rule: nothing here knows the study. It answers Pages (study.bots.page) or raises Unanswered
(no answer in time, a redirect loop): the bot decides what either means.
"""

from __future__ import annotations

import time
from urllib.parse import urljoin, urlsplit

import requests

from .page import Page, page_read

MAX_REDIRECTS = 10
# A 429 says when to come back (Retry-After); a bot waits at most this long, this many times.
MAX_THROTTLE_WAIT = 60.0
MAX_THROTTLES = 3


class Unanswered(Exception):
    """The site gave no page: a timeout, a refused connection or a redirect loop."""


class Browser:
    def __init__(self, *, base_url: str, timeout: float, user_agent: str) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.session.headers["Accept-Language"] = "en"
        self.requests = 0
        self.images = 0
        self.image_bytes = 0
        self.throttled = 0
        self.previous = ""  # the page the next request comes from (Referer)

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path.lstrip("/"))

    def close(self) -> None:
        self.session.close()

    def _send(self, method: str, url: str, **kwargs) -> requests.Response:
        for _attempt in range(MAX_THROTTLES + 1):
            self.requests += 1
            try:
                response = self.session.request(
                    method, url, timeout=self.timeout, allow_redirects=False, **kwargs
                )
            except requests.Timeout as error:
                raise Unanswered(f"no answer within {self.timeout:g} s") from error
            except requests.RequestException as error:
                raise Unanswered(f"no connection ({type(error).__name__})") from error
            if response.status_code != 429:
                return response
            self.throttled += 1
            time.sleep(min(float(response.headers.get("Retry-After", "1") or 1), MAX_THROTTLE_WAIT))
        return response

    def get(self, path: str) -> tuple[Page, requests.Response]:
        return self._follow(self._send("GET", self.url(path), headers=self._referer()))

    def post(
        self, url: str, pairs: list[tuple[str, str]], *, follow: bool = True
    ) -> tuple[Page, requests.Response]:
        """POST a form as a browser does (urlencoded, with Origin and Referer); ``follow`` False
        answers the response itself (a redirect's Location unread)."""
        parts = urlsplit(self.base_url)
        headers = {"Origin": f"{parts.scheme}://{parts.netloc}", **self._referer()}
        response = self._send("POST", url, data=pairs, headers=headers)
        if not follow:
            return self._page(response), response
        return self._follow(response)

    def _referer(self) -> dict[str, str]:
        return {"Referer": self.previous} if self.previous else {}

    def _follow(self, response: requests.Response) -> tuple[Page, requests.Response]:
        seen: list[str] = []
        while response.is_redirect:
            target = urljoin(response.url, response.headers["Location"])
            seen.append(target)
            if len(seen) > MAX_REDIRECTS:
                raise Unanswered(f"more than {MAX_REDIRECTS} redirects ({seen[0]} onwards)")
            response = self._send("GET", target, headers=self._referer())
        page = self._page(response)
        self.previous = page.url
        return page, response

    def _page(self, response: requests.Response) -> Page:
        html = response.text if "html" in response.headers.get("Content-Type", "") else ""
        return page_read(url=response.url, status=response.status_code, html=html)

    def images_fetch(self, page: Page) -> list[str]:
        """GET every image the page references (its <img>s and the viewer's source); answers
        the ones that failed, as "URL: status"."""
        failed = []
        for src in page.images:
            url = urljoin(page.url, src)
            try:
                response = self._send("GET", url, headers={"Referer": page.url})
            except Unanswered as error:
                failed.append(f"{urlsplit(url).path}: {error}")
                continue
            if response.status_code != 200:
                failed.append(f"{urlsplit(url).path}: HTTP {response.status_code}")
                continue
            self.images += 1
            self.image_bytes += len(response.content)
        return failed
