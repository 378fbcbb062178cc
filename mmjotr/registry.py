# Copyright (c) mmjotr contributors. All rights reserved.
"""mmjotr registries: children of mmengine root registries, scope ``mmjotr``.

``locations`` lists the modules that define the registered classes, so that
building a registered name (with ``default_scope='mmjotr'``) imports them on
demand; ``mmjotr.utils.register_all_modules`` imports everything eagerly.
Parts reused from other OpenMMLab libraries are named with their scope,
e.g. ``type='mmpose.LoadImage'``.
"""
from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import INFERENCERS as MMENGINE_INFERENCERS
from mmengine.registry import LOG_PROCESSORS as MMENGINE_LOG_PROCESSORS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import \
    WEIGHT_INITIALIZERS as MMENGINE_WEIGHT_INITIALIZERS
from mmengine.registry import Registry

# Runner and loops
RUNNERS = Registry('runner', parent=MMENGINE_RUNNERS, scope='mmjotr')
LOOPS = Registry(
    'loop', parent=MMENGINE_LOOPS, scope='mmjotr', locations=['mmjotr.engine'])
HOOKS = Registry(
    'hook', parent=MMENGINE_HOOKS, scope='mmjotr', locations=['mmjotr.engine'])
LOG_PROCESSORS = Registry(
    'log_processor', parent=MMENGINE_LOG_PROCESSORS, scope='mmjotr')

# Data
DATASETS = Registry(
    'dataset',
    parent=MMENGINE_DATASETS,
    scope='mmjotr',
    locations=['mmjotr.datasets'])
DATA_SAMPLERS = Registry(
    'data sampler',
    parent=MMENGINE_DATA_SAMPLERS,
    scope='mmjotr',
    locations=['mmjotr.datasets'])
TRANSFORMS = Registry(
    'transform',
    parent=MMENGINE_TRANSFORMS,
    scope='mmjotr',
    locations=['mmjotr.datasets.transforms'])

# Models: network parts and body models share one registry so that a config
# can build an estimator whose children include the SMPL layer and VPoser.
MODELS = Registry(
    'model',
    parent=MMENGINE_MODELS,
    scope='mmjotr',
    locations=['mmjotr.models', 'mmjotr.body_models'])
MODEL_WRAPPERS = Registry(
    'model_wrapper', parent=MMENGINE_MODEL_WRAPPERS, scope='mmjotr')
WEIGHT_INITIALIZERS = Registry(
    'weight initializer', parent=MMENGINE_WEIGHT_INITIALIZERS, scope='mmjotr')

# Optimisation
OPTIMIZERS = Registry('optimizer', parent=MMENGINE_OPTIMIZERS, scope='mmjotr')
OPTIM_WRAPPERS = Registry(
    'optim_wrapper',
    parent=MMENGINE_OPTIM_WRAPPERS,
    scope='mmjotr',
    locations=['mmjotr.engine'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
    scope='mmjotr',
    locations=['mmjotr.engine'])
PARAM_SCHEDULERS = Registry(
    'parameter scheduler', parent=MMENGINE_PARAM_SCHEDULERS, scope='mmjotr')

# Evaluation
METRICS = Registry(
    'metric',
    parent=MMENGINE_METRICS,
    scope='mmjotr',
    locations=['mmjotr.evaluation'])
EVALUATOR = Registry(
    'evaluator',
    parent=MMENGINE_EVALUATOR,
    scope='mmjotr',
    locations=['mmjotr.evaluation'])

# Visualisation and inference
VISUALIZERS = Registry(
    'visualizer',
    parent=MMENGINE_VISUALIZERS,
    scope='mmjotr',
    locations=['mmjotr.visualization'])
VISBACKENDS = Registry(
    'vis_backend', parent=MMENGINE_VISBACKENDS, scope='mmjotr')
INFERENCERS = Registry(
    'inferencer',
    parent=MMENGINE_INFERENCERS,
    scope='mmjotr',
    locations=['mmjotr.apis'])

__all__ = [
    'RUNNERS', 'LOOPS', 'HOOKS', 'LOG_PROCESSORS', 'DATASETS', 'DATA_SAMPLERS',
    'TRANSFORMS', 'MODELS', 'MODEL_WRAPPERS', 'WEIGHT_INITIALIZERS',
    'OPTIMIZERS', 'OPTIM_WRAPPERS', 'OPTIM_WRAPPER_CONSTRUCTORS',
    'PARAM_SCHEDULERS', 'METRICS', 'EVALUATOR', 'VISUALIZERS', 'VISBACKENDS',
    'INFERENCERS'
]
