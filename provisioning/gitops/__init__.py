"""GitOps request files: one YAML file per environment, checked, applied and synced from Git.

`files` reads a file keeping line numbers, `schema` is its published JSON Schema, `intent`
resolves a file against the catalogue and what runs, `check` is the speculative check with a
cost quote, `apply` submits through the actions, `git` and `sync` follow a repository.
"""
