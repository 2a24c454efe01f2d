"""The assignment's linear round-robin search: one dimension at a time, others at their best so far."""

from core.sweep.space import space_from_dict
from core.sweep.strategies import LinearSearch, params_key


def _space():
    return space_from_dict({"base": "assignment", "dimensions": {
        "filters": [8, 16, 32, 64], "dense_units": [32, 128, 512], "activation": ["relu", "tanh"]}})


def _accuracy(p):
    """A made-up landscape whose best point is filters=16, dense_units=512, tanh."""
    return (1.0 - abs(p["filters"] - 16) / 100 - abs(p["dense_units"] - 512) / 2000
            - (0.0 if p["activation"] == "tanh" else 0.01))


def test_linear_search_varies_one_dimension_at_a_time_and_keeps_the_best():
    search = LinearSearch(_space())
    results, proposals = {}, []
    while True:
        step, params = search.plan(results, set())
        if step == "done":
            break
        assert step == "propose"
        proposals.append(params)
        results[params_key(params)] = _accuracy(params)
        assert len(proposals) < 40
    # the first trial is the base network (filters 32, dense 128, relu), and no configuration repeats
    assert proposals[0] == {"filters": 32, "dense_units": 128, "activation": "relu"}
    assert len({params_key(p) for p in proposals}) == len(proposals)
    # every trial differs from an earlier trial in exactly one dimension
    for i, p in enumerate(proposals[1:], start=1):
        diffs = [min(sum(p[d] != q[d] for d in p) for q in proposals[:i])]
        assert diffs == [1], (i, p)
    # within one pass, only the dimension being optimised changes
    assert [p["filters"] for p in proposals[:4]] == [32, 8, 16, 64]
    assert all(p["dense_units"] == 128 and p["activation"] == "relu" for p in proposals[:4])
    assert all(p["filters"] == 16 for p in proposals[4:6])  # filters fixed at its best (16) afterwards
    # it ends at the best point of the landscape
    best = max(proposals, key=_accuracy)
    assert best == {"filters": 16, "dense_units": 512, "activation": "tanh"}


def test_linear_search_waits_for_a_pending_result_before_choosing():
    search = LinearSearch(_space())
    results = {}
    pending = set()
    for value in (32, 8, 16):
        p = {"filters": value, "dense_units": 128, "activation": "relu"}
        results[params_key(p)] = _accuracy(p)
    last = {"filters": 64, "dense_units": 128, "activation": "relu"}
    pending.add(params_key(last))
    assert search.plan(results, pending) == ("wait", None)
    results[params_key(last)] = _accuracy(last)
    step, params = search.plan(results, set())
    assert step == "propose" and params["filters"] == 16 and params["dense_units"] != 128


def test_a_failed_configuration_never_wins():
    search = LinearSearch(_space())
    results = {params_key({"filters": f, "dense_units": 128, "activation": "relu"}): (None if f == 16 else 0.5)
               for f in (8, 16, 32, 64)}
    step, params = search.plan(results, set())
    assert step == "propose" and params["filters"] == 32  # ties and failures keep the base value
