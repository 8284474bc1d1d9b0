# First, before anything that may load libstdc++: the Rego engine leaks otherwise (see rego_engine.py).
from idp_portal import rego_engine  # noqa: F401, I001
from idp_portal.celery import app as celery_app

__all__ = ["celery_app"]
