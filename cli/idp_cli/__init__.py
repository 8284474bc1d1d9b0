"""The `platform` CLI for IDP Portal (package `idp_cli`: a package named `platform` would shadow Python's own)."""
