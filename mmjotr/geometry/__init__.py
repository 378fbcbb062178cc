# Copyright (c) mmjotr contributors. All rights reserved.
__all__ = []
