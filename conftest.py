"""Loaded before Django is set up: a test run needs no secrets from the environment."""

import os

os.environ.setdefault("ALLOW_INSECURE_SECRET_KEY", "1")
