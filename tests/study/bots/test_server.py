"""The site served in process for run_bots: real HTTP on a loopback port, gone afterwards."""

import pytest
import requests

from study.bots.server import site_served

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_site_is_served_on_a_loopback_port_while_the_run_lasts():
    with site_served() as url:
        assert url.startswith("http://127.0.0.1:")
        answer = requests.get(f"{url}p/no-such-token-at-all/", timeout=10)
        assert answer.status_code == 404  # the site's own 404, through its middleware
        assert "script-src 'self'" in answer.headers["Content-Security-Policy"]

    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=2)
