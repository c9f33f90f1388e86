"""A contract's cap of penalties as a statement says it, and the terms of a priority it does not
define — the Polish words written out by hand."""

import pytest

from helpdesk.domain.contracts import PenaltiesCap
from helpdesk.domain.errors import InvalidInput
from tests.unit.test_contracts import EXAMPLE, build


def test_a_cap_is_said_as_a_sum_or_a_share_of_the_value_over_the_contract_or_each_year():
    def said(cap: PenaltiesCap, value: float | None) -> str:
        # Polish digits: a decimal comma, thousands apart; the spaces inside an amount never break.
        return cap.describe(value).replace("\xa0", " ")

    assert said(PenaltiesCap(pln=1234567.5), None) == "1 234 567,50 zł w całym okresie umowy"
    assert said(PenaltiesCap(pln=500, per_year=True), None) == "500,00 zł w każdym roku umowy"
    assert (
        said(PenaltiesCap(share=0.2), 12_000_000)
        == "20% wartości umowy (2 400 000,00 zł) w całym okresie umowy"
    )
    assert said(PenaltiesCap(share=0.125, per_year=True), 1000) == (
        "12,5% wartości umowy (125,00 zł) w każdym roku umowy"
    )
    assert "1 234 567,50 zł" not in PenaltiesCap(pln=1234567.5).describe(None)  # no breaking space
    assert PenaltiesCap(share=0.33333).limit(100) == 33.33


def test_the_terms_of_a_priority_the_contract_does_not_define_are_refused_listing_those_it_does():
    contract = build(EXAMPLE)
    assert contract.terms("normal").targets["reaction"] == 8 * 3600
    with pytest.raises(InvalidInput) as caught:
        contract.terms("low")
    assert str(caught.value) == (
        "umowa 'umowa-przyklad-2027' nie określa priorytetu 'low' (określa: critical, normal)"
    )


def test_offices_of_a_contract_may_be_written_as_numbers_and_a_bad_one_is_named_by_its_place():
    contract = build({**EXAMPLE, "offices": [1462011, "1465011"]})
    assert contract.offices == ("1462011", "1465011")
    with pytest.raises(InvalidInput) as caught:
        build({**EXAMPLE, "offices": ["1462011", "urząd płocki"]})
    assert str(caught.value) == (
        "offices[1]: niepoprawny identyfikator 'urząd płocki' (litery, cyfry, '-', '_', '.')"
    )


def test_contract_years_count_from_the_day_the_period_starts():
    from datetime import date

    from helpdesk.domain.sla import contract_year

    contract = build({**EXAMPLE, "period": {"start": "2027-03-15", "end": "2031-12-31"}})
    assert contract_year(contract, date(2027, 3, 14)) == 1  # before the start: still the first
    assert contract_year(contract, date(2027, 3, 15)) == 1
    assert contract_year(contract, date(2028, 3, 14)) == 1
    assert contract_year(contract, date(2028, 3, 15)) == 2
    assert contract_year(contract, date(2029, 3, 14)) == 2
    assert contract_year(contract, date(2029, 12, 31)) == 3


def test_a_contract_for_some_offices_fits_only_them_and_one_for_all_fits_every_office():
    for_some = build({**EXAMPLE, "offices": ["1462011"]})
    assert for_some.specificity("EZD", "1462011") == 2
    assert for_some.specificity("EZD", "1465011") == 0
    assert for_some.specificity("KW", "1462011") == 0
    assert build(EXAMPLE).specificity("EZD", "1465011") == 1
