# Copyright (c) mmjotr contributors. All rights reserved.
import pytest

from mmjotr.utils import version_check
from mmjotr.utils.version_check import (DEPENDENCY_RANGES, VersionRange,
                                        check_dependency_versions)


def _fake_versions(monkeypatch, versions):
    monkeypatch.setattr(version_check, 'installed_version',
                        lambda name: versions.get(name))


def test_installed_stack_is_in_range():
    # the environment set up by tools/install.sh must pass its own check
    check_dependency_versions()


@pytest.mark.parametrize('package,bad_version', [
    ('mmengine', '0.10.6'),
    ('mmengine', '0.11.0'),
    ('mmcv', '2.2.0'),
    ('mmcv', '2.0.1'),
    ('mmpose', '1.4.0'),
    ('mmdet', '3.2.0'),
])
def test_out_of_range_version_is_rejected(monkeypatch, package, bad_version):
    versions = {name: rng.minimum for name, rng in DEPENDENCY_RANGES.items()}
    versions[package] = bad_version
    _fake_versions(monkeypatch, versions)
    rng = DEPENDENCY_RANGES[package]
    with pytest.raises(RuntimeError) as err:
        check_dependency_versions()
    message = str(err.value)
    assert f'found {package}=={bad_version}' in message
    assert f'>={rng.minimum}, <{rng.maximum}' in message


def test_range_bounds_are_half_open(monkeypatch):
    ranges = {'pkg': VersionRange('1.2.0', '1.3.0', True)}
    for ok in ('1.2.0', '1.2.9', '1.2.10'):
        _fake_versions(monkeypatch, {'pkg': ok})
        check_dependency_versions(ranges)
    for bad in ('1.1.99', '1.3.0', '2.0.0'):
        _fake_versions(monkeypatch, {'pkg': bad})
        with pytest.raises(RuntimeError, match=f'pkg=={bad}'):
            check_dependency_versions(ranges)


def test_missing_required_package_is_an_import_error(monkeypatch):
    versions = {name: rng.minimum for name, rng in DEPENDENCY_RANGES.items()}
    del versions['mmpose']
    _fake_versions(monkeypatch, versions)
    with pytest.raises(ImportError, match='mmpose is not installed'):
        check_dependency_versions()


def test_missing_optional_mmdet_is_accepted(monkeypatch):
    versions = {name: rng.minimum for name, rng in DEPENDENCY_RANGES.items()}
    del versions['mmdet']
    _fake_versions(monkeypatch, versions)
    check_dependency_versions()
