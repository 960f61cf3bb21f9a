"""The reader choosing among the ranker's best sentences."""

import numpy as np

from qa.rereading import READ_TOP, choose


def test_the_reader_chooses_among_the_rankers_best_by_its_fitted_weight():
    ids = np.array([10, 11, 12, 13])
    scores = np.array([2.0, 1.0, 1.5, -1.0])  # the ranker's order: 10, 12, 11, 13
    logits = {10: -1.0, 11: 5.0, 12: 1.0, 13: 9.0}
    read: list[int] = []

    def reader(ids):
        read.extend(ids)
        return [logits[i] for i in ids]

    # 12 (1.5 + 1.0) beats 10 (2.0 - 1.0); 13 would win on its reading but is not read.
    assert READ_TOP == 2
    best, logit = choose(scores, ids, 1.0, reader)
    assert (best, logit) == (2, {10: -1.0, 12: 1.0}) and sorted(read) == [10, 12]
    # A weight too small to close the ranker's margin keeps the ranker's best.
    assert choose(scores, ids, 0.2, reader)[0] == 0
    # Without a weight or a reader, the ranker's best, nothing read.
    read.clear()
    assert choose(scores, ids, 0.0, reader) == (0, {})
    assert choose(scores, ids, 1.0, None) == (0, {})
    assert read == []


def test_a_reprints_copy_of_a_sentence_is_passed_over_for_the_next_one():
    ids = np.array([10, 11, 12])
    scores = np.array([2.0, 1.9, 1.0])
    text = {10: "Twelve were rescued.", 11: "Twelve were rescued.", 12: "Fourteen were."}.get
    read: list[list[int]] = []

    def reader(ids):
        read.append(ids)
        return [0.0] * len(ids)

    assert choose(scores, ids, 1.0, reader, text) == (0, {10: 0.0, 12: 0.0})
    assert read == [[10, 12]]  # together, at once
