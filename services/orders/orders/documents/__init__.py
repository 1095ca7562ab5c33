"""The printed papers (单据) of an order, as PDF in Chinese for the customer to sign.

quote (报价单), intention (购车意向书), deposit_receipt (订金条), contract (合同),
delivery_checklist (交车检验表) and settlement (结算单): each printed from the order's own
data, in the store's local time, with the customer's numbers masked for a caller who may
not see them in the order's JSON.

api.py (route, no SQL) -> queries.py (gathers the paper's data) -> papers.py (what each
paper says, and when it can be printed) -> render.py (ReportLab lays it out) with fonts.py
(finds the CJK font on the machine).
"""
