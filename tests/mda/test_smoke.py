from __future__ import annotations

from tests.conftest import Cast


def test_the_start_page_greets_a_verified_user_in_dutch(cast: Cast, web) -> None:
    response = web("coordinator").get("/")
    assert response.status_code == 200
    assert 'lang="nl"' in response.content.decode()
