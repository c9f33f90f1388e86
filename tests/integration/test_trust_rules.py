"""Trust rules the other audit tests leave open: `helpdesk audit verify` names a row stored below id 0
(not only at 0) and the SLA report refuses such a log."""

from tests.integration.test_audit_log import demo_file, env, sql, verify  # noqa: F401 (fixtures)
from tests.support.calls import one_error_line, run


def test_an_event_stored_below_id_0_is_found_and_the_report_refuses_the_log(env, capsys):
    sql(
        env,
        "insert into event(id,ticket_no,seq,at,at_utc,type,actor,data,prev,hash) values (-7,3,100,"
        "'2026-11-25T12:04:24+01:00','2026-11-25 11:04:24','resolved','agent.wykonawca-ezd','{}','x','y')",
    )
    code, _, err = verify(capsys)
    assert code == 1 and "-7" in err and "T-000003" in err, err
    code, _, err = run(
        capsys, "report", "sla", "--from", "2026-01-01", "--to", "2027-12-31", "--format", "json"
    )
    assert code == 2 and "niespójny" in one_error_line(err)
