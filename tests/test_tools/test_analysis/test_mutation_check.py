# Copyright (c) mmjotr contributors. All rights reserved.
"""The mutation check's list stays in step with the code."""
import os.path as osp

import pytest
from mutants import MUTANTS, Mutant
from mutation_check import ROOT, apply_mutant, first_failure


def test_every_mutant_applies_once_and_names_existing_tests():
    names = [m.name for m in MUTANTS]
    assert len(names) == len(set(names))
    for mutant in MUTANTS:
        with open(osp.join(ROOT, mutant.path)) as f:
            text = f.read()
        mutated = apply_mutant(text, mutant)
        assert mutated != text
        for test in mutant.tests:
            assert osp.exists(osp.join(ROOT, test.split('::')[0])), test


def test_apply_refuses_a_missing_or_repeated_snippet():
    mutant = Mutant('m', 'f.py', 'x = 1', 'x = 2', ('t', ), 'w')
    assert apply_mutant('a\nx = 1\n', mutant) == 'a\nx = 2\n'
    with pytest.raises(ValueError, match='occurs 0 times in f.py'):
        apply_mutant('a\n', mutant)
    with pytest.raises(ValueError, match='occurs 2 times in f.py'):
        apply_mutant('x = 1\nx = 1\n', mutant)


def test_first_failure_names_the_test():
    out = ('..F\nFAILED tests/a.py::test_b - AssertionError\n'
           'FAILED tests/a.py::test_c\n')
    assert first_failure(out) == 'tests/a.py::test_b'
    assert first_failure('ERROR tests/x.py - ImportError') == 'tests/x.py'
    assert first_failure('killed') == 'exit code only'
