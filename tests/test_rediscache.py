"""The Redis cache as production runs it: one client kept per process, events counted in one
round trip. Needs Redis at TEST_REDIS_URL, as the rate limit's test across processes does."""

import os
import uuid

import pytest

from solidarity.rediscache import RedisCache, count


@pytest.fixture
def redis_cache():
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    cache = RedisCache(url, {"KEY_PREFIX": f"test-{uuid.uuid4()}"})
    yield cache
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(f"{cache.key_prefix}:*"):
        client.delete(key)


def test_one_client_serves_every_call(redis_cache):
    assert redis_cache._cache.get_client() is redis_cache._cache.get_client(write=True)


def test_counts_each_key_and_keeps_it_for_its_window(redis_cache):
    assert count(redis_cache, ["network", "wide"], 60) == [1, 1]
    assert count(redis_cache, ["network"], 60) == [2]

    assert redis_cache.get("network") == 2
    ttl = redis_cache._cache.get_client().ttl(redis_cache.make_key("network"))
    assert 0 < ttl <= 60


def test_a_key_keeps_the_window_of_its_first_event(redis_cache):
    count(redis_cache, ["network"], 60)
    count(redis_cache, ["network"], 3600)

    assert redis_cache._cache.get_client().ttl(redis_cache.make_key("network")) <= 60


def test_counts_in_a_cache_of_one_process_too():
    from django.core.cache.backends.locmem import LocMemCache

    local = LocMemCache(f"test-{uuid.uuid4()}", {})

    assert count(local, ["network", "network"], 60) == [1, 2]
