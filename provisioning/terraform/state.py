"""Read `terraform show -json` state output."""


def state_resources(state: dict) -> list[dict]:
    """Managed resources in `terraform show -json` state: address, type, id, tags."""
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
                }
            )
        for child in module.get("child_modules", []):
            walk(child)

    walk((state.get("values") or {}).get("root_module") or {})
    return found
