# Copyright (c) mmjotr contributors. All rights reserved.
"""Version-range checks for the OpenMMLab libraries mmjotr depends on.

Versions are read from the installed distributions' metadata, so checking
never imports mmdet (which is only needed for person detection).
"""
import importlib.metadata
from typing import Dict, NamedTuple, Optional

from mmengine.utils import digit_version


class VersionRange(NamedTuple):
    """Half-open range ``[minimum, maximum)`` of supported versions."""
    minimum: str
    maximum: str
    required: bool


#: Supported ranges. mmdet 3.3.0 refuses mmcv>=2.2.0, hence the mmcv cap.
DEPENDENCY_RANGES: Dict[str, VersionRange] = {
    'mmengine': VersionRange('0.10.7', '0.11.0', True),
    'mmcv': VersionRange('2.1.0', '2.2.0', True),
    'mmpose': VersionRange('1.3.2', '1.4.0', True),
    'mmdet': VersionRange('3.3.0', '3.4.0', False),
}


def installed_version(package: str) -> Optional[str]:
    """Return the installed version of a distribution, or None if absent."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def check_dependency_versions(ranges: Optional[Dict[str, VersionRange]] = None
                              ) -> None:
    """Raise if a dependency is missing or outside its supported range.

    Args:
        ranges (dict, optional): package name -> :class:`VersionRange`.
            Defaults to :data:`DEPENDENCY_RANGES`.

    Raises:
        ImportError: a required package is not installed.
        RuntimeError: a package is installed in an unsupported version.
    """
    ranges = DEPENDENCY_RANGES if ranges is None else ranges
    for package, rng in ranges.items():
        found = installed_version(package)
        needed = f'>={rng.minimum}, <{rng.maximum}'
        if found is None:
            if rng.required:
                raise ImportError(
                    f'mmjotr needs {package}{needed} but {package} is not '
                    'installed; run `bash tools/install.sh`.')
            continue
        if not (digit_version(rng.minimum) <= digit_version(found) <
                digit_version(rng.maximum)):
            raise RuntimeError(
                f'mmjotr needs {package}{needed} but found '
                f'{package}=={found}; run `bash tools/install.sh` to install '
                'the supported stack.')
