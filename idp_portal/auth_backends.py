"""django-axes in front of the password check, for every door that signs in with a password."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Every sign-in door (the page, the admin) passes the request, which carries the address axes locks.

    A call without a request (the shell, `Client.login()` in tests) has no address to count: it is not a door
    an attacker can reach, so it goes on to the password check instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
