# Copyright (c) mmjotr contributors. All rights reserved.
import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every mmjotr module that registers something.

    Registries also import their ``locations`` lazily when a name is built
    under the ``mmjotr`` scope; call this when the registered classes must
    be available up front (e.g. to list them).

    Args:
        init_default_scope (bool): also make ``mmjotr`` the current default
            scope, so that unscoped ``type=`` names resolve in mmjotr's
            registries first. Defaults to True.
    """
    import mmjotr.body_models  # noqa: F401,F403
    import mmjotr.datasets  # noqa: F401,F403
    import mmjotr.engine  # noqa: F401,F403
    import mmjotr.evaluation  # noqa: F401,F403
    import mmjotr.models  # noqa: F401,F403

    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None or not DefaultScope.check_instance_created('mmjotr'):
        DefaultScope.get_instance('mmjotr', scope_name='mmjotr')
        return
    if current.scope_name != 'mmjotr':
        warnings.warn('The current default scope '
                      f'"{current.scope_name}" is not "mmjotr"; '
                      '`register_all_modules` forces it to "mmjotr".')
        DefaultScope.get_instance(
            f'mmjotr-{datetime.datetime.now()}', scope_name='mmjotr')
