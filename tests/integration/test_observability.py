"""What operators watch: /metrics (prometheus_client) names every figure the Grafana dashboard in
deploy/ plots; /healthz tells database, outbox and singleton trouble apart; JSON logs."""

import json
import logging
import re
from datetime import timedelta

from aiohttp.test_utils import TestClient, TestServer

from helpdesk.lifecycle import running
from helpdesk.server import JsonFormatter
from helpdesk.services.tickets import NewTicket
from helpdesk.web.app import create_app
from tests.support.world import REPO, populate


async def test_metrics_name_every_figure_of_the_dashboard_and_health_tells_troubles_apart(container) -> None:
    people = populate(container)
    token = container.people.issue_token("urz.plock", container.clock.now())
    headers = {"Authorization": f"Bearer {token}"}
    async with running(container) as runner:  # holds the singletons' lease
        async with TestClient(TestServer(create_app(container))) as client:
            resp = await client.post(
                "/api/v1/tickets", json={"title": "Skaner", "component": "EZD"}, headers=headers
            )
            assert resp.status == 201
            await client.get("/api/v1/tickets/T-000001", headers=headers)
            health = await client.get("/healthz")
            body = await health.json()
            assert health.status == 200 and body["status"] == "ok"
            assert body["checks"]["database"] == "ok" and body["checks"]["singletons"].startswith("ok (")
            text = await (await client.get("/metrics")).text()
    del runner
    assert 'helpdesk_http_requests_total{method="POST",route="/api/v1/tickets",status="201"} 1.0' in text
    assert 'route="/api/v1/tickets/{id}"' in text  # the pattern, never the raw path
    assert (
        "helpdesk_http_request_duration_seconds_bucket" in text
        and "helpdesk_tickets_created_total 1.0" in text
    )
    assert re.search(r'helpdesk_lease_held\{holder="[^"]+",lease="singletons"\} 1\.0', text)
    dashboard = (REPO / "deploy" / "grafana" / "helpdesk.json").read_text(encoding="utf-8")
    exported = set(re.findall(r"^(helpdesk_\w+?)(?:\{| )", text, re.M))
    wanted = set(re.findall(r"(helpdesk_\w+)", " ".join(re.findall(r'"expr": "([^"]*)"', dashboard))))
    assert wanted and wanted <= exported, wanted - exported

    # The singletons stopped (lease given up), the outbox stuck for an hour: told apart.
    container.clock.advance(hours=1)
    container.tickets.create(people["urz.plock"], NewTicket(title="Drugi", description="x"))
    container.db.write(
        lambda tx: tx.enqueue(
            "email", "ktos@example.pl", "Temat", "Treść", at=container.clock.now() - timedelta(hours=1)
        )
    )
    async with TestClient(TestServer(create_app(container))) as client:
        body = await (await client.get("/healthz")).json()
    checks = body["checks"]
    assert body["status"] == "ok" and checks["database"] == "ok"
    assert checks["outbox"].startswith("email: najstarsza wiadomość czeka")
    assert checks["singletons"].startswith("brak działającego procesu")


def test_json_logs_are_one_object_per_line() -> None:
    try:
        raise ValueError("zła wartość")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "helpdesk.x", logging.ERROR, __file__, 1, "nie udało się: %s", ("ą",), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    data = json.loads(line)
    assert "\n" not in line and data["message"] == "nie udało się: ą" and data["level"] == "ERROR"
    assert "ValueError: zła wartość" in data["exc"]
