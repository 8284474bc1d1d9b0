"""Serve the provider over go-plugin's gRPC handshake (tf.runner.run_provider with our servicer),
as a plugin-protocol-5 provider like the real hashicorp/aws.

Why protocol 5: the real provider's resources are SDKv2 resources served over protocol 5, whose
plan and apply answers carry ``legacy_type_system``. Terraform then accepts SDKv2's shapes, such
as ``[]``/``false``/``""`` for the members an ``ingress { ... }`` block leaves out. The pinned
Terraform (1.0.3) reads that flag only from protocol-5 providers: over protocol 6 the same plan
is refused ("planned value ... does not match config value"). Declaring the members
Optional+Computed instead would need protocol-6 nested attributes, which do not accept the
``ingress { ... }`` block syntax real configurations use, and the real schema has no such flags.

The ``tf`` package implements tfplugin6 only. tfplugin5 has the same messages under the same
field numbers for everything the sandbox uses (the v6 renames are of RPCs, not of messages), so
the tfplugin6 messages decode and encode protocol-5 calls as they are; ``V5_METHODS`` maps the
protocol-5 RPC names onto the servicer's methods.
"""

import base64
import os
import sys
import tempfile
from concurrent import futures
from pathlib import Path
from typing import Any

from tf import runner as tf_runner
from tf.iface import Provider


def _certificate() -> tuple[bytes, object]:
    try:
        return tf_runner._self_signed_cert()
    except OSError:
        # tf caches the certificate under ~/.cache; a worker may have no writable home.
        cache = Path(tempfile.gettempdir()) / f"tf-python-provider-{os.getuid()}"
        cache.mkdir(mode=0o700, exist_ok=True)
        tf_runner._get_cert_cache_path = lambda: cache / "ssl_cert.json"
        return tf_runner._self_signed_cert()


# tfplugin5 RPC -> the servicer's (tfplugin6) method of the same messages.
V5_METHODS = {
    "GetSchema": "GetProviderSchema",
    "ValidateResourceTypeConfig": "ValidateResourceConfig",
    "ValidateDataSourceConfig": "ValidateDataResourceConfig",
    "UpgradeResourceState": "UpgradeResourceState",
    "Configure": "ConfigureProvider",
    "ReadResource": "ReadResource",
    "PlanResourceChange": "PlanResourceChange",
    "ApplyResourceChange": "ApplyResourceChange",
    "ImportResourceState": "ImportResourceState",
    "ReadDataSource": "ReadDataSource",
    "Stop": "StopProvider",
}


def protocol5_handler(servicer: Any) -> Any:
    """A gRPC handler serving ``tfplugin5.Provider`` with ``servicer`` (a tfplugin6 servicer)."""
    import grpc
    from tf.gen import tfplugin_pb2 as pb

    def unary(method: str) -> Any:
        return grpc.unary_unary_rpc_method_handler(
            getattr(servicer, method),
            request_deserializer=getattr(pb, method).Request.FromString,
            response_serializer=lambda response: response.SerializeToString(),
        )

    def prepare_provider_config(request: Any, context: Any) -> Any:
        # v5 answers (prepared_config = 1, diagnostics = 2): the configuration unchanged, plus
        # ValidateProviderConfig's diagnostics. ReadDataSource.Response has that very layout.
        checked = servicer.ValidateProviderConfig(request, context)
        return pb.ReadDataSource.Response(state=request.config, diagnostics=checked.diagnostics)

    handlers = {name: unary(method) for name, method in V5_METHODS.items()}
    handlers["PrepareProviderConfig"] = grpc.unary_unary_rpc_method_handler(
        prepare_provider_config,
        request_deserializer=pb.ValidateProviderConfig.Request.FromString,
        response_serializer=lambda response: response.SerializeToString(),
    )
    return grpc.method_handlers_generic_handler("tfplugin5.Provider", handlers)


def run_provider(provider: Provider, argv: list[str] | None = None) -> None:
    import grpc
    from tf.gen import grpc_controller_pb2 as controller_pb
    from tf.gen import grpc_controller_pb2_grpc as controller_rpc
    from tf.gen import grpc_stdio_pb2_grpc as stdio_rpc

    from .servicer import SandboxServicer

    argv = argv if argv is not None else sys.argv
    stopper = tf_runner._ShutdownInterceptor()
    server = grpc.server(
        thread_pool=futures.ThreadPoolExecutor(max_workers=10),
        interceptors=[tf_runner._LoggingInterceptor(), stopper],
    )
    stopper.server = server
    server.add_generic_rpc_handlers((protocol5_handler(SandboxServicer(provider)),))

    class Controller(controller_rpc.GRPCControllerServicer):
        def Shutdown(self, request, context):
            stopper.stopped = True
            return controller_pb.Empty()

    class Stdio(stdio_rpc.GRPCStdioServicer):
        def StreamStdio(self, request, context):
            return iter([])

    controller_rpc.add_GRPCControllerServicer_to_server(Controller(), server)
    stdio_rpc.add_GRPCStdioServicer_to_server(Stdio(), server)

    with tempfile.TemporaryDirectory() as tmp:
        sock_file = f"{tmp}/sandbox-aws-provider.sock"
        chain, credentials = _certificate()
        server.add_secure_port(f"unix://{sock_file}", credentials)
        server.start()
        # go-plugin handshake: core protocol 1, plugin protocol 5, unix socket, grpc, server cert.
        cert = base64.b64encode(chain).decode().rstrip("=")
        print(f"1|5|unix|{sock_file}|grpc|{cert}", flush=True)
        try:
            while server.wait_for_termination(0.05):
                if stopper.stopped:
                    break
        except KeyboardInterrupt:
            server.stop(grace=0.5)
