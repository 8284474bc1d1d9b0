from django.conf import settings


def portal(request) -> dict:
    return {
        "sandbox_cloud": settings.SANDBOX_CLOUD,
        "embedded_setup": settings.EMBEDDED_SETUP,
    }
