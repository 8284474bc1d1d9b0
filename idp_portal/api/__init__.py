"""The REST API's shared parts: one error shape, token scopes, throttling, pagination, the URL tree."""
