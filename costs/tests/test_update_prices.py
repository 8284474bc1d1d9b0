"""`update_prices`: a real boto3 pricing client, stubbed with botocore's Stubber, answering with the
real Price List documents of costs/tests/fixtures/pricing/ (see its README for where each comes from).

Every stubbed call states the exact request the command must send; the Stubber fails the test on
any other request, on a request too many, and (at the end) on a request never sent.
"""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
import yaml
from botocore.stub import Stubber
from django.core.management import CommandError, call_command

from costs import price_plans, prices, pricing_api
from costs.management.commands.update_prices import _today

FIXTURES = Path(__file__).parent / "fixtures" / "pricing"
EC2_LINUX = [
    ("operatingSystem", "Linux"),
    ("tenancy", "Shared"),
    ("preInstalledSw", "NA"),
    ("capacitystatus", "Used"),
    ("licenseModel", "No License required"),
    ("marketoption", "OnDemand"),
]


def documents(service: str, *indexes: int) -> list[str]:
    """Fixture documents as the API sends them: each a JSON string."""
    stored = json.loads((FIXTURES / f"{service}.json").read_text())
    return [json.dumps(stored[index]) for index in indexes]


def request(service: str, *filters: tuple[str, str], token: str | None = None) -> dict:
    sent = {
        "ServiceCode": service,
        "Filters": [{"Type": "TERM_MATCH", "Field": name, "Value": value} for name, value in filters],
        "FormatVersion": "aws_v1",
        "MaxResults": 100,
    }
    return {**sent, "NextToken": token} if token else sent


def answer(price_list: list[str], token: str | None = None) -> dict:
    response = {"FormatVersion": "aws_v1", "PriceList": price_list}
    return {**response, "NextToken": token} if token else response


def ec2_instance(kind: str, region: str) -> dict:
    return request("AmazonEC2", ("productFamily", "Compute Instance"), ("instanceType", kind), *EC2_LINUX,
                   ("regionCode", region))  # fmt: skip


@pytest.fixture
def pricing(monkeypatch):
    """The command's own client (us-east-1, usual credential chain), stubbed; never reaches AWS."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-a-real-secret")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    client = pricing_api.client()
    assert client.meta.region_name == "us-east-1"
    monkeypatch.setattr(pricing_api, "client", lambda: client)
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


HEADER = """\
# Offline AWS on-demand price table (test copy).
# A value marked "# unverified" MUST be confirmed by `update_prices`.
format: 1
currency: USD
hours_per_month: 730
# Figures as of an older extract.
retrieved: 2026-09-25
source: >-
  an older extract [S1];
  and another [S2].
regions:
"""


def price_file(tmp_path: Path, regions: str) -> Path:
    path = tmp_path / "aws.yaml"
    path.write_text(HEADER + regions)
    return path


def run(path: Path, *options: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("update_prices", "--prices", str(path), *options, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# -- what is asked, and what is written --------------------------------------------------------
def test_every_price_of_the_shipped_file_has_a_query_plan():
    # given the shipped price file
    regions = prices.load().regions
    # when every leaf is planned
    plans = [price_plans.plan(region, tuple(path)) for region, *path in prices.flatten(regions)]
    # then none is missing, and no two prices would be read from the same product
    assert None not in plans
    assert len({(p.query, p.usagetype) for p in plans}) == len(plans)


def test_asks_each_price_with_its_filters_and_writes_the_answers(tmp_path, pricing):
    # given a price file with stale values, comments, and one value no query can confirm
    path = price_file(
        tmp_path,
        """\
  eu-west-1:
    # [S1] stale
    ec2_instance_hour: {t3.micro: 0.0100}  # Linux, shared tenancy
    nat_gateway_hour: 0.045  # [S2]
    nat_gateway_data_gb: 0.048
    redshift_node_hour: {dc2.large: 0.30}
  us-east-1:
    ec2_instance_hour: {t3.micro: 0.0104, m5.large: 0.096}
    rds_instance_hour:
      postgres:
        # [S1]
        single_az: {db.t3.micro: 0.018}
    load_balancer_hour: {application: 0.0225}
    load_balancer_capacity_unit_hour: {application: 0.008}
    sqs_requests_per_million: 0.40  # [S2] unverified
  eu-central-1:
    rds_instance_hour: {postgres: {single_az: {db.t3.micro: 0.021}}}
""",
    )
    rds = [("productFamily", "Database Instance"), ("instanceType", "db.t3.micro"), ("databaseEngine", "PostgreSQL"),
           ("deploymentOption", "Single-AZ")]  # fmt: skip
    pricing.add_response("get_products", answer(documents("AmazonEC2", 0)), ec2_instance("t3.micro", "eu-west-1"))
    # one question serves both NAT prices: all six NAT Gateway products of the real eu-west-1 offer
    pricing.add_response(
        "get_products",
        answer(documents("AmazonEC2", 4, 5, 6, 7, 8, 9)),
        request("AmazonEC2", ("productFamily", "NAT Gateway"), ("regionCode", "eu-west-1")),
    )
    pricing.add_response(
        "get_products",
        answer(documents("AmazonRedshift", 0)),
        request(
            "AmazonRedshift",
            ("productFamily", "Compute Instance"),
            ("instanceType", "dc2.large"),
            ("regionCode", "eu-west-1"),
        ),  # fmt: skip
    )
    pricing.add_response("get_products", answer(documents("AmazonEC2", 1)), ec2_instance("t3.micro", "us-east-1"))
    # the m5.large document also carries Reserved terms, which must be ignored
    pricing.add_response("get_products", answer(documents("AmazonEC2", 2)), ec2_instance("m5.large", "us-east-1"))
    pricing.add_response(
        "get_products", answer(documents("AmazonRDS", 0)), request("AmazonRDS", *rds, ("regionCode", "us-east-1"))
    )
    # every Application LB product of the real us-east-1 offer, Outposts and trust store included
    pricing.add_response(
        "get_products",
        answer(documents("AWSELB", 0, 1, 4, 5, 6, 7)),
        request("AWSELB", ("productFamily", "Load Balancer-Application"), ("regionCode", "us-east-1")),
    )
    pricing.add_response(
        "get_products",
        answer(documents("AWSQueueService", 0)),
        request(
            "AWSQueueService", ("productFamily", "API Request"), ("queueType", "Standard"), ("regionCode", "us-east-1")
        ),  # fmt: skip
    )
    pricing.add_response(
        "get_products", answer(documents("AmazonRDS", 1)), request("AmazonRDS", *rds, ("regionCode", "eu-central-1"))
    )
    before = path.read_text()

    # when the command writes elsewhere
    target = tmp_path / "new.yaml"
    out, err = run(path, "--output", str(target))

    # then the prices are the answers', the layout is kept and only the replaced values lose their notes
    today = _today()
    assert (
        target.read_text()
        == f"""\
# Offline AWS on-demand price table (test copy).
# A value marked "# unverified" MUST be confirmed by `update_prices`.
format: 1
currency: USD
hours_per_month: 730
retrieved: {today}
source: AWS Price List Query API (get_products), {today}
regions:
  eu-west-1:
    ec2_instance_hour: {{t3.micro: 0.0114}}
    nat_gateway_hour: 0.048
    nat_gateway_data_gb: 0.048
    redshift_node_hour: {{dc2.large: 0.30}}
  us-east-1:
    ec2_instance_hour: {{t3.micro: 0.0104, m5.large: 0.096}}
    rds_instance_hour:
      postgres:
        single_az: {{db.t3.micro: 0.018}}
    load_balancer_hour: {{application: 0.0225}}
    load_balancer_capacity_unit_hour: {{application: 0.008}}
    sqs_requests_per_million: 0.40
  eu-central-1:
    rds_instance_hour: {{postgres: {{single_az: {{db.t3.micro: 0.021}}}}}}
"""
    )
    assert prices.load(target).price("us-east-1", "sqs_requests_per_million") == Decimal("0.4")  # 0.0000004 per request
    assert path.read_text() == before  # --output leaves the source file alone
    assert "eu-west-1 ec2_instance_hour.t3.micro: 0.01 → 0.0114" in out
    assert "eu-west-1 nat_gateway_hour: 0.045 → 0.048" in out
    assert "11 prices, 9 get_products calls: 2 changed, 9 unchanged, 0 not confirmed" in out
    assert err == ""


def test_follows_next_token_to_the_last_page(tmp_path, pricing):
    # given the NAT answer split over two pages, the data price only on the second
    path = price_file(tmp_path, "  eu-west-1:\n    nat_gateway_hour: 0.04\n    nat_gateway_data_gb: 0.04\n")
    nat = [("productFamily", "NAT Gateway"), ("regionCode", "eu-west-1")]
    pricing.add_response("get_products", answer(documents("AmazonEC2", 4, 6), "page-2"), request("AmazonEC2", *nat))
    pricing.add_response(
        "get_products", answer(documents("AmazonEC2", 5, 7)), request("AmazonEC2", *nat, token="page-2")
    )

    # when
    run(path)

    # then both prices are found, the second from the second page
    written = prices.load(path)
    assert (
        written.price("eu-west-1", "nat_gateway_hour")
        == written.price("eu-west-1", "nat_gateway_data_gb")
        == Decimal("0.048")
    )


# -- what is not guessed -----------------------------------------------------------------------
def test_an_empty_answer_keeps_the_old_value_and_fails_naming_key_region_and_filters(tmp_path, pricing):
    # given a price AWS answers nothing for
    path = price_file(tmp_path, "  eu-west-1:\n    ec2_instance_hour: {t3.micro: 0.0100}  # [S1]\n")
    pricing.add_response("get_products", answer([]), ec2_instance("t3.micro", "eu-west-1"))

    # when
    with pytest.raises(CommandError, match=r"1 price\(s\) could not be confirmed and keep their old value"):
        run(path)

    # then the old value stays, marked, and the reason names the key, the region and the filters
    assert "    ec2_instance_hour: {t3.micro: 0.0100}  # [S1]  # kept: no product\n" in path.read_text()
    assert prices.load(path).price("eu-west-1", "ec2_instance_hour", "t3.micro") == Decimal("0.0100")
    assert "values marked `# kept` are from the previous file (retrieved 2026-09-25)" in prices.load(path).source


def test_the_failure_message_names_the_key_region_and_filters(tmp_path, pricing):
    path = price_file(tmp_path, "  eu-west-1:\n    ec2_instance_hour: {t3.micro: 0.0100}\n")
    pricing.add_response("get_products", answer([]), ec2_instance("t3.micro", "eu-west-1"))

    _out, err = run(path, "--keep-going")

    assert err == (
        "error: eu-west-1 ec2_instance_hour.t3.micro: no product: the answer was empty\n"
        "    get_products: AmazonEC2 productFamily=Compute Instance, instanceType=t3.micro, operatingSystem=Linux, "
        "tenancy=Shared, preInstalledSw=NA, capacitystatus=Used, licenseModel=No License required, "
        "marketoption=OnDemand, regionCode=eu-west-1\n"
    )


def test_products_at_different_prices_keep_the_old_value_and_fail(tmp_path, pricing):
    # given an answer with two t3.micro products at different prices (as if regionCode had been ignored)
    path = price_file(tmp_path, "  eu-west-1:\n    ec2_instance_hour: {t3.micro: 0.0100}\n")
    pricing.add_response("get_products", answer(documents("AmazonEC2", 0, 1)), ec2_instance("t3.micro", "eu-west-1"))

    # when
    with pytest.raises(CommandError):
        run(path)

    # then
    assert prices.load(path).price("eu-west-1", "ec2_instance_hour", "t3.micro") == Decimal("0.0100")
    assert "# kept: t3.micro several prices" not in path.read_text()  # one value on the line: no name needed
    assert "{t3.micro: 0.0100}  # kept: several prices" in path.read_text()


def test_several_prices_are_listed_in_the_message(tmp_path, pricing):
    path = price_file(tmp_path, "  eu-west-1:\n    ec2_instance_hour: {t3.micro: 0.0100}\n")
    pricing.add_response("get_products", answer(documents("AmazonEC2", 0, 1)), ec2_instance("t3.micro", "eu-west-1"))

    _out, err = run(path, "--keep-going")

    assert err.startswith(
        "error: eu-west-1 ec2_instance_hour.t3.micro: several prices: 2 products at 2 prices: "
        "CRAJUW7BTXFMT2UJ BoxUsage:t3.micro $0.0104/Hrs; DXH6X4VVFUT4EUU5 EU-BoxUsage:t3.micro $0.0114/Hrs\n"
        "    get_products: AmazonEC2 productFamily=Compute Instance, instanceType=t3.micro,"
    )


def test_a_usage_type_must_match_exactly_with_the_region_prefix(tmp_path, pricing):
    # given a family whose answer has only look-alikes of the wanted usage type (Outposts, trust store)
    path = price_file(tmp_path, "  us-east-1:\n    load_balancer_hour: {application: 0.0225}\n")
    pricing.add_response(
        "get_products",
        answer(documents("AWSELB", 4, 7)),
        request("AWSELB", ("productFamily", "Load Balancer-Application"), ("regionCode", "us-east-1")),
    )

    # when
    _out, err = run(path, "--keep-going")

    # then nothing is taken from them
    assert (
        "us-east-1 load_balancer_hour.application: no product: none of its usage types "
        "(Outposts-LoadBalancerUsage, TS-LoadBalancerUsage) is LoadBalancerUsage in us-east-1" in err
    )


# -- options and errors ------------------------------------------------------------------------
def test_dry_run_prints_old_and_new_and_writes_nothing(tmp_path, pricing):
    path = price_file(tmp_path, "  eu-west-1:\n    ec2_instance_hour: {t3.micro: 0.0100}\n")
    pricing.add_response("get_products", answer(documents("AmazonEC2", 0)), ec2_instance("t3.micro", "eu-west-1"))
    before = path.read_text()

    out, _err = run(path, "--dry-run")

    assert out == (
        "eu-west-1 ec2_instance_hour.t3.micro: 0.01 → 0.0114\n"
        "1 prices, 1 get_products calls: 1 changed, 0 unchanged, 0 not confirmed (old value kept).\n"
        "Dry run: nothing written.\n"
    )
    assert path.read_text() == before
    assert list(tmp_path.iterdir()) == [path]


def test_no_credentials_is_a_clear_error(tmp_path, monkeypatch):
    # given an environment where boto3 finds no credentials at all (and may not ask the instance metadata)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                 "AWS_WEB_IDENTITY_TOKEN_FILE"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    path = price_file(tmp_path, "  eu-west-1:\n    nat_gateway_hour: 0.048\n")
    before = path.read_text()

    with pytest.raises(CommandError, match=r"^No AWS credentials .* set AWS_PROFILE.* Nothing was written\.$"):
        run(path)
    assert path.read_text() == before


def test_an_account_without_pricing_get_products_is_a_clear_error(tmp_path, pricing):
    path = price_file(tmp_path, "  eu-west-1:\n    nat_gateway_hour: 0.048\n")
    pricing.add_client_error(
        "get_products",
        service_error_code="AccessDeniedException",
        service_message="User: arn:aws:iam::123456789012:user/ci is not authorized to perform: pricing:GetProducts",
        http_status_code=400,
    )
    before = path.read_text()

    with pytest.raises(CommandError, match=r'allowing "pricing:GetProducts".*Nothing was written'):
        run(path)
    assert path.read_text() == before


def test_the_written_file_still_loads_as_a_price_book(tmp_path, pricing):
    path = price_file(tmp_path, "  eu-west-1:\n    ec2_instance_hour: {t3.micro: 0.0100}\n")
    pricing.add_response("get_products", answer(documents("AmazonEC2", 0)), ec2_instance("t3.micro", "eu-west-1"))

    run(path)

    book = prices.load(path)
    assert (book.retrieved, book.currency, str(book.hours_per_month)) == (_today(), "USD", "730")
    assert yaml.safe_load(path.read_text())["format"] == 1


def test_a_free_first_tier_is_skipped_for_the_list_price(tmp_path, pricing):
    # given SNS publishes, whose product starts with a million free requests
    path = price_file(tmp_path, "  us-east-1:\n    sns_requests_per_million: 0.45\n")
    pricing.add_response(
        "get_products",
        answer(documents("AmazonSNS", 0)),
        request("AmazonSNS", ("productFamily", "API Request"), ("regionCode", "us-east-1")),
    )

    # when
    run(path)

    # then the price is the paid tier's, per million requests
    assert prices.load(path).price("us-east-1", "sns_requests_per_million") == Decimal("0.5")
