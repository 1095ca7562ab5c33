"""Cases after the sale: return visits (回访), complaints (投诉), warranty and insurance claims (保修 / 保险理赔)."""
