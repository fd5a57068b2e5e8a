"""The CVR client against a local HTTP server speaking the register's query and answer shape
(tests/cvr_server.py): term and terms, basic auth, missing fields, a ceased company, a 500, a
timeout, a malformed body. No network, and nothing in the client replaced."""

import time

import pytest

from clusters.constants import Region, SizeClass
from clusters.cvr.client import (
    Circuit,
    ElasticRegister,
    LocalRegister,
    NoRegister,
    RegisterUnavailable,
)
from clusters.cvr.records import ACTIVE, CEASED, band_size_class, hit_source, parse_company
from tests.cvr_server import CvrServer
from tests.factories import next_cvr


@pytest.fixture
def server():
    s = CvrServer().start()
    yield s
    s.stop()


def client(server, **kwargs):
    options = {"timeout": 0.5, "retries": 1, "backoff": 0.01, "circuit": Circuit(3, 60.0)}
    return ElasticRegister(server.url, server.username, server.password, **(options | kwargs))


def test_term_query_reads_every_field(server):
    cvr = next_cvr()
    server.add(cvr, name="Fjordtek ApS", db07="620100", industry="Computerprogrammering",
               municipality=751, employees=42, protected=True)
    record = client(server).lookup(cvr)
    assert server.requests[-1]["query"] == {"term": {"Vrvirksomhed.cvrNummer": int(cvr)}}
    assert record.cvr == cvr and record.name == "Fjordtek ApS"
    assert (record.db07_code, record.industry) == ("620100", "Computerprogrammering")
    assert (record.municipality_code, record.municipality, record.region) == (751, "Aarhus", Region.MIDTJYLLAND)
    assert record.postal_code == "8000"
    assert (record.employees, record.employees_band) == (42, "")
    assert record.status == ACTIVE
    assert record.reklamebeskyttet is True


def test_terms_query_in_batches_and_unknown_cvrs_are_absent(server):
    cvrs = [next_cvr() for _ in range(5)]
    for c in cvrs[:4]:
        server.add(c)
    found = client(server, batch_size=2).lookup_many(cvrs)
    assert set(found) == set(cvrs[:4])
    assert len(server.requests) == 3  # 5 CVRs in batches of 2
    assert all("terms" in r["query"] for r in server.requests[:2])
    assert server.requests[0]["query"]["terms"]["Vrvirksomhed.cvrNummer"] == sorted(int(c) for c in cvrs)[:2]


def test_wrong_credentials_are_refused(server):
    cvr = next_cvr()
    server.add(cvr)
    wrong = ElasticRegister(server.url, "klynge", "forkert", timeout=0.5, retries=0)
    with pytest.raises(RegisterUnavailable, match="401"):
        wrong.lookup(cvr)


def test_missing_fields_are_stored_as_missing(server):
    cvr = next_cvr()
    server.add(cvr, db07=None, municipality=None, employees=None, protected=None, status="")
    record = client(server).lookup(cvr)
    assert record.name == "Registrets Navn A/S"
    assert (record.db07_code, record.industry, record.municipality, record.region) == ("", "", "", "")
    assert (record.employees, record.employees_band, record.status) == (None, "", "")
    assert record.reklamebeskyttet is None


def test_a_band_instead_of_a_number_and_the_newest_period_wins(server):
    cvr = next_cvr()
    source = server.add(cvr, band="ANTAL_20_49", period="kvartal")
    meta = source["Vrvirksomhed"]["virksomhedMetadata"]
    meta["nyesteAarsbeskaeftigelse"] = {"aar": 2023, "antalAnsatte": 300}  # older: ignored
    record = client(server).lookup(cvr)
    assert (record.employees, record.employees_band) == (None, "ANTAL_20_49")
    assert band_size_class(record.employees_band) == SizeClass.SMALL


def test_a_ceased_company(server):
    cvr = next_cvr()
    server.add(cvr, status="Ophørt")
    assert client(server).lookup(cvr).status == CEASED


def test_a_500_is_retried_then_answers(server):
    cvr = next_cvr()
    server.add(cvr)
    server.fail_next = 1
    assert client(server, retries=1).lookup(cvr).cvr == cvr
    assert len(server.requests) == 2


def test_a_500_that_lasts_is_unavailable(server):
    server.mode = "500"
    with pytest.raises(RegisterUnavailable, match="500"):
        client(server, retries=2).lookup(next_cvr())
    assert len(server.requests) == 3  # bounded: one call and two retries


def test_a_timeout_is_unavailable(server):
    server.mode, server.delay = "timeout", 1.5
    started = time.monotonic()
    with pytest.raises(RegisterUnavailable):
        client(server, timeout=0.2, retries=0).lookup(next_cvr())
    assert time.monotonic() - started < 1.2


def test_a_malformed_body_is_unavailable(server):
    server.mode = "malformed"
    with pytest.raises(RegisterUnavailable, match="malformed"):
        client(server).lookup(next_cvr())


def test_the_circuit_stops_calling_a_register_that_is_down(server):
    server.mode = "500"
    now = [0.0]
    register = client(server, retries=0, circuit=Circuit(2, 30.0, clock=lambda: now[0]))
    for _ in range(2):
        with pytest.raises(RegisterUnavailable):
            register.lookup(next_cvr())
    calls = len(server.requests)
    with pytest.raises(RegisterUnavailable, match="circuit open"):
        register.lookup(next_cvr())
    assert len(server.requests) == calls  # not called while open
    server.mode = "ok"
    now[0] = 31.0  # half-open: one trial call, which succeeds and closes the circuit
    cvr = next_cvr()
    server.add(cvr)
    assert register.lookup(cvr).cvr == cvr
    assert not register.circuit.open


def test_local_register_and_no_register(tmp_path):
    import json

    cvr = next_cvr()
    fake = type("S", (), {"sources": {}})()  # CvrServer.add's shape, without a server
    CvrServer.add(fake, cvr, employees=7)
    path = tmp_path / "register.json"
    path.write_text(json.dumps(list(fake.sources.values())))
    assert LocalRegister(path).lookup(cvr).employees == 7
    assert LocalRegister(path).lookup(next_cvr()) is None
    assert NoRegister().lookup(cvr) is None and not NoRegister().configured


def test_hit_source_round_trips():
    record = parse_company(hit_source(parse_company(
        {"Vrvirksomhed": {"cvrNummer": 12345674, "virksomhedMetadata": {
            "nyesteNavn": {"navn": "X"}, "nyesteHovedbranche": {"branchekode": "101000"}}}})))
    assert (record.cvr, record.name, record.db07_code) == ("12345674", "X", "101000")
