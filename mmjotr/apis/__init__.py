# Copyright (c) mmjotr contributors. All rights reserved.
from .inference import init_model
from .quickstart import QuickstartResult, render_prediction, run_quickstart
from .synthocc_runs import (DigestRunner, evaluate_synthocc_splits,
                            format_table, mean_pose_baseline,
                            synthocc_train_config)

__all__ = [
    'init_model', 'run_quickstart', 'QuickstartResult', 'render_prediction',
    'DigestRunner', 'evaluate_synthocc_splits', 'format_table',
    'mean_pose_baseline', 'synthocc_train_config'
]
