# Copyright (c) mmjotr contributors. All rights reserved.
import pytest

from mmjotr.datasets.synthocc import SynthOccSettings, write_synthocc

#: A few frames per split: enough for every scene kind, fast to write.
TINY_FRAMES = dict(
    train=6, test_clean=3, test_object_occluded=4, test_person_occluded=4)


@pytest.fixture(scope='package')
def synthocc_root(standin_body_model_dir, tmp_path_factory) -> str:
    """A tiny SynthOcc copy written once for the package's tests."""
    root = str(tmp_path_factory.mktemp('synthocc'))
    write_synthocc(root, standin_body_model_dir,
                   SynthOccSettings(seed=0, num_frames=TINY_FRAMES))
    return root


@pytest.fixture(scope='package')
def synthocc_frames() -> dict:
    """Frames per split of ``synthocc_root``."""
    return dict(TINY_FRAMES)
