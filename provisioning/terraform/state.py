"""Read `terraform show -json` state output."""


def state_resources(state: dict, keep: frozenset[str] = frozenset()) -> list[dict]:
    """Managed resources in `terraform show -json` state: address, type, id, tags, and the `keep`
    attributes in `values` (what prices them; never everything: state holds secrets)."""
    found = []

    def walk(module: dict) -> None:
        for resource in module.get("resources", []):
            if resource.get("mode") != "managed":
                continue
            values = resource.get("values") or {}
            found.append(
                {
                    "address": resource["address"],
                    "type": resource["type"],
                    "id": values.get("arn") or values.get("id"),
                    "tags": values.get("tags_all") or values.get("tags") or {},
                    "values": {key: values[key] for key in sorted(keep) if key in values},
                }
            )
        for child in module.get("child_modules", []):
            walk(child)

    walk((state.get("values") or {}).get("root_module") or {})
    return found
