"""`python -m idp_portal worker|beat …`: Celery's command line for this app (`celery -A idp_portal …`).

Start workers this way, not with the `celery` script: Celery imports greenlet when it is installed (it is,
beside Playwright, in development), which loads libstdc++ before the Rego engine, and the engine then leaks
about 20 MB per plan (idp_portal/rego_engine.py). Here `idp_portal` (and with it the engine) loads first.
"""

import sys

from celery.bin.celery import main

sys.argv[1:1] = ["-A", "idp_portal"]
sys.exit(main())
