"""A long search filter's buttons work on any replica and after a restart.

Behind a load balancer, the press of a button may reach a replica that did not draw it; that
replica has never seen the filter's words, which travel as a short key.  Before the words were
kept in the database, such a press answered "This button has expired" two times in three with
three replicas, and always after a restart.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from bot import keyboards
from bot.delivery.subscriptions import SubscriptionStore
from bot.handlers import filters
from bot.keyboards import FilterMemo, QuotesSearchRequest, parse_callback, quotes_search_keyboard
from bot.services import SERVICES_KEY, Services
from bot.views import Page

#: Made-up words, longer than a button's 64 bytes allow inline.
LONG = "ministers pledged cooperation on water infrastructure and regional transport corridors"


def replica(store: SubscriptionStore, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A process's view of the world: its own empty filter memo, the shared database."""
    memo = FilterMemo()
    monkeypatch.setattr(keyboards, "FILTERS", memo)
    monkeypatch.setattr(filters, "FILTERS", memo)
    svc = Services.__new__(Services)
    svc.subscriptions = store
    return SimpleNamespace(bot_data={SERVICES_KEY: svc})


def next_page_data(words: str) -> str:
    markup = quotes_search_keyboard(words, Page(1, 3))
    assert markup is not None
    [row] = markup.inline_keyboard
    data = row[-1].callback_data
    assert isinstance(data, str) and len(data.encode()) <= 64
    return data


async def test_a_long_filter_drawn_on_one_replica_is_read_on_another(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await SubscriptionStore.open(database_url)
    try:
        first = replica(store, monkeypatch)
        data = next_page_data(LONG)
        assert "#" in data  # kept under a key: the words do not fit
        await filters.save_filters(first)

        second = replica(store, monkeypatch)  # another process: it never drew the button
        request = parse_callback(data)
        assert isinstance(request, QuotesSearchRequest) and request.words is None
        found = await filters.stored_filter(second, request)
        assert (found.words, found.page) == (LONG, 2)
        # Now known here too: the next press needs no database.
        assert keyboards.FILTERS.words(request.key or "") == LONG
    finally:
        await store.close()


async def test_an_unknown_key_stays_expired_and_a_lost_database_costs_only_that(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await SubscriptionStore.open(database_url)
    context = replica(store, monkeypatch)
    request = parse_callback("Q:2#0123456789ab")
    assert isinstance(request, QuotesSearchRequest)
    assert (await filters.stored_filter(context, request)).words is None
    await store.close()  # the database is gone: no exception reaches the user
    assert (await filters.stored_filter(context, request)).words is None
    next_page_data(LONG + " again")
    await filters.save_filters(context)
