from bot.rate_limit import RateLimiter


def test_sliding_window_per_member(clock):
    limiter = RateLimiter(questions=2, per_seconds=60, clock=clock)
    assert limiter.hit(1) == 0
    clock.advance(seconds=10)
    assert limiter.hit(1) == 0
    assert limiter.hit(1) == 50  # the first question leaves the window in 50 s
    assert limiter.hit(2) == 0  # another member is not affected
    clock.advance(seconds=50)
    assert limiter.hit(1) == 0
    assert limiter.hit(1) == 10


def test_refusals_are_not_counted(clock):
    limiter = RateLimiter(questions=1, per_seconds=5, clock=clock)
    limiter.hit("a")
    for _ in range(10):
        assert limiter.hit("a") > 0
    clock.advance(seconds=5)
    assert limiter.hit("a") == 0
