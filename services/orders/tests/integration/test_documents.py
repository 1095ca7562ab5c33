"""The printed papers (单据): six PDFs in Chinese from the order's own data, masked as the order's JSON is.

Each PDF is read back with pypdf (its text must be extractable: the font is embedded with its Unicode
map), one contract is rendered with poppler's pdftoppm and looked at pixel by pixel.
"""
from __future__ import annotations

import io
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from pypdf import PdfReader

from orders.documents import fonts
from orders.documents.fonts import FONT_VAR, INDEX_VAR, font_choices

VIN = "LSVAU2182N2183290"
PAPERS = {"quote": "报价单", "intention": "购车意向书", "deposit_receipt": "订金条", "contract": "汽车买卖合同",
          "delivery_checklist": "交车检验表", "settlement": "结算单"}
PROBLEM = "application/problem+json"
ALL_PASSED = {"exterior": True, "interior": True, "fuel": True, "accessories": True, "documents": True, "keys": True}


def text_of(response: Any) -> str:
    """The text of every page of a PDF answer."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)


def paper(caller: Any, order_id: str, kind: str) -> Any:
    return caller.get(f"/api/v1/orders/{order_id}/documents/{kind}")


@pytest.fixture
def settled(reserved, consultant, back_office) -> Any:
    """An order reserved with VIN, its contract drafted and paid in full: every paper can be printed."""
    def order(**changes: Any) -> str:
        order_id = reserved(**changes)
        assert consultant.post(f"/api/v1/orders/{order_id}/contract").status_code == 201
        # 189900.00 deal price - 5000.00 deposit paid when the order was placed = 184900.00 balance
        paid = back_office.post(f"/api/v1/orders/{order_id}/payments",
                                json={"amount": "184900.00", "method": "bank_transfer", "kind": "balance"})
        assert paid.status_code == 201 and paid.get_json()["outstanding"] == "0.00"
        return order_id
    return order


def test_each_of_the_six_papers_prints_its_title_the_vin_the_price_and_the_customer(settled, back_office) -> None:
    order_id = settled()
    for kind, title in PAPERS.items():
        text = text_of(paper(back_office, order_id, kind))
        for expected in (title, VIN, "Wang Lei", "¥189,900.00", order_id):
            assert expected in text, (kind, expected)


def test_the_quote_shows_guide_price_deal_price_and_the_discount_between_them(place, consultant) -> None:
    order_id = place()["id"]
    text = text_of(paper(consultant, order_id, "quote"))
    # 199900.00 guide price - 189900.00 deal price = 10000.00 off (优惠)
    for expected in ("厂家指导价", "¥199,900.00", "成交价", "¥189,900.00", "优惠金额", "¥10,000.00", "订金",
                     "¥5,000.00"):
        assert expected in text, expected


def test_a_price_above_the_guide_price_is_printed_as_a_mark_up(place, consultant) -> None:
    order_id = place(price="201900.00")["id"]
    text = text_of(paper(consultant, order_id, "quote"))
    assert "加价金额" in text and "¥2,000.00" in text  # 201900.00 - 199900.00 = 2000.00 over the guide price
    assert "优惠金额" not in text


def test_a_consultant_who_does_not_own_the_order_sees_phone_and_id_number_masked(place, as_role) -> None:
    order_id = place(special_requests="送车前请致电 13912345678")["id"]
    text = text_of(paper(as_role("consultant", "c2"), order_id, "intention"))
    assert "138****5678" in text and "110101********4514" in text
    assert "139****5678" in text  # a number typed into the special requests is masked too
    for full in ("13812345678", "110101199003074514", "13912345678"):
        assert full not in text


def test_the_back_office_the_manager_and_the_owner_see_phone_and_id_number_in_full(place, consultant, manager,
                                                                                    back_office) -> None:
    order_id = place(special_requests="送车前请致电 13912345678")["id"]
    for caller in (consultant, manager, back_office):  # consultant is c1, who placed the order
        text = text_of(paper(caller, order_id, "intention"))
        assert "13812345678" in text and "110101199003074514" in text and "13912345678" in text
        assert "****" not in text


def test_the_contracts_first_page_renders_as_a_picture_with_ink_on_it(settled, back_office, tmp_path: Path) -> None:
    order_id = settled()
    pdf = tmp_path / "contract.pdf"
    pdf.write_bytes(paper(back_office, order_id, "contract").data)
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(tmp_path / "page")], check=True, capture_output=True, timeout=60)
    page = Image.open(tmp_path / "page.png").convert("L")
    # A4 is 595.28 x 841.89 pt; at 50 dpi 595.28 / 72 * 50 = 413.4 and 841.89 / 72 * 50 = 584.6, rounded up
    assert (page.width, page.height) == (414, 585)
    dark = sum(page.histogram()[:128])  # pixels darker than mid-grey
    # Text, grid lines and shaded labels cover a few percent of the page: more than 1 %, far less than half.
    assert 0.01 * page.width * page.height < dark < 0.5 * page.width * page.height


def test_times_are_printed_on_the_stores_clock(place, consultant) -> None:
    at = (datetime.now(UTC) - timedelta(days=3)).replace(hour=23, minute=30, second=0, microsecond=0)
    order_id = place(occurred_at=at.isoformat())["id"]  # the deposit is taken with the order, at 23:30 UTC
    text = text_of(paper(consultant, order_id, "deposit_receipt"))
    local = at + timedelta(hours=8)  # Asia/Shanghai is UTC+8 all year: 23:30 UTC is 07:30 the next day there
    assert local.strftime("%Y-%m-%d 07:30") in text
    assert at.strftime("%Y-%m-%d 23:30") not in text


def test_the_store_name_and_address_come_from_the_settings(place, consultant, monkeypatch) -> None:
    monkeypatch.setenv("DEALER_STORE_NAME", "星河汽车销售服务有限公司")
    monkeypatch.setenv("DEALER_STORE_ADDRESS", "上海市浦东新区世纪大道 100 号")
    text = text_of(paper(consultant, place()["id"], "quote"))
    assert "星河汽车销售服务有限公司" in text and "上海市浦东新区世纪大道 100 号" in text


def test_markup_typed_into_the_special_requests_prints_as_typed(place, consultant) -> None:
    order_id = place(special_requests="<b>真皮座椅</b> & 脚垫")["id"]
    text = text_of(paper(consultant, order_id, "quote"))
    assert "<b>真皮座椅</b> & 脚垫" in text


def test_the_deposit_receipt_before_the_deposit_is_paid_is_409_saying_so(place, consultant) -> None:
    refused = paper(consultant, place(deposit_paid=False)["id"], "deposit_receipt")
    assert refused.status_code == 409 and refused.mimetype == PROBLEM
    assert "no deposit has been received" in refused.get_json()["detail"]


def test_the_contract_before_it_is_drafted_is_409_saying_so(reserved, consultant) -> None:
    refused = paper(consultant, reserved(), "contract")
    assert refused.status_code == 409 and refused.mimetype == PROBLEM
    assert "no contract has been drafted" in refused.get_json()["detail"]


def test_the_delivery_checklist_before_a_car_is_reserved_is_409_saying_so(place, consultant) -> None:
    refused = paper(consultant, place()["id"], "delivery_checklist")
    assert refused.status_code == 409 and refused.mimetype == PROBLEM
    assert "no car is reserved" in refused.get_json()["detail"]


def test_the_settlement_before_full_payment_is_409_with_what_is_outstanding(reserved, consultant) -> None:
    refused = paper(consultant, reserved(), "settlement")
    assert refused.status_code == 409 and refused.mimetype == PROBLEM
    # 5000.00 deposit paid of the 189900.00 deal price: 189900.00 - 5000.00 = 184900.00 outstanding
    assert "5000.00 paid, 184900.00 outstanding" in refused.get_json()["detail"]


def test_the_settlement_of_a_cancelled_order_is_409(place, consultant) -> None:
    order_id = place()["id"]
    assert consultant.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "changed mind"}).status_code == 200
    refused = paper(consultant, order_id, "settlement")
    assert refused.status_code == 409 and "cancelled" in refused.get_json()["detail"]


def test_an_unknown_kind_of_paper_is_404_naming_the_kind_and_the_kinds_there_are(place, consultant) -> None:
    refused = paper(consultant, place()["id"], "brochure")
    assert refused.status_code == 404 and refused.mimetype == PROBLEM
    assert "quote, intention, deposit_receipt, contract, delivery_checklist, settlement" in refused.get_json()["detail"]
    assert "kind" in refused.get_json()["errors"]


def test_a_paper_of_an_unknown_order_is_404(consultant) -> None:
    refused = paper(consultant, "no-such-order", "quote")
    assert refused.status_code == 404 and refused.mimetype == PROBLEM


def test_a_paper_is_never_cached_and_its_file_name_carries_no_personal_data(place, consultant) -> None:
    order_id = place()["id"]
    answer = paper(consultant, order_id, "quote")
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Content-Disposition"] == f'inline; filename="quote-{order_id}.pdf"'


def test_a_font_named_in_the_setting_is_tried_before_debians(monkeypatch) -> None:
    monkeypatch.setenv(FONT_VAR, "/opt/fonts/store.ttc")
    monkeypatch.setenv(INDEX_VAR, "2")
    assert font_choices()[0] == ("/opt/fonts/store.ttc", 2)
    assert font_choices()[1] == ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0)


def store_today() -> date:
    """The store's own day (Asia/Shanghai), which the back office dates its papers by."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def test_the_settlement_prints_the_loan_insurance_invoice_and_plate_the_order_has(reserved, back_office) -> None:
    order_id = reserved(payment_method="loan")
    steps = [("loan", {"lender": "招商银行", "amount": "100000.00", "term_months": 36, "annual_rate": "3.85"}),
             ("loan/decision", {"approved": True}), ("loan/disburse", {}),
             # the customer's share: 189900.00 - 100000.00 loan = 89900.00, of which the 5000.00 deposit is paid
             ("payments", {"amount": "84900.00", "method": "bank_transfer", "kind": "balance"}),
             ("insurance", {"insurer": "中国人保", "policy_no": "PDZA2026000123", "kind": "compulsory",
                            "premium": "950.00", "starts_on": store_today().isoformat(),
                            "ends_on": (store_today() + timedelta(days=364)).isoformat()}),
             ("invoice", {"invoice_no": "04418826", "issued_on": store_today().isoformat()}),
             ("registration", {"plate_no": "沪A12345", "registered_on": store_today().isoformat(), "by": "store",
                               "power_of_attorney": True})]
    for step, body in steps:
        answer = back_office.post(f"/api/v1/orders/{order_id}/{step}", json=body)
        assert answer.status_code in (200, 201), (step, answer.get_json())
    text = text_of(paper(back_office, order_id, "settlement"))
    for expected in ("贷款方案", "招商银行", "36 期", "3.85%", "已放款", "¥100,000.00",
                     "交强险", "中国人保", "PDZA2026000123", "¥950.00",
                     # VAT inside the price: 189900.00 × 13 ÷ 113 = 21846.90; before tax 189900.00 - 21846.90
                     "04418826", "¥21,846.90", "¥168,053.10",
                     "沪A12345", "门店代办（已签委托书）"):
        assert expected in text, expected


def test_the_delivery_checklist_of_a_delivered_car_prints_each_item_passed(reserved, pay_off, consultant) -> None:
    order_id = reserved()
    pay_off(order_id)
    delivered = consultant.post(f"/api/v1/orders/{order_id}/deliver", json={"checklist": ALL_PASSED})
    assert delivered.status_code == 200, delivered.get_json()
    text = text_of(paper(consultant, order_id, "delivery_checklist"))
    assert text.count("√ 合格") == 6  # exterior, interior, fuel, accessories, documents, keys
    assert "不合格" not in text and "c1" in text  # delivered by c1, who placed the order


def test_no_chinese_font_on_the_machine_is_503_naming_the_package_to_install(place, consultant, monkeypatch) -> None:
    order_id = place()["id"]
    monkeypatch.setattr(fonts, "CANDIDATES", ())  # a machine without any of Debian's CJK fonts
    monkeypatch.setenv(FONT_VAR, "/nonexistent/font.ttc")
    fonts.cjk_font.cache_clear()
    try:
        refused = paper(consultant, order_id, "quote")
    finally:
        fonts.cjk_font.cache_clear()  # the next paper finds the machine's font again
    assert refused.status_code == 503 and refused.mimetype == PROBLEM
    assert "fonts-wqy-microhei" in refused.get_json()["detail"]
