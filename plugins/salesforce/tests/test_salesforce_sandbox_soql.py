"""The SOQL the plugin sends, through the real simple-salesforce over HTTPS: conditions,
quoting by ``format_soql``, parent and child relationships, ordering, limits and
``nextRecordsUrl`` paging with ``query_more`` / ``query_all``.

SOQL: https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select.htm;
relationship queries: https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_query_using.htm;
the query resource and its paging: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest
from simple_salesforce.format import format_soql

from sla_bridge_salesforce.sandbox import Sandbox


@pytest.fixture(scope="module")
def org() -> Iterator[Sandbox]:
    with Sandbox(autosend=False, page_size=4) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def seeded(org: Sandbox) -> dict[str, Any]:
    gold = org.add_account("Gold Corp", SLA_Support_Plan__c="gold")
    silver = org.add_account("Silver Ltd", SLA_Support_Plan__c="silver")
    grace = org.add_contact("Grace Gold", "grace@gold.test", gold["Id"])
    sam = org.add_contact("Sam Silver", "sam@silver.test", silver["Id"])
    agent = org.add_agent("Ada Agent", "ada@vendor.test")
    cases = [org.open_case(grace["Id"], f"gold {n}", Priority=("High", "Low")[n % 2])
             for n in range(6)]
    cases += [org.open_case(sam["Id"], "O'Brien's \"quoted\" case\\", Priority="Medium")]
    org.comment(cases[0]["Id"], agent["Id"], "first, public", public=True)
    org.comment(cases[0]["Id"], agent["Id"], "second, internal")
    org.customer_reply(cases[0]["Id"], "any news?")
    return {"gold": gold, "cases": cases, "agent": agent}


@pytest.fixture(scope="module")
def sf(org: Sandbox) -> Salesforce:
    return org.client()


def test_conditions_and_quoting(sf: Salesforce, seeded: dict[str, Any]) -> None:
    """``=``, ``IN``, ``AND`` / ``OR`` / ``NOT`` with parentheses, and values quoted and
    escaped by ``format_soql`` (backslash escapes)."""
    odd = seeded["cases"][-1]
    found = sf.query(format_soql("SELECT Id FROM Case WHERE Subject = {}", odd["Subject"]))
    assert [r["Id"] for r in found["records"]] == [odd["Id"]]
    ids = [c["Id"] for c in seeded["cases"][:3]]
    found = sf.query(format_soql(
        "SELECT Id FROM Case WHERE Id IN {} AND (Priority = 'High' OR NOT Priority = 'Low')",
        ids))
    assert {r["Id"] for r in found["records"]} == {ids[0], ids[2]}
    found = sf.query("SELECT Id FROM Case WHERE Subject LIKE 'gold%' AND IsClosed = false")
    assert found["totalSize"] == 6


def test_parent_and_child_relationships(sf: Salesforce, seeded: dict[str, Any]) -> None:
    """Parent fields (``Account.SLA_Support_Plan__c``, ``CreatedBy.UserType`` inside a
    sub-query) come as nested records; child sub-queries (``CaseComments``,
    ``EmailMessages``) as ``{"totalSize", "done", "records"}``, or null when none."""
    case_id = seeded["cases"][0]["Id"]
    record, = sf.query(format_soql(
        "SELECT Id, Account.SLA_Support_Plan__c, Contact.Email, "
        "(SELECT CommentBody, IsPublished, CreatedBy.UserType FROM CaseComments "
        "ORDER BY CreatedDate), (SELECT Incoming, TextBody FROM EmailMessages), "
        "(SELECT Id FROM ProcessInstances) FROM Case WHERE Id = {}", case_id))["records"]
    assert record["Account"]["SLA_Support_Plan__c"] == "gold"
    assert record["Contact"]["Email"] == "grace@gold.test"
    comments = record["CaseComments"]
    assert comments["totalSize"] == 2
    assert comments["done"] is True
    assert [(c["CommentBody"], c["IsPublished"], c["CreatedBy"]["UserType"])
            for c in comments["records"]] == [("first, public", True, "Standard"),
                                               ("second, internal", False, "Standard")]
    assert [(e["Incoming"], e["TextBody"]) for e in record["EmailMessages"]["records"]] == [
        (True, "any news?")]
    assert record["ProcessInstances"] is None


def test_order_limit_and_offset(sf: Salesforce, seeded: dict[str, Any]) -> None:
    """``ORDER BY`` several fields, ``LIMIT`` and ``OFFSET``."""
    found = sf.query("SELECT Subject FROM Case WHERE AccountId = "
                     f"'{seeded['gold']['Id']}' ORDER BY Priority ASC, Subject DESC LIMIT 3 "
                     "OFFSET 1")
    assert [r["Subject"] for r in found["records"]] == ["gold 2", "gold 0", "gold 5"]


def test_paging_with_next_records_url(sf: Salesforce, seeded: dict[str, Any]) -> None:
    """Answers bigger than a page (2 000 at Salesforce, 4 here) end with ``done`` false and
    a ``nextRecordsUrl``; ``query_more`` follows it and ``query_all`` gathers every page."""
    first = sf.query("SELECT Id FROM Case ORDER BY CreatedDate")
    assert (first["totalSize"], first["done"], len(first["records"])) == (7, False, 4)
    assert first["nextRecordsUrl"].startswith("/services/data/v62.0/query/01g")
    rest = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert rest["done"] is True
    assert "nextRecordsUrl" not in rest
    assert len(first["records"]) + len(rest["records"]) == 7
    every = sf.query_all("SELECT Id FROM Case")
    assert {r["Id"] for r in every["records"]} == {c["Id"] for c in seeded["cases"]}


def test_what_soql_refuses(sf: Salesforce) -> None:
    """Malformed SOQL is 400 ``MALFORMED_QUERY``; an unknown field 400 ``INVALID_FIELD``; an
    unknown object 400 ``INVALID_TYPE``."""
    for soql, code in (("SELECT FROM Case", "MALFORMED_QUERY"),
                       ("SELECT Id FROM Case WHERE", "MALFORMED_QUERY"),
                       ("SELECT Colour__c FROM Case", "INVALID_FIELD"),
                       ("SELECT Id FROM Case WHERE Account.Nope = 'x'", "INVALID_FIELD"),
                       ("SELECT Id FROM Widget", "INVALID_TYPE")):
        with pytest.raises(SalesforceMalformedRequest) as refused:
            sf.query(soql)
        assert refused.value.content[0]["errorCode"] == code, soql


def test_count_and_null_comparisons(sf: Salesforce, seeded: dict[str, Any]) -> None:
    """``SELECT COUNT() FROM ...`` answers ``totalSize`` with no records; ``= null`` and
    ``!= null`` compare with an unset field."""
    counted = sf.query("SELECT COUNT() FROM Case WHERE Priority = 'High'")
    assert (counted["totalSize"], counted["records"]) == (3, [])
    assert sf.query("SELECT Id FROM Case WHERE ParentId = null")["totalSize"] == 7
    assert sf.query("SELECT Id FROM Case WHERE ParentId != null")["totalSize"] == 0
