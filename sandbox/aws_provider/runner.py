"""Serve the provider over go-plugin's gRPC handshake (tf.runner.run_provider with our servicer)."""

import base64
import os
import sys
import tempfile
from concurrent import futures
from pathlib import Path

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


def run_provider(provider: Provider, argv: list[str] | None = None) -> None:
    import grpc
    from tf.gen import grpc_controller_pb2 as controller_pb
    from tf.gen import grpc_controller_pb2_grpc as controller_rpc
    from tf.gen import grpc_stdio_pb2_grpc as stdio_rpc
    from tf.gen import tfplugin_pb2_grpc as rpc

    from .servicer import SandboxServicer

    argv = argv if argv is not None else sys.argv
    stopper = tf_runner._ShutdownInterceptor()
    server = grpc.server(
        thread_pool=futures.ThreadPoolExecutor(max_workers=10),
        interceptors=[tf_runner._LoggingInterceptor(), stopper],
    )
    stopper.server = server
    rpc.add_ProviderServicer_to_server(SandboxServicer(provider), server)

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
        # go-plugin handshake: core protocol 1, plugin protocol 6, unix socket, grpc, server cert.
        cert = base64.b64encode(chain).decode().rstrip("=")
        print(f"1|6|unix|{sock_file}|grpc|{cert}", flush=True)
        try:
            while server.wait_for_termination(0.05):
                if stopper.stopped:
                    break
        except KeyboardInterrupt:
            server.stop(grace=0.5)
