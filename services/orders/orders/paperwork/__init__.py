"""The back office's paperwork after the contract: loans (贷款), insurance (保险), invoice (发票), plates (上牌)."""
