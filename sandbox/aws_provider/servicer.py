"""gRPC servicer: tf's ProviderServicer with the resource lifecycle RPCs re-done for AWS.

What differs from tf 1.2.0 (see sandbox/README.md for the why):
- PlanResourceChange plans creates too (tf skips ``Resource.plan`` on create), fills defaults,
  unknowns and ``tags_all`` as the real provider does (default_tags + tags, unknown where the
  real provider leaves it unknown), so the plan JSON is known exactly where AWS's is.
- List/single nested blocks and object-typed attributes are handled (tf has set blocks only).
- Plan and apply answers carry ``legacy_type_system``, as SDKv2 (the real provider's framework)
  sets it: Terraform then accepts SDKv2's shapes, such as ``[]``/``false``/``""`` for the members
  an ``ingress { ... }`` block leaves out (served over protocol 5, see runner.py).
  ``preserve_nulls`` still keeps applied/refreshed top-level values equal to the configuration.
- Any failure becomes an error diagnostic (unreachable endpoint, AWS error, bug), never a crash.
"""

import contextlib
import json
from typing import Any

import grpc
from tf.gen import tfplugin_pb2 as pb
from tf.provider import ProviderServicer
from tf.utils import Diagnostics, _to_attribute_path, read_dynamic_value, to_dynamic_value

from .base import AwsResource, ResourceContext
from .errors import NotFound, ProviderError, add_exception
from .state import normalize, plan_object, preserve_nulls, requires_replace, strip_unknown
from .types import Unknown

# SDKv2 (the real provider's framework) sets this flag (UnsafeToUseLegacyTypeSystem) on every plan
# and apply answer; Terraform honours it from protocol-5 providers, hence the sandbox serves
# protocol 5 (runner.py says why not a different schema instead).
LEGACY_TYPE_SYSTEM = True


def _read(value: pb.DynamicValue) -> Any:
    return read_dynamic_value(value)


def _action(verb: str, type_name: str, state: dict | None) -> str:
    ident = (state or {}).get("id")
    return f"{verb} {type_name}" + (f" ({ident})" if isinstance(ident, str) and ident else "")


class SandboxServicer(ProviderServicer):
    def _resource(self, type_name: str) -> AwsResource:
        return self.app.new_resource(self._get_res_cls(type_name))

    # -- provider --------------------------------------------------------------------------------

    def ConfigureProvider(self, request: pb.ConfigureProvider.Request, context: grpc.ServicerContext):
        diags = Diagnostics()
        try:
            self.app.configure_provider(diags, _read(request.config))
        except Exception as exc:  # noqa: BLE001
            add_exception(diags, exc, "configuring the sandbox AWS provider")
        return pb.ConfigureProvider.Response(diagnostics=diags.to_pb())

    def ValidateResourceConfig(self, request, context):
        diags = Diagnostics()
        try:
            self._resource(request.type_name).validate(diags, request.type_name, _read(request.config))
        except Exception as exc:  # noqa: BLE001
            add_exception(diags, exc, f"validating {request.type_name}")
        return pb.ValidateResourceConfig.Response(diagnostics=diags.to_pb())

    # -- resources -------------------------------------------------------------------------------

    def UpgradeResourceState(self, request: pb.UpgradeResourceState.Request, context):
        # Schemas only grow (new optional/computed attributes): re-shaping the stored state to the
        # current schema is the whole upgrade.
        diags = Diagnostics()
        schema = self._get_res_cls(request.type_name).get_schema()
        try:
            state = json.loads(request.raw_state.json) if request.raw_state.json else None
            upgraded = to_dynamic_value(normalize(schema, state))
        except Exception as exc:  # noqa: BLE001
            add_exception(diags, exc, f"upgrading the state of {request.type_name}")
            return pb.UpgradeResourceState.Response(diagnostics=diags.to_pb())
        return pb.UpgradeResourceState.Response(upgraded_state=upgraded, diagnostics=diags.to_pb())

    def ReadResource(self, request: pb.ReadResource.Request, context):
        diags = Diagnostics()
        type_name = request.type_name
        schema = self._get_res_cls(type_name).get_schema()
        current = normalize(schema, _read(request.current_state))
        ctx = ResourceContext(diags, type_name)
        try:
            new = self._resource(type_name).read(ctx, current)
        except NotFound:
            new = None
        except Exception as exc:  # noqa: BLE001
            add_exception(diags, exc, _action("reading", type_name, current))
            return pb.ReadResource.Response(new_state=request.current_state, diagnostics=diags.to_pb())
        new = strip_unknown(schema, preserve_nulls(schema, current, normalize(schema, new)))
        return pb.ReadResource.Response(
            new_state=to_dynamic_value(new), diagnostics=diags.to_pb(), private=request.private
        )

    def PlanResourceChange(self, request: pb.PlanResourceChange.Request, context):
        diags = Diagnostics()
        type_name = request.type_name
        schema = self._get_res_cls(type_name).get_schema()
        prior = normalize(schema, _read(request.prior_state))
        proposed = normalize(schema, _read(request.proposed_new_state))
        response = pb.PlanResourceChange.Response
        if proposed is None:  # destroy
            return response(planned_state=request.proposed_new_state)
        config = _read(request.config)
        ctx = ResourceContext(diags, type_name, config=config)
        try:
            planned = plan_object(schema, proposed, prior, config, creating=prior is None)
            if any(a.name == "tags_all" for a in schema.attributes):
                planned["tags_all"] = self.app.plan_tags_all(planned.get("tags"), prior)
            planned = normalize(schema, self._resource(type_name).plan(ctx, prior, planned))
            replace = [] if prior is None else requires_replace(schema, prior, planned) + ctx.requires_replace
        except Exception as exc:  # noqa: BLE001
            add_exception(diags, exc, _action("planning", type_name, prior))
            return response(diagnostics=diags.to_pb())
        return response(
            planned_state=to_dynamic_value(planned),
            requires_replace=[_to_attribute_path(p) for p in replace],
            planned_private=request.prior_private,
            diagnostics=diags.to_pb(),
            legacy_type_system=LEGACY_TYPE_SYSTEM,
        )

    def ApplyResourceChange(self, request: pb.ApplyResourceChange.Request, context):
        diags = Diagnostics()
        type_name = request.type_name
        schema = self._get_res_cls(type_name).get_schema()
        prior = normalize(schema, _read(request.prior_state))
        planned = normalize(schema, _read(request.planned_state))
        ctx = ResourceContext(diags, type_name, config=_read(request.config))
        inst = self._resource(type_name)
        new: dict | None
        if prior is None:
            action = _action("creating", type_name, None)
        elif planned is None:
            action = _action("deleting", type_name, prior)
        else:
            action = _action("updating", type_name, prior)
        if planned is not None and planned.get("tags_all") is Unknown:
            # Planned unknown like the real provider's (see plan_tags_all); the tags are known now.
            planned["tags_all"] = self.app.merged_tags(planned.get("tags"))
        try:
            if prior is None:
                new = inst.create(ctx, planned)
                if new is None and not diags.has_errors():
                    raise ProviderError(f"{action}: the new object could not be read back")
            elif planned is None:
                with contextlib.suppress(NotFound):
                    inst.delete(ctx, prior)
                new = None
            else:
                new = inst.update(ctx, prior, planned)
                if new is None and not diags.has_errors():
                    raise ProviderError(f"{action}: the object disappeared during the update")
        except Exception as exc:  # noqa: BLE001
            add_exception(diags, exc, action)
            # Keep what exists in state: a half-created object (tainted), or the unchanged prior.
            new = ctx.partial_state if prior is None else prior
        new = strip_unknown(schema, preserve_nulls(schema, planned or prior, normalize(schema, new)))
        return pb.ApplyResourceChange.Response(
            new_state=to_dynamic_value(new),
            private=request.planned_private,
            diagnostics=diags.to_pb(),
            legacy_type_system=LEGACY_TYPE_SYSTEM,
        )

    def ImportResourceState(self, request: pb.ImportResourceState.Request, context):
        diags = Diagnostics()
        type_name = request.type_name
        schema = self._get_res_cls(type_name).get_schema()
        ctx = ResourceContext(diags, type_name)
        try:
            state = self._resource(type_name).import_state(ctx, request.id)
        except NotFound:
            state = None
        except Exception as exc:  # noqa: BLE001
            add_exception(diags, exc, f"importing {type_name} ({request.id})")
            return pb.ImportResourceState.Response(diagnostics=diags.to_pb())
        if state is None:
            diags.add_error(f"cannot import non-existent remote object: {type_name} {request.id!r}")
            return pb.ImportResourceState.Response(diagnostics=diags.to_pb())
        state = strip_unknown(schema, normalize(schema, state))
        imported = pb.ImportResourceState.ImportedResource(type_name=type_name, state=to_dynamic_value(state))
        return pb.ImportResourceState.Response(imported_resources=[imported], diagnostics=diags.to_pb())

    # -- data sources ----------------------------------------------------------------------------

    def ReadDataSource(self, request: pb.ReadDataSource.Request, context):
        diags = Diagnostics()
        type_name = request.type_name
        klass = self._get_ds_cls(type_name)
        schema = klass.get_schema()
        config = normalize(schema, _read(request.config))
        try:
            state = self.app.new_data_source(klass).read(ResourceContext(diags, type_name, config), config)
        except Exception as exc:  # noqa: BLE001
            add_exception(diags, exc, f"reading data source {type_name}")
            return pb.ReadDataSource.Response(diagnostics=diags.to_pb())
        return pb.ReadDataSource.Response(
            state=to_dynamic_value(strip_unknown(schema, normalize(schema, state))), diagnostics=diags.to_pb()
        )
