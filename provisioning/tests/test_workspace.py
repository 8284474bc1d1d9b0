"""The workspace generator: user values only ever land in terraform.tfvars.json."""

import json
import stat

import pytest

from provisioning.terraform.workspace import (
    BACKEND_CONFIG,
    DECOMMISSIONING_TFVARS,
    TFVARS,
    LocalState,
    PostgresState,
    WorkspaceSpec,
    backend_config,
    environment,
    module_outputs,
    root_module,
    write_workspace,
)

MODULE = {
    "main.tf": 'variable "name" {}\nresource "aws_s3_bucket" "b" { bucket = var.name }\n',
    "outputs.tf": 'output "bucket" {\n  value = aws_s3_bucket.b.bucket\n}\n\noutput "secret" {\n  value     = "x"\n  sensitive = true\n}\n',
}
EVIL = '${file("/etc/passwd")}"; rm -rf / #\n%{ for x in y }'


def spec(tmp_path, **overrides):
    values = {
        "module_files": MODULE,
        "variables": {"name": "shop-1", "tier": "dev", "tags": {"team": "payments"}, "description": EVIL},
        "region": "eu-west-1",
        "default_tags": {"team": "payments", "project": EVIL},
        "state": LocalState(tmp_path / "state" / "terraform.tfstate"),
        "sandbox_endpoint": "http://127.0.0.1:4566",
    }
    values.update(overrides)
    return WorkspaceSpec(**values)


def test_user_values_appear_only_in_the_tfvars_file(tmp_path):
    write_workspace(tmp_path / "ws", spec(tmp_path))

    for path in (tmp_path / "ws").rglob("*"):
        if path.is_file() and path.name != TFVARS:
            assert "/etc/passwd" not in path.read_text(), f"user input leaked into {path.name}"
    values = json.loads((tmp_path / "ws" / TFVARS).read_text())
    assert values["description"] == EVIL
    assert values["idp_default_tags"]["project"] == EVIL


def test_root_module_references_variables_for_every_input(tmp_path):
    root = root_module(spec(tmp_path))

    assert root["module"]["pattern"]["description"] == "${var.description}"
    assert root["module"]["pattern"]["source"] == "./module"
    provider = root["provider"]["aws"][0]
    assert provider["region"] == "${var.idp_region}"
    assert provider["default_tags"] == [{"tags": "${var.idp_default_tags}"}]
    assert provider["endpoints"][0]["s3"] == "${var.idp_aws_endpoint}"
    assert root["terraform"]["backend"] == {"local": {}}


def test_real_aws_mode_has_no_sandbox_settings(tmp_path):
    root = root_module(spec(tmp_path, sandbox_endpoint=None))

    provider = root["provider"]["aws"][0]
    assert "endpoints" not in provider and "access_key" not in provider
    assert "idp_aws_endpoint" not in root["variable"]


def test_module_outputs_are_passed_through_with_their_sensitivity(tmp_path):
    assert module_outputs(MODULE) == {"bucket": False, "secret": True}
    outputs = root_module(spec(tmp_path))["output"]
    assert outputs["secret"] == {"value": "${module.pattern.secret}", "sensitive": True}


def test_a_module_without_outputs_gets_no_output_block(tmp_path):
    root = root_module(spec(tmp_path, module_files={"main.tf": MODULE["main.tf"]}))

    assert "output" not in root


def test_a_module_that_declares_decommissioning_gets_it_false_unless_the_decommission_file_is_read(tmp_path):
    protected = {**MODULE, "variables.tf": 'variable "decommissioning" {\n  type    = bool\n  default = false\n}\n'}

    write_workspace(tmp_path / "ws", spec(tmp_path, module_files=protected))

    root = json.loads((tmp_path / "ws" / "main.tf.json").read_text())
    assert root["variable"]["idp_decommissioning"] == {"type": "bool", "default": False}
    assert root["module"]["pattern"]["decommissioning"] == "${var.idp_decommissioning}"
    assert "idp_decommissioning" not in json.loads((tmp_path / "ws" / TFVARS).read_text())
    assert json.loads((tmp_path / "ws" / DECOMMISSIONING_TFVARS).read_text()) == {"idp_decommissioning": True}


def test_a_module_without_decommissioning_is_not_passed_it(tmp_path):
    write_workspace(tmp_path / "ws", spec(tmp_path))

    root = json.loads((tmp_path / "ws" / "main.tf.json").read_text())
    assert "decommissioning" not in root["module"]["pattern"] and "idp_decommissioning" not in root["variable"]
    assert not (tmp_path / "ws" / DECOMMISSIONING_TFVARS).exists()


def test_pg_backend_file_holds_the_connection_without_password_and_is_private(tmp_path):
    state = PostgresState(
        conn_str='postgres://idp@db:5432/idp?sslmode=require"${x}', schema_name="terraform_state", workspace="env-7",
        password="s3cret",
    )  # fmt: skip
    write_workspace(tmp_path / "ws", spec(tmp_path, state=state))

    backend_file = tmp_path / "ws" / BACKEND_CONFIG
    text = backend_file.read_text()
    assert 'conn_str = "postgres://idp@db:5432/idp?sslmode=require\\"$${x}"' in text
    assert "s3cret" not in text
    assert stat.S_IMODE(backend_file.stat().st_mode) == 0o600
    env = environment(spec(tmp_path, state=state), cli_config_file=tmp_path / "rc", plugin_cache_dir=tmp_path / "c")
    assert env["PGPASSWORD"] == "s3cret"
    assert env["TF_IN_AUTOMATION"] == "1" and env["TF_INPUT"] == "0"


def test_backend_settings_with_line_breaks_are_refused():
    with pytest.raises(ValueError, match="line breaks"):
        backend_config(LocalState(path="/tmp/x\nmalicious = 1"))


def test_module_files_cannot_escape_the_workspace(tmp_path):
    with pytest.raises(ValueError, match="outside the workspace"):
        write_workspace(tmp_path / "ws", spec(tmp_path, module_files={"../../evil.tf": "x"}))


def test_the_aws_provider_is_pinned_to_the_line_the_patterns_are_written_for(tmp_path):
    from sandbox.aws_provider import PROVIDER_VERSION

    root = root_module(spec(tmp_path))
    constraint = root["terraform"]["required_providers"]["aws"]["version"]
    assert constraint == "~> 5.80"
    major, minor, _ = (int(part) for part in PROVIDER_VERSION.split("."))
    assert (major, minor) >= (5, 80) and major == 5, "the sandbox must emulate the pinned line"
